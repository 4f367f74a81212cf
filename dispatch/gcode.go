package dispatch

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
)

var (
	curaTime   = regexp.MustCompile(`^;TIME:(\d+)`)
	prusaTime  = regexp.MustCompile(`^; estimated printing time \(normal mode\) = (.*)$`)
	prusaMM    = regexp.MustCompile(`^; filament used \[mm\] = ([\d.]+)`)
	prusaParts = regexp.MustCompile(`(\d+)([dhms])`)
)

// SlicerEstimate reads the time and filament a slicer wrote into G-code
// comments (Cura's ";TIME:", PrusaSlicer's "estimated printing time" and
// "filament used [mm]"); ok is false when it names no time. Lines are
// read up to 64 KiB each, so a file without line breaks cannot make it
// buffer the whole file.
func SlicerEstimate(g []byte) (seconds, mm float64, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(g))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if m := curaTime.FindStringSubmatch(line); m != nil {
			seconds, _ = strconv.ParseFloat(m[1], 64)
			ok = true
		}
		if m := prusaTime.FindStringSubmatch(line); m != nil {
			t := 0.0
			for _, p := range prusaParts.FindAllStringSubmatch(m[1], -1) {
				n, _ := strconv.ParseFloat(p[1], 64)
				t += n * map[string]float64{"d": 86400, "h": 3600, "m": 60, "s": 1}[p[2]]
			}
			seconds, ok = t, true
		}
		if m := prusaMM.FindStringSubmatch(line); m != nil {
			mm, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return seconds, mm, ok
}
