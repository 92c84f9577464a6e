package classify

import "strings"

// A remediation template is plain text with {{name}} for a captured field
// and {{name|text}} for a field with a default, used when the field was not
// captured or is empty. Braces that do not form {{…}} are plain text.

type tmplPart struct {
	text  string // literal text, when field is empty
	field string
	def   string
}

// parseTemplate splits s into parts and returns the field names that are not
// in known.
func parseTemplate(s string, known map[string]bool) (parts []tmplPart, undefined []string) {
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			break
		}
		if i > 0 {
			parts = append(parts, tmplPart{text: s[:i]})
		}
		ref := s[i+2 : i+2+j]
		var def string
		if k := strings.IndexByte(ref, '|'); k >= 0 {
			ref, def = ref[:k], ref[k+1:]
		}
		ref = strings.TrimSpace(ref)
		if !known[ref] {
			undefined = append(undefined, ref)
		}
		parts = append(parts, tmplPart{field: ref, def: def})
		s = s[i+2+j+2:]
	}
	if s != "" {
		parts = append(parts, tmplPart{text: s})
	}
	return parts, undefined
}

// render fills the template with fields.
func render(parts []tmplPart, fields map[string]string) string {
	var b strings.Builder
	for _, p := range parts {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		if v := fields[p.field]; v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(p.def)
		}
	}
	return strings.TrimSpace(b.String())
}
