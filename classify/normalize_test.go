package classify

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		vertex   int
	}{
		{"plain line", "plain line", -1},
		{"\x1b[31mERROR:\x1b[0m boom", "ERROR: boom", -1},
		{"\x1b[1;31;40mred\x1b[K done", "red done", -1},
		{"\x1b]0;title\x07after", "after", -1},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link", -1},
		{"\x1b(Bcharset", "charset", -1},
		{"trailing lone \x1b", "trailing lone ", -1},
		{"[91m  ERROR: Could not find a version", "  ERROR: Could not find a version", -1},
		{"[0m [91mERROR: No matching distribution", " ERROR: No matching distribution", -1},
		{"array[0] stays", "array[0] stays", -1},
		{"2020/05/24 04:28:34 Executing step ID: acb_step_0", "Executing step ID: acb_step_0", -1},
		{"2025-02-16T00:22:57: Running: ['docker']", "Running: ['docker']", -1},
		{"2026-07-01T19:33:24.1348805Z ##[error]x", "##[error]x", -1},
		{"2024-03-01 10:00:00,123+02:00 level=info", "level=info", -1},
		{"[2024-03-01 10:00:00] started", "started", -1},
		{"22:30:26 error: externally-managed-environment", "error: externally-managed-environment", -1},
		{"#8 46.25 Solving environment: ...working... Killed", "Solving environment: ...working... Killed", 8},
		{"#12 0.123 Collecting numpy", "Collecting numpy", 12},
		{"#5 [2/5] RUN pip install -r requirements.txt", "[2/5] RUN pip install -r requirements.txt", 5},
		{"#13 ERROR: process \"/bin/sh -c x\" did not complete", "ERROR: process \"/bin/sh -c x\" did not complete", 13},
		{"#9 301.2   - numpy=1.99", "  - numpy=1.99", 9},
		{"2026-07-01T19:33:24Z #8 46.25 \x1b[31mKilled\x1b[0m", "Killed", 8},
		{"=> => # WARNING: Retrying (Retry(total=0", "WARNING: Retrying (Retry(total=0", -1},
		{"0.928 Collecting package metadata (repodata.json): ...working... Killed", "Collecting package metadata (repodata.json): ...working... Killed", -1},
		{"46.80     └─ libglib 2.78.4 does not exist", "    └─ libglib 2.78.4 does not exist", -1},
		{"31.280   - numpy=1.99", "  - numpy=1.99", -1},
		{"470.5 pip._vendor.urllib3.exceptions.ReadTimeoutError: x", "pip._vendor.urllib3.exceptions.ReadTimeoutError: x", -1},
		{"3.11.4 is not 3.8", "3.11.4 is not 3.8", -1},
		{"1.2345 seconds", "1.2345 seconds", -1},
		{"#not a vertex", "#not a vertex", -1},
		{"12:30 meeting", "12:30 meeting", -1},
		{"\xff\xfe invalid \xc3", "\xff\xfe invalid \xc3", -1},
		{"##[warning]W: Failed to fetch http://x/InRelease", "W: Failed to fetch http://x/InRelease", -1},
		{"2026-07-01T19:33:24.1348805Z ##[warning]x", "x", -1},
		{"[stderr] ERROR: No matching distribution found for x", "ERROR: No matching distribution found for x", -1},
		{"[stdout] Killed", "Killed", -1},
		{"ERROR:azureml._restclient.clientbase:Failed to login", "Failed to login", -1},
		{"INFO:root:#8 12.3 Collecting numpy", "Collecting numpy", 8},
		{"WARNING:tensorflow:From x", "From x", -1},
		{"ERROR: No matching distribution", "ERROR: No matching distribution", -1},
		{"ERROR:: x", "ERROR:: x", -1},
		{"INFO:not a logger: x", "INFO:not a logger: x", -1},
		{"2024-01-02 03:04:05,678 ERROR Cannot connect to the Docker daemon", "Cannot connect to the Docker daemon", -1},
		{"2024-01-02 03:04:05,678 - ERROR - boom", "boom", -1},
		{"2024-01-02 03:04:05,678 [WARNING] boom", "boom", -1},
		{"2024-01-02 03:04:05,678 INFO:root:boom", "boom", -1},
		{"2026-12-04 23:02:31 ERROR 403: Forbidden.", "ERROR 403: Forbidden.", -1},
		{"web-1  | Killed", "Killed", -1},
		{"proj_app_1 | ERROR: x", "ERROR: x", -1},
		{"numpy-1.26.4         | 7.5 MB    | ####", "numpy-1.26.4         | 7.5 MB    | ####", -1},
		{"web  | x", "web  | x", -1},
		{"12-1 | x", "x", -1},
	}
	var buf []byte
	for _, tt := range tests {
		var got []byte
		var v int
		got, v, buf = normalize(buf[:0], []byte(tt.in))
		if string(got) != tt.want || v != tt.vertex {
			t.Errorf("normalize(%q) = %q, %d; want %q, %d", tt.in, got, v, tt.want, tt.vertex)
		}
		if Normalize(tt.in) != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, Normalize(tt.in), tt.want)
		}
	}
}

