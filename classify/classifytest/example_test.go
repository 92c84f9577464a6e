package classifytest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/buildlog/buildlog/classify/classifytest"
	"github.com/buildlog/buildlog/patterns"
)

const oomLog = "Step 5/6 : RUN make -j8\n" +
	"g++: fatal error: Killed signal terminated program cc1plus\n" +
	"make: *** [Makefile:8: src/render.o] Error 1\n"

// Render is what a .want file holds below its comments; Run writes it with
// -update and compares it otherwise.
func ExampleRender() {
	report, _ := patterns.Default().Classify(context.Background(), strings.NewReader(oomLog))
	fmt.Print(classifytest.Render(report))
	// Output:
	// lines: 3
	// primary: out_of_memory
	// outcome: unknown
	// L2 error compile_error suppressed_by=out_of_memory message="Killed signal terminated program cc1plus" step="Step 5/6 : RUN make -j8"
	// L2 error out_of_memory primary program="cc1plus" step="Step 5/6 : RUN make -j8"
	// L3 error make_target_failed suppressed_by=out_of_memory code="1" makefile="Makefile" makeline="8" target="src/render.o" step="Step 5/6 : RUN make -j8"
}

// Check tests one "# expect:" line of a .want header, the statements a
// reviewer writes by hand (Run checks each of them for every log).
func ExampleCheck() {
	report, _ := patterns.Default().Classify(context.Background(), strings.NewReader(oomLog))
	for _, expect := range []string{
		"primary out_of_memory",
		"retry out_of_memory permanent",
		"remediation out_of_memory more memory",
		"primary pip_network_error",
	} {
		if err := classifytest.Check(expect, report); err != nil {
			fmt.Printf("%-40s %v\n", expect, err)
		} else {
			fmt.Printf("%-40s ok\n", expect)
		}
	}
	// Output:
	// primary out_of_memory                    ok
	// retry out_of_memory permanent            ok
	// remediation out_of_memory more memory    ok
	// primary pip_network_error                primary = out_of_memory, want pip_network_error
}
