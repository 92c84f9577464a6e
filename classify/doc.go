// Package classify tells why a container-image build failed by matching its
// log against a catalog of known failure signatures.
//
// # Pipeline
//
// Three visible steps, as in text/template:
//
//	cat, err := classify.ParseCatalog("my.yaml", data)  // or LoadCatalog(fsys, "*.yaml"); Merge to combine
//	m, err := classify.Compile(cat)                      // validate, run examples, build the prefilter
//	report, err := m.Classify(ctx, r)                    // or m.Scan(ctx, r), or m.NewSession()
//
// A Matcher is immutable and safe for concurrent use; all the state of one log
// lives in a Session, which Scan and Classify create for you.
//
// # Catalog
//
// A catalog file is YAML (schema 1). Unknown keys, wrong types, duplicate
// keys and ids, bad patterns, undefined definitions or template fields,
// suppression cycles and failing examples are errors that name file, line
// and column; every problem is reported at once in an ErrorList.
//
//	schema: 1
//	definitions:            # reusable sub-patterns, written {{name}} in patterns
//	  pkg: '[A-Za-z0-9][A-Za-z0-9._-]*'
//	ignore:                 # noise lines that no rule may match
//	  - '^WARNING: Retrying'
//	disable: [some_rule]    # remove a rule defined by an earlier catalog
//	rules:
//	  - id: pip_no_matching_distribution   # stable snake_case id
//	    group: pip                         # tool or stage
//	    title: pip found no version that satisfies a requirement
//	    severity: error                    # error (default), warning or info
//	    priority: 60                       # higher wins the primary slot
//	    patterns:                          # alternatives; named groups become fields
//	      - 'No matching distribution found for (?<package>{{pkg}})'
//	    literals: ['no matching distribution']  # optional: prefilter literals
//	    exclude: ['\[ignored\]']           # vetoes a match on the same line
//	      - pattern: 'Connection broken: (?<why>\w+)'  # a pattern with settings of its own:
//	        literals: ['connection broken']             #   its prefilter literals
//	        sequence: []                                #   its own steps ([] = single-line)
//	    sequence:                          # optional: later lines, in order
//	      - pattern: '...'
//	        within: 3                      # at most 3 lines after the previous step
//	    collect:                           # optional: gather following lines
//	      pattern: '^\s+-\s+(?<spec>\S+)'
//	      field: packages                  # list field; also joined with ", " in fields
//	      max: 20
//	      within: 20
//	    unless:                            # optional: drop the match if this follows
//	      pattern: 'Will retry in \d+ seconds?'
//	      within: 2
//	    remediation: Check the name and version of {{package}} ...  # {{name|default}} too
//	    links: [https://pip.pypa.io/]
//	    retry: permanent                   # transient, permanent or unknown
//	    suppresses: [pip_install_failed]   # ids or groups this root cause hides
//	    fallback: false                    # true: reported only if nothing specific is found
//	    context: {before: 2, after: 2}     # raw lines kept around the match
//	    override: false                    # true: replaces an earlier rule with this id
//	    examples:
//	      match:
//	        - 'ERROR: No matching distribution found for numpy==9.9'
//	        - text: "a line or several lines"
//	          fields: {package: numpy}
//	      no_match:
//	        - 'WARNING: Retrying (Retry(total=4 ...'
//
// Patterns use regexp2's syntax in its RE2-compatible mode: Go's regexp
// syntax plus lookaround, atomic groups and backreferences. Every match runs
// under a timeout (WithMatchTimeout).
//
// # Matching a line
//
// The log is read line by line; a line is never a reason to stop, however
// long (WithMaxLineBytes cuts it and the report counts it). Line numbers are
// 1-based physical lines. Each line is split at bare carriage returns (a
// progress bar's rewrites) and each part is normalised before matching (see
// Normalize): ANSI escapes and their ESC-less remnants, timestamps and
// BuildKit prefixes are removed. Issues keep the raw text as evidence.
//
// A prefilter finds, in one pass over the normalised line, the patterns whose
// required literals it contains; literals are taken from each pattern's
// syntax tree (or from the rule's literals key) and compared ignoring ASCII
// case. Only those patterns run, so ordinary lines touch no regular
// expression. A pattern without a literal of four or more bytes runs on
// every line and is reported by Matcher.Warnings.
//
// Docker build steps are tracked ("Step 3/12 : RUN …", BuildKit "#8 [2/5]
// RUN …", including interleaved BuildKit output) and each issue names its
// step.
//
// Matching a line needs no state of the log, so large inputs are matched by
// several workers (WithWorkers) while one goroutine applies their findings
// in line order: multi-line rules, context and steps see exactly what a
// sequential scan sees.
//
// Credentials that builds print are masked in everything an issue carries
// (see WithoutRedaction).
//
// # Ranking
//
// A Report deduplicates issues (same rule, same fields: one issue with a
// Count), marks issues hidden by a root cause found in the same log
// (Issue.SuppressedBy), leaves out fallback rules when anything more specific
// was found, and chooses one Primary issue: the unsuppressed error of highest
// priority, the earliest among equals.
//
// # Errors
//
// Catalog errors are *CatalogError values, collected in an ErrorList, each
// wrapping a sentinel such as ErrInvalidPattern. A scan stops only for a read
// error (reported with its line number) or a cancelled context (ctx.Err(),
// unchanged); issues found before are kept. A regular expression that times
// out on a line is a Warning in the Report, and the scan goes on.
package classify
