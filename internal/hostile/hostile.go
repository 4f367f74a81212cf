// Package hostile makes the inputs an attacker sends a public node:
// small files that stand for enormous ones, nesting deep enough to
// exhaust a recursive parser, counts that lie about what follows. The
// parsers' own tests and the attack suite use the same payloads.
package hostile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// YAMLAliasBomb is the "billion laughs": levels of anchors, each a list
// of width aliases of the one before, under a manifest's name. A few
// hundred bytes stand for width^levels strings.
func YAMLAliasBomb(levels, width int) []byte {
	var b strings.Builder
	b.WriteString("name: laughs\nl0: &l0 [\"lol\"]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), width), ","))
	}
	return []byte(b.String())
}

// YAMLDeepFlow nests n flow lists in a manifest's description.
func YAMLDeepFlow(n int) []byte {
	return []byte("name: deep\ndescription: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n")
}

// YAMLDeepBlock nests n block mappings by indentation.
func YAMLDeepBlock(n int) []byte {
	var b strings.Builder
	b.WriteString("name: deep\n")
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	return []byte(b.String())
}

// YAMLDeepDashes nests n sequences on one line: "- - - - x".
func YAMLDeepDashes(n int) []byte {
	return []byte("name: deep\nparts:\n" + strings.Repeat("- ", n) + "x\n")
}

// TOMLDeepArray nests n arrays.
func TOMLDeepArray(n int) []byte {
	return []byte("name = \"deep\"\nkeywords = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n")
}

// TOMLDeepInline nests n inline tables.
func TOMLDeepInline(n int) []byte {
	return []byte("name = \"deep\"\nx = " + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n")
}

// TOMLDottedKey is one key of n dotted parts: n nested tables.
func TOMLDottedKey(n int) []byte {
	return []byte("name = \"deep\"\n" + strings.TrimSuffix(strings.Repeat("a.", n), ".") + " = 1\n")
}

// STLHeaderLie is a binary STL whose header announces n triangles and
// holds none.
func STLHeaderLie(n uint32) []byte {
	b := make([]byte, 84)
	copy(b, "solid-looking binary header")
	binary.LittleEndian.PutUint32(b[80:], n)
	return b
}

// STLFar is a binary STL of one triangle with coordinates near float32's
// largest, whose area and volume overflow.
func STLFar() []byte {
	b := STLHeaderLie(1)
	rec := make([]byte, 50)
	for v := 0; v < 3; v++ {
		for c := 0; c < 3; c++ {
			x := float32(3e38)
			if (v+c)%2 == 0 {
				x = -3e38
			}
			binary.LittleEndian.PutUint32(rec[12+v*12+c*4:], math.Float32bits(x))
		}
	}
	return append(b, rec...)
}

// OBJFan is a face of n repeats of one vertex: n-2 triangles for two
// bytes each.
func OBJFan(n int) []byte {
	return []byte("v 0 0 0\nf" + strings.Repeat(" 1", n) + "\n")
}

const tetra = `<mesh><vertices><vertex x="0" y="0" z="0"/><vertex x="1" y="0" z="0"/><vertex x="0" y="1" z="0"/><vertex x="0" y="0" z="1"/></vertices>` +
	`<triangles><triangle v1="0" v2="2" v3="1"/><triangle v1="0" v2="1" v3="3"/><triangle v1="0" v2="3" v3="2"/><triangle v1="1" v2="2" v3="3"/></triangles></mesh>`

// ThreeMF packs a model part into a 3MF.
func ThreeMF(model string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("3D/3dmodel.model")
	w.Write([]byte(model))
	zw.Close()
	return b.Bytes()
}

// ThreeMFFanOut is a 3MF of depth levels of objects, each placing the
// one below fan times, a tetrahedron at the bottom: 4·fan^depth
// triangles from a file of a few kilobytes.
func ThreeMFFanOut(fan, depth int, withMesh bool) []byte {
	var b strings.Builder
	b.WriteString(`<model unit="millimeter"><resources>`)
	if withMesh {
		b.WriteString(`<object id="0">` + tetra + `</object>`)
	} else {
		b.WriteString(`<object id="0"/>`)
	}
	for d := 1; d <= depth; d++ {
		fmt.Fprintf(&b, `<object id="%d"><components>%s</components></object>`, d, strings.Repeat(fmt.Sprintf(`<component objectid="%d"/>`, d-1), fan))
	}
	fmt.Fprintf(&b, `</resources><build><item objectid="%d"/></build></model>`, depth)
	return ThreeMF(b.String())
}

// ThreeMFCycle is a 3MF whose objects contain each other.
func ThreeMFCycle() []byte {
	return ThreeMF(`<model><resources><object id="1"><components><component objectid="2"/></components></object>` +
		`<object id="2"><components><component objectid="1"/></components></object></resources><build><item objectid="1"/></build></model>`)
}

// ThreeMFZipBomb is a 3MF whose model part inflates to n bytes of
// blanks.
func ThreeMFZipBomb(n int) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("3D/3dmodel.model")
	w.Write([]byte("<model><resources>"))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
	zw.Close()
	return b.Bytes()
}

// SVGDeep nests n groups.
func SVGDeep(n int) []byte {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat("<g>", n) + `<rect width="1" height="1"/>` + strings.Repeat("</g>", n) + `</svg>`)
}

// SVGUseFanOut defines a shape once and uses it n times in n groups of
// n uses: a renderer that expands use would draw n² shapes.
func SVGUseFanOut(n int) []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><path id="p0" d="M0 0 L1 1"/>`)
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, `<g id="p%d">%s</g>`, i, strings.Repeat(fmt.Sprintf(`<use xlink:href="#p%d"/>`, i-1), n))
	}
	b.WriteString(`</defs><use xlink:href="#p7"/></svg>`)
	return []byte(b.String())
}

// DXFHugeArc is an arc whose angles are astronomically large: a reader
// that walks them round a turn at a time never ends.
func DXFHugeArc() []byte {
	return []byte("0\nSECTION\n2\nENTITIES\n0\nARC\n10\n0\n20\n0\n40\n10\n50\n1e300\n51\n0\n0\nENDSEC\n0\nEOF\n")
}

// CSVWide is a BOM of one row of n columns.
func CSVWide(n int) []byte {
	return []byte("name,quantity" + strings.Repeat(",x", n) + "\nbolt,1" + strings.Repeat(",1", n) + "\n")
}

// JSONDeep nests n arrays in a facility record.
func JSONDeep(n int) []byte {
	return []byte(`{"name": "deep", "location": {"gps_coordinates": "1, 2"}, "x": ` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
}
