package envcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func onlyFinding(t *testing.T, d *Definition, id, msg string) Finding {
	t.Helper()
	fs := d.CheckWith(Options{Now: testNow})
	for _, f := range fs {
		if f.ID == id && strings.Contains(f.Message, msg) {
			return f
		}
	}
	t.Fatalf("no %s %q in %v", id, msg, fs)
	return Finding{}
}

func timed(t *testing.T, max time.Duration, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if el := time.Since(start); el > max {
		t.Errorf("took %v (limit %v)", el, max)
	}
}

func TestHostileDefinitions(t *testing.T) {
	t.Run("million continuation lines", func(t *testing.T) {
		b := []byte("FROM x\nRUN a" + strings.Repeat(" \\\n", 1_000_000) + "\n")
		timed(t, 2*time.Second, func() {
			f := onlyFinding(t, Parse("Dockerfile", KindDockerfile, b), "definition_unreadable", "longer than")
			if f.Line != MaxDockerfileLines+1 {
				t.Errorf("line %d", f.Line)
			}
		})
	})
	t.Run("long continuation within limits", func(t *testing.T) {
		b := []byte("FROM x:1\nRUN a" + strings.Repeat(" \\\n b", 40_000) + "\n")
		timed(t, 2*time.Second, func() {
			d := Parse("Dockerfile", KindDockerfile, b)
			if len(d.Files) != 1 || d.Files[0].docker == nil || len(d.Files[0].docker.Instructions) != 2 {
				t.Fatal("not parsed as two instructions")
			}
		})
	})
	t.Run("file over the size limit", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "conda.yml")
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		// a sparse 100 MB file: only the limit's worth is ever read
		if err := fh.Truncate(100 << 20); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		timed(t, 2*time.Second, func() {
			d, err := Load(p)
			if err != nil {
				t.Fatal(err)
			}
			onlyFinding(t, d, "definition_unreadable", "larger than")
		})
	})
	t.Run("alias bomb", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 30; i++ {
			b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [" + strings.Repeat("*a"+itoa(i-1)+", ", 9) + "*a" + itoa(i-1) + "]\n")
		}
		b.WriteString("dependencies: [*a29]\n")
		timed(t, 2*time.Second, func() {
			onlyFinding(t, Parse("conda.yml", KindConda, b.Bytes()), "definition_unreadable", "aliases")
		})
	})
	t.Run("deep JSON", func(t *testing.T) {
		b := []byte(`{"name": "x", "docker": ` + strings.Repeat(`{"a": `, 100_000) + "1" + strings.Repeat("}", 100_000) + "}")
		timed(t, 2*time.Second, func() {
			f := onlyFinding(t, Parse("azureml_environment.json", KindEnvV1, b), "definition_unreadable", "nesting")
			if f.Line != 1 || f.Column == 0 {
				t.Errorf("position %v", f.Pos)
			}
		})
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		f := onlyFinding(t, Parse("conda.yml", KindConda, []byte("dependencies:\n  - caf\xe9\n")), "definition_not_utf8", "UTF-8")
		if f.Line != 2 || f.Column != 8 {
			t.Errorf("position %v, want 2:8", f.Pos)
		}
	})
	t.Run("conda_file escapes the folder", func(t *testing.T) {
		dir := t.TempDir()
		secret := filepath.Join(dir, "secret.yml")
		os.WriteFile(secret, []byte("dependencies: [python=2.7]\n"), 0o644)
		sub := filepath.Join(dir, "env")
		os.Mkdir(sub, 0o755)
		os.WriteFile(filepath.Join(sub, "env.yml"), []byte("name: e\nimage: x:1\nconda_file: ../secret.yml\n"), 0o644)
		os.Symlink(secret, filepath.Join(sub, "link.yml"))
		os.WriteFile(filepath.Join(sub, "env2.yml"), []byte("name: e\nimage: x:1\nconda_file: link.yml\n"), 0o644)
		for _, name := range []string{"env.yml", "env2.yml"} {
			d, err := Load(filepath.Join(sub, name))
			if err != nil {
				t.Fatal(err)
			}
			f := onlyFinding(t, d, "definition_path_outside_folder", "refused")
			if f.Line != 3 || f.Column != 13 {
				t.Errorf("%s: position %v", name, f.Pos)
			}
			for _, x := range d.Files {
				if strings.HasSuffix(x.Path, "secret.yml") || strings.HasSuffix(x.Path, "link.yml") {
					t.Errorf("%s: read %s", name, x.Path)
				}
			}
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
