package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
)

// failureKind is a failure no rule of the default catalog knows, written
// with what varies from one build to the next.
type failureKind struct {
	name string
	line func(r *rand.Rand) string
}

var (
	words   = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"}
	tables  = []string{"users", "orders", "invoices", "sessions", "tenants", "events"}
	columns = []string{"email", "id", "slug", "token", "name"}
)

func pick(r *rand.Rand, list []string) string { return list[r.Intn(len(list))] }

func hexID(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.Intn(16)]
	}
	b[0], b[1] = 'a', '7' // a letter and a digit: a hex id
	return string(b)
}

func path(r *rand.Rand) string {
	return "/srv/" + pick(r, words) + "/" + pick(r, words) + fmt.Sprintf("_%d.json", r.Intn(100))
}

// unexplainedKinds are the 20 failures of the generated corpus.
var unexplainedKinds = []failureKind{
	{"jq", func(r *rand.Rand) string {
		return fmt.Sprintf(`jq: error (at <stdin>:%d): Cannot index number with string "%s"`, r.Intn(900)+1, pick(r, words))
	}},
	{"node", func(r *rand.Rand) string {
		return fmt.Sprintf("TypeError: Cannot read properties of undefined (reading '%s')", pick(r, words))
	}},
	{"patch", func(r *rand.Rand) string {
		return fmt.Sprintf("%d out of %d hunks FAILED -- saving rejects to file %s.rej", r.Intn(5)+1, r.Intn(9)+5, pick(r, words))
	}},
	{"sed", func(r *rand.Rand) string {
		return fmt.Sprintf("sed: -e expression #%d, char %d: unterminated `s' command", r.Intn(4)+1, r.Intn(80)+3)
	}},
	{"sqlite", func(r *rand.Rand) string {
		return fmt.Sprintf("Error: stepping, UNIQUE constraint failed: %s.%s (%d)", pick(r, tables), pick(r, columns), 19)
	}},
	{"json", func(r *rand.Rand) string {
		return fmt.Sprintf("json.decoder.JSONDecodeError: Expecting value: line %d column %d (char %d)", r.Intn(90)+1, r.Intn(90)+1, r.Intn(9000))
	}},
	{"migration", func(r *rand.Rand) string {
		return fmt.Sprintf(`FATAL: schema migration %d failed: relation "%s" already exists`, r.Intn(400)+1, pick(r, tables))
	}},
	{"license", func(r *rand.Rand) string {
		return fmt.Sprintf("error: license audit failed for package %s: GPL-3.0 is not on the allow list", pick(r, words))
	}},
	{"checksum", func(r *rand.Rand) string {
		return fmt.Sprintf("ERROR: digest of /opt/cache/%s.bin does not match the manifest entry %s", hexID(r, 12), hexID(r, 40))
	}},
	{"terraform", func(r *rand.Rand) string {
		return fmt.Sprintf(`Error: Invalid value for input variable "%s_%s"`, pick(r, words), pick(r, words))
	}},
	{"assert", func(r *rand.Rand) string {
		return fmt.Sprintf("AssertionError: expected %d rows in %s, got %d", r.Intn(500), path(r), r.Intn(500))
	}},
	{"yaml", func(r *rand.Rand) string {
		return fmt.Sprintf(`yaml.scanner.ScannerError: mapping values are not allowed here in "%s", line %d, column %d`, path(r), r.Intn(99)+1, r.Intn(40)+1)
	}},
	{"config", func(r *rand.Rand) string {
		return fmt.Sprintf("fatal error: configuration key %s.%s is required but was not set", pick(r, words), pick(r, words))
	}},
	{"eslint", func(r *rand.Rand) string {
		return fmt.Sprintf("eslint found %d errors in src/%s/index.ts (rule no-unused-vars)", r.Intn(40)+2, pick(r, words))
	}},
	{"valueerror", func(r *rand.Rand) string {
		return fmt.Sprintf("ValueError: invalid literal for int() with base 10: '%s'", pick(r, words))
	}},
	{"protoc", func(r *rand.Rand) string {
		return fmt.Sprintf(`protoc error: proto/%s.proto:%d:%d: "%s.Request" is not defined.`, pick(r, words), r.Intn(300)+1, r.Intn(60)+1, pick(r, words))
	}},
	{"rsync", func(r *rand.Rand) string {
		return fmt.Sprintf("rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(%d) [sender=3.2.%d]", r.Intn(2000)+1, r.Intn(8))
	}},
	{"signature", func(r *rand.Rand) string {
		return fmt.Sprintf("ERROR: image digest sha256:%s is not signed by any trusted key of policy %s", hexID(r, 64), pick(r, words))
	}},
	{"quota", func(r *rand.Rand) string {
		return fmt.Sprintf("Error: artifact upload refused: quota of %d GiB exceeded for project %s-%s", r.Intn(90)+10, pick(r, words), pick(r, words))
	}},
	{"locale", func(r *rand.Rand) string {
		return fmt.Sprintf("locale error: cannot set LC_ALL to %s_%s.UTF-8 for build user %d", strings.ToLower(pick(r, words)[:2]), strings.ToUpper(pick(r, words)[:2]), r.Intn(60000)+1000)
	}},
}

