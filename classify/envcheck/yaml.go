package envcheck

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYAML reads YAML (or JSON, which is YAML) into a node tree, refusing
// aliases, deep nesting and duplicate keys. It returns the document's root
// value node.
func parseYAML(file string, b []byte) (*yaml.Node, error) {
	if err := flowDepth(file, b); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		p := Pos{File: file}
		var line int
		if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
			p.Line, p.Column = line, 1
			msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
		}
		return nil, &Error{Pos: p, Msg: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}, nil
	}
	root := doc.Content[0]
	if err := walkYAML(file, root, 0); err != nil {
		return nil, err
	}
	return root, nil
}

// flowDepth refuses bracket nesting deeper than MaxNestingDepth before the
// YAML parser sees it.
func flowDepth(file string, b []byte) error {
	depth := 0
	var quote byte
	for i, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\n' && quote == '\'' {
				// single quotes may span lines; keep going
			}
		case c == '"':
			quote = c
		case c == '[' || c == '{':
			depth++
			if depth > MaxNestingDepth {
				return refuse(posAt(file, b, i), "nesting deeper than %d levels", MaxNestingDepth)
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		case c == '#':
			// a comment runs to the end of the line, unless inside a word
			if i == 0 || b[i-1] == ' ' || b[i-1] == '\n' || b[i-1] == '\t' {
				for i < len(b) && b[i] != '\n' {
					i++
				}
			}
		}
	}
	return nil
}

func walkYAML(file string, n *yaml.Node, depth int) error {
	if depth > MaxNestingDepth {
		return refuse(Pos{file, n.Line, n.Column}, "nesting deeper than %d levels", MaxNestingDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return refuse(Pos{file, n.Line, n.Column}, "YAML anchors and aliases are not accepted in a definition")
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if l, ok := seen[k.Value]; ok {
				return &Error{Pos: Pos{file, k.Line, k.Column}, Msg: fmt.Sprintf("key %q already defined at line %d", k.Value, l)}
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := walkYAML(file, c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// get returns the value node of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// getAny returns the first of the keys present (camelCase or snake_case).
func getAny(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if v := get(m, k); v != nil {
			return v
		}
	}
	return nil
}

// keyNode returns the key node of key in m, or nil.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// str returns a scalar's text, or "" for anything else.
func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// empty is true for null, "", [], {} and false.
func empty(n *yaml.Node) bool {
	if isNull(n) {
		return true
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value == "" || (n.Tag == "!!bool" && (n.Value == "false" || n.Value == "False"))
	case yaml.SequenceNode, yaml.MappingNode:
		return len(n.Content) == 0
	}
	return false
}

func npos(file string, n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: file, Line: 1, Column: 1}
	}
	return Pos{File: file, Line: n.Line, Column: n.Column}
}
