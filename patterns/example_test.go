package patterns_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/buildlog/buildlog/patterns"
)

func ExampleDefault() {
	log := "Step 2/3 : RUN pip install numpy==9.9\n" +
		"ERROR: Could not find a version that satisfies the requirement numpy==9.9 (from versions: 1.26.4, 2.0.0)\n" +
		"ERROR: No matching distribution found for numpy==9.9\n"
	report, err := patterns.Default().Classify(context.Background(), strings.NewReader(log))
	if err != nil {
		fmt.Println(err)
	}
	if p := report.Primary; p != nil {
		fmt.Printf("%s at line %d in %q: package %s\n", p.ID, p.Line, p.Step, p.Fields["package"])
	}
	// Output:
	// pip_no_matching_distribution at line 2 in "Step 2/3 : RUN pip install numpy==9.9": package numpy==9.9
}
