package patterns

// For the snapshot test in package patterns_test.
var (
	ParseYAML    = parseYAML
	MakeSnapshot = makeSnapshot
	FromSnapshot = fromSnapshot
	Snapshot     = snapshot
	SourceHash   = sourceHash
)
