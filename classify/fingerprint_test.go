package classify

import "testing"

func TestFingerprintPairs(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		// the same failure in two builds
		{"error: exit status 2", "error: exit status 137", true},
		{"ERROR: process \"/bin/sh -c make -j4\" did not complete successfully: exit code: 2",
			"ERROR: process \"/bin/sh -c npm ci\" did not complete successfully: exit code: 1", true},
		{"src/main.c:12:5: error: 'foo' undeclared (first use in this function)",
			"lib/util/io.c:301:17: error: 'bar_baz' undeclared (first use in this function)", true},
		{"/usr/bin/ld: cannot find -lssl: No such file or directory", "/opt/cross/bin/ld: cannot find -lssl: No such file or directory", true},
		{"fatal: unable to access 'https://github.com/acme/app.git/': Could not resolve host: github.com",
			"fatal: unable to access 'https://gitlab.example.org/x/y.git/': Could not resolve host: gitlab.example.org", true},
		{"Get \"https://proxy.golang.org/github.com/x/y/@v/v1.2.3.mod\": dial tcp 10.0.0.1:443: i/o timeout",
			"Get \"https://proxy.golang.org/golang.org/x/net/@v/v0.21.0.mod\": dial tcp 142.250.74.17:443: i/o timeout", true},
		{"ModuleNotFoundError: No module named 'torch'", "ModuleNotFoundError: No module named 'sklearn.utils'", true},
		{"2024-05-01T10:00:00Z worker failed after 3 attempts", "2025-12-31T23:59:59.123+01:00 worker failed after 12 attempts", true},
		{"10:00:01 job 42 failed", "23:11:59.5 job 7 failed", true},
		{"writing image sha256:3f2a9c8b1d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a done",
			"writing image sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef done", true},
		{"container 3f2a9c8b1d0e exited with 1", "container a1b2c3d4e5f6 exited with 255", true},
		{"E: Unable to locate package libfoo-dev", "E: Unable to locate package \"python3-venv\"", false},
		{"E: Version '1.2.3-1ubuntu1' for 'curl' was not found", "E: Version '7.88.1-10+deb12u5' for 'libcurl4' was not found", true},
		{"Installing numpy 1.26.4 failed", "Installing numpy 2.0.0rc1 failed", true},
		{"requires Python >=3.11 but you have 3.8.10", "requires Python >=3.9 but you have 3.7", true},
		{"could not open /tmp/tmpab12cd9x/setup.py", "could not open /tmp/tmp_q8w7e6r5/setup.py", true},
		{"error in pip-install-k2j3h4l5 build", "error in pip-install-z9x8c7v6 build", true},
		{"Traceback file \"/usr/local/lib/python3.11/site-packages/x.py\", line 10", "Traceback file \"/opt/conda/lib/python3.9/y.py\", line 884", true},
		{"C:\\BuildAgent\\work\\a\\b.cs(12,5): error CS0246: The type or namespace name 'Foo' could not be found",
			"D:\\src\\proj\\c.cs(7,31): error CS0246: The type or namespace name 'Bar' could not be found", true},
		{"npm ERR! code E404 for https://registry.npmjs.org/left-padx", "npm ERR! code E404 for https://registry.npmjs.org/@acme%2fcore", true},
		{"Killed   (signal 9)  after  12s", "Killed (signal 15) after 3s", true},
		{"build 123e4567-e89b-12d3-a456-426614174000 failed", "build 9f0c1a2b-0000-4bcd-8ef0-1234567890ab failed", true},
		{"[2/5] RUN make", "[4/9] RUN make", true},
		{"Run ID: ca1 failed after 2m3s. Please review the logs for more information.",
			"Run ID: cb17 failed after 10m33s. Please review the logs for more information.", true},
		{"go: example.com/m@v1.4.0: reading example.com/m/go.mod at revision v1.4.0: unknown revision v1.4.0",
			"go: github.com/a/b@v0.0.0-20240101000000-abcdef123456: reading github.com/a/b/go.mod at revision v0.0.0-20240101000000-abcdef123456: unknown revision v0.0.0-20240101000000-abcdef123456", true},

		// different failures stay apart
		{"error: exit status 2", "error: signal: killed", false},
		{"ModuleNotFoundError: No module named 'torch'", "ImportError: cannot import name 'x' from 'y'", false},
		{"fatal: unable to access 'x': Could not resolve host: github.com", "fatal: unable to access 'x': SSL certificate problem", false},
		{"src/a.c:1:1: error: 'foo' undeclared", "src/a.c:1:1: error: expected ';' before '}' token", false},
		{"/usr/bin/ld: cannot find -lssl", "/usr/bin/ld: cannot find -lcrypto", false},
		{"npm ERR! code E404", "npm ERR! code ERESOLVE", false},
		{"No space left on device", "Permission denied", false},
		{"java.lang.OutOfMemoryError: Java heap space", "java.lang.OutOfMemoryError: Metaspace", false},
		{"cargo build failed: could not compile `serde`", "cargo build failed: linker `cc` not found", false},
		{"Successfully built 3f2a9c8b1d0e", "Successfully tagged app:latest", false},
		{"exporting to image", "ERROR: failed to solve: process did not complete successfully", false},
		{"make: *** [Makefile:12: all] Error 2", "make: *** No rule to make target 'install'.  Stop.", false},
	}
	for _, tt := range tests {
		fa, fb := Fingerprint(tt.a), Fingerprint(tt.b)
		if (fa == fb) != tt.same {
			t.Errorf("same=%v want %v\n a: %q\n -> %q\n b: %q\n -> %q", fa == fb, tt.same, tt.a, fa, tt.b, fb)
		}
	}
	if len(tests) < 30 {
		t.Fatalf("only %d pairs", len(tests))
	}
}

func TestFingerprintMasks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  exit   code: 137 ", "exit code: <n>"},
		{"numpy==1.26.4 is required", "numpy==<ver> is required"},
		{"see https://docs.docker.com/x, then retry", "see <url>, then retry"},
		{"src/main.go:12:3: undefined: Foo", "<path>:<n>:<n>: undefined: Foo"},
		{"No module named 'torch'", "No module named '<q>'"},
		{"at 2024-05-01 10:00:00 it failed", "at <ts> it failed"},
		{"don't stop", "don't stop"},
		{"python3.11 not found", "python<ver> not found"},
		{"x86_64 gcc", "x<n>_<n> gcc"},
		{"layer sha256:0123456789abcdef0123", "layer sha<n>:<hex>"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fingerprint(tt.in); got != tt.want {
			t.Errorf("Fingerprint(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFingerprintAllocs(t *testing.T) {
	line := "src/main.c:12:5: error: 'foo' undeclared (first use in this function)"
	if n := testing.AllocsPerRun(100, func() { _ = Fingerprint(line) }); n > 1 {
		t.Errorf("Fingerprint allocates %v times, want at most 1", n)
	}
}
