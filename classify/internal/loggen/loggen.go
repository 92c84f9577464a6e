// Package loggen writes deterministic, realistic container-build logs for
// benchmarks and stress tests: Docker and BuildKit step lines, pip, conda and
// apt chatter, compiler lines, progress bars rewritten with \r, ANSI colour,
// timestamps, lines that look like errors but are not, and about one real
// failure per 10,000 lines.
package loggen

import (
	"fmt"
	"io"
)

// Failures are the real failure lines the generator mixes in.
var Failures = []string{
	"ERROR: No matching distribution found for tensorflow==2.99.0",
	"E: Unable to locate package libfoo-dev",
	"Killed",
	"OSError: [Errno 28] No space left on device",
	"src/module.c:41:10: fatal error: Python.h: No such file or directory",
	"ModuleNotFoundError: No module named 'torchvision'",
	"/bin/sh: 1: nvcc: not found",
	"make: *** [Makefile:23: all] Error 2",
	"fatal: unable to access 'https://github.com/org/repo.git/': Could not resolve host: github.com",
	"curl: (22) The requested URL returned error: 404",
	"Could not solve for environment specs",
	"The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
}

// Options shape the generated log.
type Options struct {
	// FailureEvery puts a failure line every so many lines (0: 10,000).
	FailureEvery int
	// LongLines adds a line of this many bytes without separators every
	// LongEvery lines (0: none).
	LongLines, LongEvery int
}

// Writer produces the log. It is deterministic: the same options give the
// same bytes.
type Writer struct {
	opt  Options
	n    int
	rand uint64
	buf  []byte
}

// New returns a generator.
func New(opt Options) *Writer {
	if opt.FailureEvery == 0 {
		opt.FailureEvery = 10000
	}
	return &Writer{opt: opt, rand: 0x9E3779B97F4A7C15}
}

func (w *Writer) next() uint64 {
	w.rand ^= w.rand << 13
	w.rand ^= w.rand >> 7
	w.rand ^= w.rand << 17
	return w.rand
}

var pkgs = []string{"numpy", "pandas", "scipy", "torch", "scikit-learn", "requests", "azureml-core", "protobuf", "grpcio", "pyarrow"}