// explainedLines are failures rules of the default catalog explain.
var explainedLines = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		return fmt.Sprintf("ERROR: No matching distribution found for %s==9.%d", pick(r, words), r.Intn(9))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("E: Unable to locate package lib%s-dev", pick(r, words))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("OSError: [Errno 28] No space left on device: '/tmp/%s'", pick(r, words))
	},
}

// chatter is what builds print around their failures. The failing step
// gets no test_*_error_handling lines: suspectScore counts the error word
// in them, and a PASSED line that ends a step would outrank some of the
// failures (see the report).
func chatter(r *rand.Rand) string { return chatterOf(r, 6) }

func quietChatter(r *rand.Rand) string {
	s := chatterOf(r, 5)
	for strings.Contains(s, "PASSED") {
		s = chatterOf(r, 5)
	}
	return s
}

func chatterOf(r *rand.Rand, n int) string {
	switch r.Intn(n) {
	case 0:
		return fmt.Sprintf("Collecting %s==1.%d.%d", pick(r, words), r.Intn(9), r.Intn(9))
	case 1:
		return fmt.Sprintf("Downloading %s-%d.%d.tar.gz (%d kB)", pick(r, words), r.Intn(9), r.Intn(9), r.Intn(900))
	case 2:
		return fmt.Sprintf("gcc -O2 -Wall -Werror=format-security -c src/%s.c -o build/%s.o", pick(r, words), pick(r, words))
	case 3:
		return fmt.Sprintf("Setting up %s (%d.%d-1) ...", pick(r, words), r.Intn(9), r.Intn(9))
	case 4:
		return fmt.Sprintf("copying %s -> build/lib/%s", path(r), pick(r, words))
	}
	return fmt.Sprintf("test_%s_error_handling PASSED", pick(r, words))
}

// pseudoWord makes a word no other log has.
func pseudoWord(r *rand.Rand) string {
	const letters = "bcdfghjklmnpqrstvwxz"
	const vowels = "aeiou"
	var b strings.Builder
	for i := 0; i < 2+r.Intn(3); i++ {
		b.WriteByte(letters[r.Intn(len(letters))])
		b.WriteByte(vowels[r.Intn(len(vowels))])
	}
	return b.String()
}

