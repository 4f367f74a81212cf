package okh

import (
	"bytes"
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/dgml/dgml"
)

// Bounds of a manifest, checked before any YAML or TOML library builds a
// value from it. Real manifests are a few kilobytes, nest five or six
// levels and use no aliases; these bounds are many times that.
const (
	MaxDepth = 64 // nesting of tables, lists and mappings
	// MaxNodes bounds a YAML document's values once its aliases are
	// expanded: a few hundred bytes of nested aliases ("billion laughs")
	// would otherwise stand for billions of values.
	MaxNodes = 100_000
)

func tooDeep(file string, line int) error {
	return &dgml.Error{Kind: dgml.Invalid, File: file, Line: line, Msg: fmt.Sprintf("nested more than %d levels deep: a manifest is a few levels of tables and lists", MaxDepth)}
}

// checkYAML scans YAML text for its nesting — block indentation, "- "
// and "? " entries, and flow brackets — without building anything, and
// refuses it past MaxDepth, naming the line. Only then does the parser
// see it; its syntax tree (aliases unexpanded) is then measured with
// every alias expanded, and refused past MaxNodes.
func checkYAML(file string, data []byte) error {
	var (
		indents      []int // open block levels by their indentation
		flow         int   // open [ and { brackets
		quote        byte  // ' or " while inside a quoted scalar
		scalarIndent = -1  // inside a block scalar (| or >) of this parent indentation
	)
	for n, line := range bytes.Split(data, []byte("\n")) {
		lineNo := n + 1
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		rest := bytes.TrimRight(line[ind:], " \t\r")
		if scalarIndent >= 0 {
			if len(rest) == 0 || ind > scalarIndent {
				continue
			}
			scalarIndent = -1
		}
		if quote == 0 && flow == 0 {
			if len(rest) == 0 || rest[0] == '#' || bytes.Equal(rest, []byte("---")) || bytes.Equal(rest, []byte("...")) {
				continue
			}
			for len(indents) > 0 && indents[len(indents)-1] >= ind {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, ind)
			// "- - - x" and "? ? x" open a level each on one line.
			for len(rest) > 0 && (rest[0] == '-' || rest[0] == '?') && (len(rest) == 1 || rest[1] == ' ') {
				ind += 2
				indents = append(indents, ind)
				rest = bytes.TrimLeft(rest[1:], " ")
			}
			if len(indents) > MaxDepth {
				return tooDeep(file, lineNo)
			}
		}
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			switch {
			case quote == '"' && c == '\\':
				i++
			case quote != 0:
				if c == quote {
					if quote == '\'' && i+1 < len(rest) && rest[i+1] == '\'' {
						i++ // '' is a quote inside single quotes
					} else {
						quote = 0
					}
				}
			case c == '#' && (i == 0 || rest[i-1] == ' ' || rest[i-1] == '\t'):
				i = len(rest)
			case c == '"' || c == '\'':
				if i == 0 || bytes.IndexByte([]byte(" \t[{,:-?"), rest[i-1]) >= 0 {
					quote = c
				}
			case c == '[' || c == '{':
				flow++
				if flow+len(indents) > MaxDepth {
					return tooDeep(file, lineNo)
				}
			case c == ']' || c == '}':
				flow = max(0, flow-1)
			}
		}
		if quote == 0 && flow == 0 && blockScalar(rest) {
			scalarIndent = ind
		}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil // the decoder says what is wrong, with its line
	}
	m := &measure{sizes: map[string]int{}}
	for _, doc := range f.Docs {
		if m.size(doc.Body, 0) > MaxNodes {
			return &dgml.Error{Kind: dgml.Invalid, File: file, Line: m.line, Msg: fmt.Sprintf("its aliases expand to more than %d values: write the values out, or use fewer aliases", MaxNodes)}
		}
	}
	return nil
}

