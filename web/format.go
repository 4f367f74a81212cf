package web

import (
	"fmt"
	"os"
	"strconv"

	"github.com/dgml/dgml/design"
)

func itoa(n int) string { return strconv.Itoa(n) }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func dims(d *design.Dimensions) string {
	if d == nil {
		return ""
	}
	return num(round1(d.X)) + " × " + num(round1(d.Y)) + " × " + num(round1(d.Z)) + " mm"
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func money(f float64) string { return fmt.Sprintf("%.2f", f) }

func kgText(f float64) string { return fmt.Sprintf("%.3f", f) }

func kmText(f float64) string { return fmt.Sprintf("%.1f", f) }

func hoursText(h float64) string {
	if h >= 48 {
		return fmt.Sprintf("%.1f days", h/24)
	}
	return fmt.Sprintf("%.1f h", h)
}

var languageNames = map[string]string{"en": "English", "es": "Español", "de": "Deutsch", "fr": "Français", "el": "Ελληνικά", "pt": "Português", "sw": "Kiswahili", "hi": "हिन्दी", "it": "Italiano", "ja": "日本語"}

func langName(tag string) string {
	base := tag
	if len(tag) > 2 && tag[2] == '-' {
		base = tag[:2]
	}
	if n, ok := languageNames[base]; ok {
		if base != tag {
			return n + " (" + tag[3:] + ")"
		}
		return n
	}
	return tag
}

func mkTemp(dir string) (string, error) { return os.MkdirTemp(dir, "upload-*") }

func removeAll(dir string) { os.RemoveAll(dir) }