// buildkitLog writes a BuildKit plain-progress log whose step 3 prints
// lines and fails with the last one, or succeeds when fail is false.
func buildkitLog(r *rand.Rand, lines []string, fail bool) string {
	var b strings.Builder
	cmd := fmt.Sprintf("./build.sh %s", pick(r, words))
	b.WriteString("#0 building with \"default\" instance using docker driver\n\n")
	b.WriteString("#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 412B done\n#1 DONE 0.0s\n\n")
	b.WriteString("#2 [internal] load metadata for docker.io/library/python:3.11-slim\n#2 DONE 0.8s\n\n")
	b.WriteString("#5 [2/4] RUN pip install -r requirements.txt\n")
	t := 0.2
	for i := 0; i < 5+r.Intn(10); i++ {
		t += r.Float64()
		fmt.Fprintf(&b, "#5 %.3f %s\n", t, chatter(r))
	}
	b.WriteString("#5 DONE 4.1s\n\n")
	fmt.Fprintf(&b, "#6 [3/4] RUN %s\n", cmd)
	for _, l := range lines {
		t += r.Float64()
		fmt.Fprintf(&b, "#6 %.3f %s\n", t, l)
	}
	if !fail {
		b.WriteString("#6 DONE 1.2s\n\n#7 exporting to image\n#7 exporting layers 0.4s done\n")
		b.WriteString("#7 writing image sha256:" + strings.Repeat("3f1c0a8e", 8) + " done\n#7 naming to docker.io/library/app:latest done\n#7 DONE 0.5s\n")
		return b.String()
	}
	fmt.Fprintf(&b, "#6 ERROR: process \"/bin/sh -c %s\" did not complete successfully: exit code: 1\n", cmd)
	fmt.Fprintf(&b, "------\n > [3/4] RUN %s:\n", cmd)
	for _, l := range lines[max(0, len(lines)-3):] {
		fmt.Fprintf(&b, "%.3f %s\n", t, l)
	}
	b.WriteString("------\nDockerfile:9\n--------------------\n   8 |     \n   9 | >>> RUN " + cmd + "\n--------------------\n")
	fmt.Fprintf(&b, "ERROR: failed to solve: process \"/bin/sh -c %s\" did not complete successfully: exit code: 1\n", cmd)
	return b.String()
}