func TestNormalizeAllocatesNothing(t *testing.T) {
	for _, line := range [][]byte{
		[]byte("2026-07-01T19:33:24Z #8 46.25 \x1b[31mERROR: boom\x1b[0m"),
		[]byte("2024-01-02 03:04:05,678 - ERROR - [stderr] web-1  | ERROR:root:boom"),
	} {
		_, _, buf := normalize(nil, line)
		if a := testing.AllocsPerRun(100, func() { _, _, buf = normalize(buf[:0], line) }); a != 0 {
			t.Errorf("normalize(%q) allocates %v times per line", line, a)
		}
	}
}

func TestAppendNormalize(t *testing.T) {
	buf := make([]byte, 0, 256)
	for _, in := range []string{"\x1b[31m#8 1.5 Killed\x1b[0m", "2024-01-01T00:00:00Z plain", "[91mERROR: x"} {
		got := AppendNormalize(append(buf[:0], "pre:"...), []byte(in))
		if want := "pre:" + Normalize(in); string(got) != want {
			t.Errorf("AppendNormalize(%q) = %q, want %q", in, got, want)
		}
	}
	line := []byte("\x1b[31m#8 1.5 Killed\x1b[0m")
	if a := testing.AllocsPerRun(50, func() { buf = AppendNormalize(buf[:0], line) }); a != 0 {
		t.Errorf("AppendNormalize allocates %v times", a)
	}
}

func TestFeedCutsLongLines(t *testing.T) {
	m := basicMatcher(t, WithMaxLineBytes(1000))
	s := m.NewSession()
	s.Feed([]byte("Killed" + strings.Repeat(" x", 2000)))
	s.Close()
	if rep := s.Report(); rep.LinesCut != 1 {
		t.Errorf("lines cut = %d", rep.LinesCut)
	}
}

func TestStepHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Step 3/12 : RUN pip install x", "Step 3/12 : RUN pip install x"},
		{"[2/5] RUN pip install x", "[2/5] RUN pip install x"},
		{"[stage-1 3/7] COPY . .", "[stage-1 3/7] COPY . ."},
		{" > [ 8/10] RUN conda env create:", " > [ 8/10] RUN conda env create"[3:]},
		{"[12/340] Building CXX object src/x.cc.o", ""},
		{"[internal] load build definition from Dockerfile", ""},
		{"Steps 1/2 done", ""},
		{"The push refers to repository [myacr.azurecr.io/app]", "The push refers to repository [myacr.azurecr.io/app]"},
	}
	for _, tt := range tests {
		if got := string(stepHeader([]byte(tt.in))); got != tt.want {
			t.Errorf("stepHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
