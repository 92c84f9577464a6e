package main

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		want   int
		golden string
	}{
		{"rule", []string{"out_of_memory"}, 0, "explain-out_of_memory.txt"},
		{"multi-line rule", []string{"conda_packages_missing"}, 0, "explain-conda_packages_missing.txt"},
		{"line", []string{"--line", "#8 12.5 \x1b[31mThe command '/bin/sh -c make' returned a non-zero code: 137\x1b[0m"}, 0, "explain-line.txt"},
		{"line excluded", []string{"--line", "The command 'stress' returned a non-zero code: 137 [expected]"}, 0, "explain-line-excluded.txt"},
		{"line one rule", []string{"--line", "The command 'x' returned a non-zero code: 137", "build_step_failed"}, 0, "explain-line-one-rule.txt"},
		{"line nothing", []string{"--line", "all is well"}, 0, "explain-line-nothing.txt"},
		{"unknown id", []string{"out_of_memroy"}, 2, ""},
		{"no id", nil, 2, ""},
		{"two ids", []string{"a", "b"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := triage(t, nil, "", append([]string{"explain"}, withCatalog(tt.args...)...)...)
			if got.code != tt.want {
				t.Errorf("exit %d, want %d; stderr %q", got.code, tt.want, got.stderr)
			}
			if strings.ContainsAny(got.stdout, "\x1b\r") {
				t.Errorf("raw control characters in the output: %q", got.stdout)
			}
			if tt.golden != "" {
				golden(t, tt.golden, got.stdout)
			}
		})
	}
	got := triage(t, nil, "", append([]string{"explain"}, withCatalog("out_of_memroy")...)...)
	if want := "triage: no rule \"out_of_memroy\" in the catalog; did you mean out_of_memory?\n"; got.stderr != want {
		t.Errorf("stderr %q, want %q", got.stderr, want)
	}
}