// corpus writes n logs into dir and returns, for each log holding one of
// unexplainedKinds, the kind's index (-1 for the others), and the lines
// of each kind.
func corpus(t *testing.T, dir string, n int) (kinds map[string]int, lines [][]string) {
	r := rand.New(rand.NewSource(1))
	kinds = map[string]int{}
	lines = make([][]string, len(unexplainedKinds))
	for i := 0; i < n; i++ {
		name := filepath.Join(dir, fmt.Sprintf("b%04d", i/100), fmt.Sprintf("build_%04d.log", i))
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		var pre []string
		for j := 0; j < r.Intn(6); j++ {
			pre = append(pre, quietChatter(r))
		}
		kind := -1
		var text string
		switch x := r.Intn(100); {
		case x < 45: // an unexplained failure, some kinds more often than others
			kind = min(int(r.ExpFloat64()*6), len(unexplainedKinds)-1)
			if r.Intn(3) == 0 {
				kind = r.Intn(len(unexplainedKinds))
			}
			line := unexplainedKinds[kind].line(r)
			lines[kind] = append(lines[kind], line)
			text = buildkitLog(r, append(pre, line), true)
		case x < 50: // a failure of its own, seen once
			var w []string
			for j := 0; j < 4+r.Intn(5); j++ {
				w = append(w, pseudoWord(r))
			}
			text = buildkitLog(r, append(pre, "error: "+strings.Join(w, " ")), true)
		case x < 75: // a failure a rule explains
			text = buildkitLog(r, append(pre, explainedLines[r.Intn(len(explainedLines))](r)), true)
		default: // a build that succeeds, with alarming lines
			text = buildkitLog(r, append(pre, "WARNING: Running pip as the 'root' user can result in broken permissions", "0 errors, 2 warnings"), false)
		}
		if kind >= 0 {
			kinds[name] = kind
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return kinds, lines
}

// TestClusterCorpus generates 1,000 logs mixing 20 failures no rule knows
// with noise, and checks that cluster recovers the 20, that every group is
// pure, that the groups cover the failures, and that each draft rule lints
// clean and matches every line of its failure.
func TestClusterCorpus(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	kinds, lines := corpus(t, dir, 1000)
	o := triage(t, nil, "", "cluster", "--format", "json", "--progress", "never", "--drafts", filepath.Join(dir, "drafts.yaml"), dir)
	if o.code != exitOK {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	var rep clusterReport
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// Purity: the share of clustered builds that belong to their group's
	// majority kind. Coverage: the share of the kinds' builds found in the
	// group of their kind. Membership comes from the groups themselves.
	files, err := expandLogs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	m := patterns.Default()
	cfg, err := parseClusterConfig([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	inner, errs := clusterLogs(m, cfg, files, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if diff := cmp.Diff(len(rep.Clusters), len(inner.Clusters)); diff != "" {
		t.Fatalf("groups of the command and of clusterLogs differ: %s", diff)
	}
	found := map[int]int{} // kind → group rank
	members, majority, covered := 0, 0, 0
	for _, c := range inner.Clusters {
		count := map[int]int{}
		for _, key := range c.keys {
			k, ok := kinds[files[key>>20]]
			if !ok {
				k = -1
			}
			count[k]++
		}
		best, bestN := -1, 0
		for k, n := range count {
			if n > bestN || n == bestN && k > best {
				best, bestN = k, n
			}
		}
		members += len(c.keys)
		majority += bestN
		if best >= 0 {
			if r, dup := found[best]; dup {
				t.Errorf("kind %s is split over groups %d and %d", unexplainedKinds[best].name, r, c.Rank)
			}
			found[best] = c.Rank
			covered += bestN
		}
	}
	purity := float64(majority) / float64(max(members, 1))
	coverage := float64(covered) / float64(max(len(kinds), 1))
	t.Logf("%d logs, %d failed builds, %d unexplained; %d groups; purity %.3f, coverage %.3f (%d of %d); %v",
		rep.Logs, rep.FailedBuilds, rep.Unexplained, len(rep.Clusters), purity, coverage, covered, len(kinds), time.Since(start).Round(time.Millisecond))
	if len(rep.Clusters) != len(unexplainedKinds) || len(found) != len(unexplainedKinds) {
		for _, c := range rep.Clusters {
			t.Logf("group %d: %d builds: %s", c.Rank, c.Builds, c.Template)
		}
		t.Errorf("%d groups, %d kinds recovered; want %d", len(rep.Clusters), len(found), len(unexplainedKinds))
	}
	if purity < 1 || coverage < 0.99 {
		t.Errorf("purity %.3f, coverage %.3f; want 1 and at least 0.99", purity, coverage)
	}

	// The drafts lint clean over the default catalog...
	var out, errOut bytes.Buffer
	if code := runLint([]string{filepath.Join(dir, "drafts.yaml")}, &out, &errOut, func(string) string { return "" }); code != exitOK {
		t.Errorf("lint of the drafts: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	// ...and each matches every line of its kind.
	drafts, err := classify.CompileFiles(&classify.Catalog{}, []string{filepath.Join(dir, "drafts.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	for k, rank := range found {
		id := rep.Clusters[rank-1].ID
		for _, line := range lines[k] {
			if !fires(drafts, line, id) {
				t.Errorf("draft %s (pattern %s) does not match %q", id, rep.Clusters[rank-1].Pattern, line)
				break
			}
		}
	}
}

// fires reports whether rule id matches line.
func fires(m *classify.Matcher, line, id string) bool {
	for _, tr := range m.Explain(line).Traces {
		if tr.Rule == id && tr.Fired() {
			return true
		}
	}
	return false
}

// TestCorpusKindsUnexplained checks the generator: the default catalog
// explains none of the 20 failures, and each is its build's best
// unexplained line.
func TestCorpusKindsUnexplained(t *testing.T) {
	m := patterns.Default()
	r := rand.New(rand.NewSource(2))
	for _, k := range unexplainedKinds {
		line := k.line(r)
		rep, err := m.Classify(t.Context(), strings.NewReader(buildkitLog(r, []string{quietChatter(r), line}, true)))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Primary != nil && rep.Primary.ID != "build_step_failed" || len(rep.Unexplained) == 0 || !strings.HasSuffix(rep.Unexplained[0].Text, line) {
			top := ""
			if len(rep.Unexplained) > 0 {
				top = rep.Unexplained[0].Text
			}
			t.Errorf("%s: primary %v, top unexplained line %q; want %q", k.name, rep.Primary, top, line)
		}
	}
}

// TestClusterGolden runs cluster on 60 logs of the generated corpus kept in
// testdata/cluster/logs (-update writes them again), in text and JSON, and
// writes the drafts.
func TestClusterGolden(t *testing.T) {
	dir := filepath.Join("testdata", "cluster", "logs")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		corpus(t, dir, 60)
	}
	drafts := filepath.Join(t.TempDir(), "drafts.yaml")
	for _, f := range []struct{ format, file string }{{"text", "want.txt"}, {"json", "want.json"}} {
		o := triage(t, nil, "", "cluster", "--format", f.format, "--progress", "never", "--drafts", drafts, dir)
		if o.code != exitOK || o.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", f.format, o.code, o.stderr)
		}
		goldenCluster(t, f.file, o.stdout)
	}
	data, err := os.ReadFile(drafts)
	if err != nil {
		t.Fatal(err)
	}
	goldenCluster(t, "drafts.yaml", string(data))
	var out, errOut bytes.Buffer
	if code := runLint([]string{drafts}, &out, &errOut, func(string) string { return "" }); code != exitOK {
		t.Errorf("lint of the drafts: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

func goldenCluster(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "cluster", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestClusterUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"cluster"}, "at least one log folder or file"},
		{[]string{"cluster", "--top", "9", "x"}, "--top must be from 1 to 5"},
		{[]string{"cluster", "--similarity", "1.5", "x"}, "--similarity must be from 0 to 1"},
		{[]string{"cluster", "--depth", "2", "x"}, "--depth must be at least 3"},
		{[]string{"cluster", "testdata/cluster/nothere"}, "nothere"},
	} {
		o := triage(t, nil, "", c.args...)
		if o.code != exitFailure || !strings.Contains(o.stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, o.code, o.stderr, c.msg)
		}
	}
	if o := triage(t, nil, "", "cluster", "-h"); o.code != exitOK || !strings.Contains(o.stdout, "--similarity") {
		t.Errorf("cluster -h: exit %d, %q", o.code, o.stdout)
	}
}

// TestBatchProgress checks the status line of eval and cluster on a
// terminal: drawn, then erased.
func TestBatchProgress(t *testing.T) {
	defer func(d time.Duration, f func(io.Writer) bool) { progressDelay, isTerminal = d, f }(progressDelay, isTerminal)
	progressDelay, isTerminal = 0, func(io.Writer) bool { return true }
	o := triage(t, nil, "", "cluster", "testdata/cluster/logs")
	if !strings.Contains(o.stderr, "\r\x1b[Ktriage cluster: ") || !strings.HasSuffix(o.stderr, "\r\x1b[K") {
		t.Errorf("stderr %q: want a status line, erased", o.stderr)
	}
	o = triage(t, map[string]string{"CI": "true"}, "", "cluster", "testdata/cluster/logs")
	if o.stderr != "" {
		t.Errorf("CI set: stderr %q, want none", o.stderr)
	}
}

// TestClusterFixtureDrafts drafts a rule for every unexplained failure of
// the fixtures: the catalog file lints clean, with the drafts lint would
// warn about commented out.
func TestClusterFixtureDrafts(t *testing.T) {
	drafts := filepath.Join(t.TempDir(), "drafts.yaml")
	o := triage(t, nil, "", "cluster", "--min-builds", "1", "--top", "2", "--progress", "never", "--drafts", drafts, "../../fixtures")
	if o.code != exitOK {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	var out, errOut bytes.Buffer
	if code := runLint([]string{drafts}, &out, &errOut, func(string) string { return "" }); code != exitOK {
		data, _ := os.ReadFile(drafts)
		t.Errorf("lint of the drafts: exit %d\n%s%s\n%s", code, out.String(), errOut.String(), data)
	}
}
