package patterns

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"io"
	"io/fs"
	"sync"

	"github.com/buildlog/buildlog/classify"
)

// The default catalog is also embedded parsed (catalog.snapshot: a header
// with the hash of the YAML files it was made from, then the catalog as
// classify.Catalog.MarshalBinary encodes it), because parsing the YAML is
// most of a program's start-up. It is not compressed: decompressing would
// cost half of what the snapshot saves, and git stores small changes to
// uncompressed data as small deltas. It is used only while its hash is
// that of the embedded YAML: after an edit of a YAML file the catalog is
// parsed, correct but slower, until the snapshot is made again with
//
//	go test ./patterns -run TestSnapshot -update-snapshot
//
// (TestSnapshot fails until then).

//go:embed catalog.snapshot
var snapshot []byte

const snapshotMagic = "buildlog catalog snapshot\n"

// sourceHash hashes the names and contents of the catalog's YAML files.
func sourceHash() ([]byte, error) {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, n := range names { // fs.Glob sorts
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return nil, err
		}
		io.WriteString(h, n)
		h.Write([]byte{0})
		h.Write(b)
		h.Write([]byte{0})
	}
	return h.Sum(nil), nil
}

// yamlHash is sourceHash, once: the embedded files never change.
var yamlHash = sync.OnceValues(sourceHash)

// fromSnapshot decodes the embedded snapshot when it was made from the
// embedded YAML; nil otherwise.
func fromSnapshot(data []byte) *classify.Catalog {
	rest, ok := bytes.CutPrefix(data, []byte(snapshotMagic))
	if !ok || len(rest) < sha256.Size {
		return nil
	}
	sum, err := yamlHash()
	if err != nil || !bytes.Equal(sum, rest[:sha256.Size]) {
		return nil
	}
	c := &classify.Catalog{}
	if c.UnmarshalBinary(rest[sha256.Size:]) != nil {
		return nil
	}
	return c
}

// makeSnapshot encodes c, parsed from the embedded YAML, as a snapshot.
func makeSnapshot(c *classify.Catalog) ([]byte, error) {
	raw, err := c.MarshalBinary()
	if err != nil {
		return nil, err
	}
	sum, err := sourceHash()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(snapshotMagic)
	b.Write(sum)
	b.Write(raw)
	return b.Bytes(), nil
}
