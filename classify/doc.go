// Package classify tells why a container-image build failed by matching its
// log against a catalog of known failure signatures.
//
// # Pipeline
//
// Three visible steps, as in text/template — parse, compile, scan:
//
//	cat, err := classify.ParseCatalog("my.yaml", data) // or LoadCatalog, LoadFiles; Merge to combine
//	m, err := classify.Compile(cat)                     // validate, compile, build the prefilter
//	report, err := m.Classify(ctx, r)                   // or m.Scan(ctx, r), or m.NewSession()
//
// CompileFiles does the first two for a user's files over a base catalog in
// one call, reporting every problem at once. A Matcher is immutable and safe
// for concurrent use: Compile copies the catalog it is given. All the state of
// one log lives in a Session, which Scan and Classify create for you.
//
// Inside, a line flows one way through stages, one file each: the detector
// (detect.go) splits it at bare carriage returns, normalises each segment
// once (normalize.go), notes build steps, runs the prefilter (prefilter.go)
// and only the patterns it lets through, and records segments and events;
// the session (session.go) applies them in line order — steps, multi-line
// windows, context, the last lines of each step kept as candidate error
// lines (with the detector's normalised text, to score them if the build
// fails) — and never splits or normalises a line again; the
// finisher (finish.go) masks what an issue carries from the log, then cuts
// it, then renders the remediation; the Ranker (rank.go) deduplicates and
// chooses the root cause. Explain is the same detector with a trace hook,
// and Check runs the catalog's examples through the same session.
//
// # Catalog
//
// A catalog file is YAML (schema 1). Unknown keys, wrong types, duplicate
// keys and ids, invalid values, bad patterns, undefined definitions or
// template fields and suppression cycles are errors that name file, line and
// column; every problem is reported at once in an ErrorList. Examples run
// in Matcher.Check, or in Compile when given WithExamples. A file may also
// disable rules of an earlier catalog (disable: [id]), replace one
// (override: true) or change part of one (patch: true, with only the keys to
// change; see Rule.Patch).
//
//	schema: 1
//	definitions:            # reusable sub-patterns, written {{name}} in patterns
//	  pkg: '[A-Za-z0-9][A-Za-z0-9._=<>!~-]*'
//	ignore:                 # noise lines that no rule may match, in every rule
//	  - '^\+ echo '
//	rules:
//	  - id: pip_no_matching_distribution   # stable snake_case id
//	    group: pip                         # tool or stage
//	    title: pip found no version that satisfies a requirement
//	    severity: error                    # error (default), warning or info
//	    priority: 60                       # higher wins the primary slot
//	    patterns:                          # alternatives; named groups become fields
//	      - 'No matching distribution found for (?<package>{{pkg}})'
//	      - pattern: 'Could not find a version that satisfies the requirement (?<package>{{pkg}})'
//	        literals: ['satisfies the requirement']   # this pattern's prefilter literals
//	    exclude: ['\[ignored\]']           # vetoes a match on the same line
//	    remediation: Check the name and version of {{package|the package}}.
//	    links: [https://pip.pypa.io/en/stable/cli/pip_install/]
//	    retry: permanent                   # transient, permanent or unknown
//	    suppresses: [pip]                  # ids or groups this root cause hides
//	    context: {before: 2, after: 1}     # raw lines kept around the match
//	    examples:
//	      match:
//	        - 'ERROR: No matching distribution found for numpy==9.9'
//	        - text: '#8 12.30 ERROR: Could not find a version that satisfies the requirement torch==2.99'
//	          fields: {package: torch==2.99}
//	      no_match:
//	        - 'WARNING: Retrying (Retry(total=4, connect=None))'
//	  - id: conda_package_not_found
//	    group: conda
//	    title: conda could not find packages
//	    patterns: ['PackagesNotFoundError: The following packages are not available']
//	    collect:                           # gather the following lines into a list field
//	      pattern: '^\s+-\s+(?<spec>\S+)'
//	      field: packages                  # also joined with ", " in fields
//	      max: 20
//	      within: 20
//	    unless:                            # drop the match if this follows: it was retried
//	      pattern: 'Retrying with flexible solve'
//	      within: 2
//	    remediation: Fix or remove {{packages|the packages listed}}.
//	    examples:
//	      match:
//	        - "PackagesNotFoundError: The following packages are not available from current channels:\n\n  - numpy=9.9\n"
//
// A rule's sequence (later lines that must follow, each within N lines of
// the previous) makes it multi-line; a pattern written as a mapping can have
// its own sequence ([] for a single-line alternative).
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
// Credentials that builds print are masked in everything an issue carries,
// before anything is cut to length (see WithoutRedaction).
//
// # Ranking
//
// A Report deduplicates issues (same rule, same fields: one issue with a
// Count), marks issues hidden by a root cause found in the same log
// (Issue.SuppressedBy), leaves out fallback rules when anything more specific
// was found, and chooses one Primary issue: the unsuppressed error of highest
// priority, the earliest among equals.
//
// # Outcome
//
// A Report also says how the build ended (Report.Outcome: succeeded,
// failed, cancelled or unknown), from the catalog's outcome markers: rules
// with an outcome key, usually with issue: false (patterns/outcome.yaml).
// Several builds in one log are Report.Builds, each issue names its Build,
// and within a build cancelled wins over failed and failed over succeeded. On
// a build that succeeded, error issues are Recovered: listed, never primary,
// unless their rule has keep_on_success. When a build failed and nothing
// more specific than a fallback explains it, Report.Unexplained holds its
// most likely error lines (at most MaxUnexplained), found without rules in
// the last lines of each step, kept in the same pass and in bounded memory,
// each with a score and a Fingerprint.
//
// # Errors
//
// Catalog errors are *CatalogError values, collected in an ErrorList, each
// wrapping a sentinel such as ErrInvalidPattern. A scan stops only for a read
// error (reported with its line number) or a cancelled context (ctx.Err(),
// unchanged); issues found before are kept. A regular expression that times
// out on a line is a Warning in the Report, and the scan goes on.
package classify