// blockScalar says whether a line's value starts a literal or folded
// block scalar ("key: |", "- >-"), whose following lines are text.
func blockScalar(rest []byte) bool {
	if i := bytes.Index(rest, []byte("#")); i >= 0 {
		rest = bytes.TrimRight(rest[:i], " \t")
	}
	j := len(rest)
	for j > 0 && bytes.IndexByte([]byte("+-0123456789"), rest[j-1]) >= 0 {
		j--
	}
	if j == 0 || (rest[j-1] != '|' && rest[j-1] != '>') {
		return false
	}
	return j == 1 || rest[j-2] == ' '
}

// measure counts a YAML syntax tree's values as a decoder would build
// them, each alias standing for its anchor's whole value; sizes are
// memoised per anchor, so the count costs the tree, not its expansion.
type measure struct {
	sizes map[string]int
	line  int // where the count passed MaxNodes
	total int
}

func (m *measure) size(n ast.Node, depth int) int {
	if n == nil || depth > 2*MaxDepth {
		return 0
	}
	over := func(k int) int {
		m.total += k
		if m.total > MaxNodes && m.line == 0 {
			m.line = n.GetToken().Position.Line
		}
		return k
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		k := m.size(v.Value, depth+1)
		name := v.Name.GetToken().Value
		m.sizes[name] = k
		return k
	case *ast.AliasNode:
		return over(m.sizes[v.Value.GetToken().Value])
	case *ast.MappingNode:
		k := over(1)
		for _, mv := range v.Values {
			k += m.size(mv, depth+1)
		}
		return k
	case *ast.MappingValueNode:
		return m.size(v.Key, depth+1) + m.size(v.Value, depth+1)
	case *ast.SequenceNode:
		k := over(1)
		for _, e := range v.Values {
			k += m.size(e, depth+1)
		}
		return k
	case *ast.TagNode:
		return m.size(v.Value, depth+1)
	case *ast.DocumentNode:
		return m.size(v.Body, depth+1)
	}
	return over(1)
}

// checkTOML scans TOML text for nesting — arrays, inline tables and
// dotted keys — outside strings and comments, and refuses it past
// MaxDepth, naming the line, before the decoder builds anything.
func checkTOML(file string, data []byte) error {
	depth, line := 0, 1
	keyDots, atKey := 0, true // dots in the key being read at the start of a line
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
			if depth == 0 {
				keyDots, atKey = 0, true
			}
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
		case c == '"' || c == '\'':
			end, lines, ok := tomlString(data, i)
			if !ok {
				return nil // unterminated: the decoder says where
			}
			line += lines
			i = end
		case c == '[' || c == '{':
			depth++
			if c == '{' {
				atKey = true // an inline table's keys may be dotted too
			}
			if depth+keyDots > MaxDepth {
				return tooDeep(file, line)
			}
		case c == ']' || c == '}':
			depth = max(0, depth-1)
		case c == '=':
			atKey = false
		case c == ',':
			if depth > 0 {
				atKey = true
			}
		case c == '.' && atKey:
			if keyDots++; depth+keyDots > MaxDepth {
				return tooDeep(file, line)
			}
		}
	}
	return nil
}

// tomlString finds the end of the string starting at data[i] (basic or
// literal, one line or multi-line), with the newlines it holds.
func tomlString(data []byte, i int) (end, lines int, ok bool) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	if multi {
		delim := []byte{q, q, q}
		for j := i + 3; j < len(data); j++ {
			if q == '"' && data[j] == '\\' {
				j++
				continue
			}
			if data[j] == '\n' {
				lines++
			}
			if bytes.HasPrefix(data[j:], delim) {
				// Up to two more quotes may close the string's content.
				k := j + 3
				for k < len(data) && k < j+5 && data[k] == q {
					k++
				}
				return k - 1, lines, true
			}
		}
		return 0, 0, false
	}
	if i+1 < len(data) && data[i+1] == q {
		return i + 1, 0, true // an empty string
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case data[j] == '\n':
			return 0, 0, false
		case q == '"' && data[j] == '\\':
			j++
		case data[j] == q:
			return j, 0, true
		}
	}
	return 0, 0, false
}
