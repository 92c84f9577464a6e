// Package dockerfilediff holds only tests: a differential test that parses
// a corpus of Dockerfiles with envcheck's small hand-written parser and with
// BuildKit's reference parser, and compares what both saw.
package dockerfilediff