// Line appends the next line, with its newline, to b.
func (w *Writer) Line(b []byte) []byte {
	w.n++
	if w.n%w.opt.FailureEvery == 0 {
		f := Failures[(w.n/w.opt.FailureEvery)%len(Failures)]
		return append(append(b, f...), '\n')
	}
	if w.opt.LongEvery > 0 && w.n%w.opt.LongEvery == 0 {
		return w.long(b)
	}
	r := w.next()
	p := pkgs[r%uint64(len(pkgs))]
	v := int(r>>8) % 30
	vtx := 5 + int(r>>16)%12
	sec := float64(int(r>>20)%30000) / 100
	switch r >> 40 % 24 {
	case 0:
		// A build has a few steps, so step headers are rare lines: one
		// in a few hundred.
		if v%20 != 0 {
			return fmt.Appendf(b, "#%d %.2f   Created wheel for %s: filename=%s-1.%d.0-py3-none-any.whl size=%d sha256=%016x\n", vtx, sec, p, p, v, v*1013, r)
		}
		return fmt.Appendf(b, "Step %d/14 : RUN pip install %s==1.%d.0\n", 1+v%14, pkgs[v%14%len(pkgs)], v%14)
	case 1:
		if v%20 != 0 {
			return fmt.Appendf(b, "#%d %.2f Unpacking lib%s%d:amd64 (3.0.%d-1) over (3.0.%d-0) ...\n", vtx, sec, p, v, v, v)
		}
		return fmt.Appendf(b, "#%d [%d/9] RUN conda env create -f environment.yml\n", vtx, 1+vtx%9)
	case 2:
		return fmt.Appendf(b, "#%d %.2f Collecting %s==1.%d.0\n", vtx, sec, p, v)
	case 3:
		return fmt.Appendf(b, "#%d %.2f   Downloading %s-1.%d.0-cp311-cp311-manylinux_2_17_x86_64.whl (%d.%d MB)\n", vtx, sec, p, v, v, v%10)
	case 4:
		// a progress bar rewritten in place
		b = fmt.Appendf(b, "#%d %.2f ", vtx, sec)
		for i := 0; i <= 4; i++ {
			b = fmt.Appendf(b, "\r     |%-32s| %d.%d MB %d.%d MB/s eta 0:00:0%d", bar(i*8), v+i, i, 40+i, v%10, 4-i)
		}
		return append(b, '\n')
	case 5:
		return fmt.Appendf(b, "Get:%d http://deb.debian.org/debian bookworm/main amd64 lib%s%d amd64 3.0.%d-1~deb12u2 [2,%03d kB]\n", v, p, v, v, v*31)
	case 6:
		return fmt.Appendf(b, "Setting up lib%s%d:amd64 (3.0.%d-1~deb12u2) ...\n", p, v, v)
	case 7:
		return fmt.Appendf(b, "debconf: delaying package configuration, since apt-utils is not installed\n")
	case 8:
		return fmt.Appendf(b, "gcc -pthread -Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -fPIC -Werror=format-security -I/usr/include/python3.11 -c src/%s_%d.c -o build/temp.linux-x86_64-3.11/src/%s_%d.o\n", p, v, p, v)
	case 9:
		return fmt.Appendf(b, "src/%s_%d.c:%d:%d: warning: unused variable 'tmp' [-Wunused-variable]\n", p, v, v*7, v%40)
	case 10:
		return fmt.Appendf(b, "\x1b[1m\x1b[32m   Compiling\x1b[0m %s-sys v0.%d.%d\n", p, v, v%7)
	case 11:
		return fmt.Appendf(b, "2024-05-%02dT10:%02d:%02d.%07dZ   Using cached %s-1.%d.0-py3-none-any.whl (%d kB)\n", 1+v%28, v%60, v*2%60, int(r>>24)%10000000, p, v, v*37)
	case 12:
		// conda prints its solver status a few times per environment, not
		// on every other line
		if v%10 != 0 {
			return fmt.Appendf(b, "  Stored in directory: /root/.cache/pip/wheels/%02x/%02x/%s\n", v, v*7%256, p)
		}
		if v%20 == 0 {
			return fmt.Appendf(b, "Collecting package metadata (repodata.json): done\n")
		}
		return fmt.Appendf(b, "Solving environment: done\n")
	case 13:
		return fmt.Appendf(b, "    %-24s|  py311h64a7726_%d  %d.%d MB  conda-forge\n", fmt.Sprintf("%s-1.%d.0", p, v), v%3, v, v%10)
	case 14:
		return fmt.Appendf(b, "tests/test_%s.py::test_error_handling_%d PASSED                 [%3d%%]\n", p, v, v*3)
	case 15:
		return fmt.Appendf(b, "INFO build summary: error_count=0 warning_count=%d elapsed=%.2fs\n", v, sec)
	case 16:
		return fmt.Appendf(b, "  %dK .......... .......... .......... .......... .......... %d%% %d.%dM 1s\n", v*50, v*3, v, v%10)
	case 17:
		return fmt.Appendf(b, "Successfully installed %s-1.%d.0 six-1.16.0 python-dateutil-2.9.0\n", p, v)
	case 18:
		return fmt.Appendf(b, "#%d DONE %.1fs\n", vtx, sec)
	case 19:
		return fmt.Appendf(b, " ---> Running in %012x\n", r&0xffffffffffff)
	case 20:
		return fmt.Appendf(b, "Requirement already satisfied: %s>=1.%d in /opt/conda/lib/python3.11/site-packages (from -r requirements.txt (line %d))\n", p, v, v%9+1)
	case 21:
		return fmt.Appendf(b, "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager.\n")
	case 22:
		return fmt.Appendf(b, "[%d/%d] Building CXX object src/CMakeFiles/%s.dir/kernels/op_%d.cc.o\n", v, 120, p, v)
	default:
		return fmt.Appendf(b, "  Preparing metadata (setup.py): finished with status 'done' for %s\n", p)
	}
}

func bar(n int) string {
	const full = "################################"
	return full[:n]
}

// long appends a line of LongLines bytes without separators.
func (w *Writer) long(b []byte) []byte {
	const chunk = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
	for n := 0; n < w.opt.LongLines; n += len(chunk) {
		b = append(b, chunk...)
	}
	return append(b, '\n')
}

// WriteTo writes lines to dst until at least size bytes were written.
func (w *Writer) WriteTo(dst io.Writer, size int64) (int64, error) {
	var total int64
	for total < size {
		w.buf = w.buf[:0]
		for len(w.buf) < 64<<10 {
			w.buf = w.Line(w.buf)
		}
		n, err := dst.Write(w.buf)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Bytes returns a log of at least size bytes.
func Bytes(opt Options, size int) []byte {
	w := New(opt)
	b := make([]byte, 0, size+4096)
	for len(b) < size {
		b = w.Line(b)
	}
	return b
}

// Reader streams size bytes of log without holding them in memory.
type Reader struct {
	w    *Writer
	left int64
	buf  []byte
}

// NewReader returns a reader of about size bytes of generated log.
func NewReader(opt Options, size int64) *Reader { return &Reader{w: New(opt), left: size} }

func (r *Reader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.left <= 0 {
			return 0, io.EOF
		}
		r.buf = r.w.Line(r.buf[:0])
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.left -= int64(n)
	return n, nil
}
