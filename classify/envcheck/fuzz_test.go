package envcheck

import (
	"testing"
	"time"
)

// fuzzOne parses and checks data as one kind, and fails when that takes
// longer than a second (the parsers are linear; nothing may hang).
func fuzzOne(t *testing.T, name string, k Kind, b []byte) {
	start := time.Now()
	d := Parse(name, k, b)
	fs := d.CheckWith(Options{Now: testNow})
	for _, f := range fs {
		if f.ID == "" || f.File == "" {
			t.Fatalf("finding without id or file: %+v", f)
		}
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("%d bytes took %v", len(b), el)
	}
}

func FuzzDockerfile(f *testing.F) {
	for _, s := range []string{
		"FROM python:3.12\nRUN pip install a<2 \\\n  b>=1\n",
		"# escape=`\nFROM x\nRUN a `\n b\n",
		"FROM a AS b\nCOPY <<EOF /x\nhi\nEOF\nRUN <<-'E1' <<E2\nx\nE1\ny\nE2\n",
		"ARG B=ubuntu\nARG T\nFROM ${B}:${T:-24.04}\nFROM $B\n",
		"\xef\xbb\xbfFROM x\n",
		"FROM x\nRUN [\"a\", \"b\"]\nCMD [\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, "fuzz/Dockerfile", KindDockerfile, b) })
}

func FuzzRequirements(f *testing.F) {
	for _, s := range []string{
		"numpy==1\n-r x.txt\n--index-url https://x\npkg[a,b]>=1,<2; python_version<'3.9'\n",
		"a=1\nb \\\n==2 # c\n  # d\ngit+https://x@y#egg=z\n",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, "fuzz/requirements.txt", KindRequirements, b) })
}

func FuzzConda(f *testing.F) {
	for _, s := range []string{
		"name: x\nchannels: [conda-forge, defaults]\ndependencies:\n  - python=3.12\n  - a >=1,<2\n  - b=1=py*\n  - c::d[build=x]\n  - pip:\n    - e==1\n",
		"dependencies: [python==, \"x>=1,\", 3.1]\n",
		"a: &a [1]\nb: *a\n",
		"dependencies:\n  - {npm: [x]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, "fuzz/conda.yml", KindConda, b) })
}

func FuzzEnvV2(f *testing.F) {
	for _, s := range []string{
		"$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: AzureML-x\nimage: a\nbuild: {path: ctx}\nconda_file: {dependencies: [python=3.8]}\n",
		"name: e\nconda_file: ../x.yml\nversion: 1.10\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, "fuzz/env.yml", KindEnvV2, b) })
}

func FuzzEnvV1(f *testing.F) {
	for _, s := range []string{
		`{"name": "x", "environmentVariables": {"A": "1"}, "python": {"userManagedDependencies": false, "condaDependencies": {"dependencies": ["python=3.8", {"pip": ["a=1"]}]}}, "docker": {"baseImage": "a", "baseDockerfile": "FROM b", "buildContext": {"locationType": "git", "location": "x"}, "baseImageRegistry": {"username": "u", "password": "p", "registryIdentity": {"clientId": "c"}}, "enabled": true}, "r": {"githubPackages": [{"authToken": "t"}]}}`,
		`{"name": null, "docker": null}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, "fuzz/azureml_environment.json", KindEnvV1, b) })
}
