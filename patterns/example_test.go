package patterns_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/buildlog/buildlog/classify"
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

func ExampleLoad() {
	// testdata/team holds team.yaml: a disable, a patch of disk_full and a
	// rule of the team's own.
	cat, err := patterns.Load("testdata/team")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := classify.Compile(cat)
	if err != nil {
		fmt.Println(err)
		return
	}
	log := "Step 4/9 : RUN pip download -d /wheels torch\n" +
		"curl: (7) Failed to connect to mirror.example.com port 443: Connection refused\n" +
		"ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n"
	report, _ := m.Classify(context.Background(), strings.NewReader(log))
	for _, is := range report.Issues {
		if is.SuppressedBy == "" {
			fmt.Printf("%s (priority %d): %s\n", is.ID, is.Priority, is.Remediation)
		}
	}
	fmt.Println("primary:", report.Primary.ID)
	// Output:
	// internal_mirror_down (priority 75): The mirror is restarted every night at 02:00; rebuild after 02:15.
	// disk_full (priority 96): Ask the platform team for the build pool with bigger disks.
	// primary: disk_full
}
