package search

import (
	"unicode"
	"unicode/utf8"
)

// Tokens splits text the way SQLite's unicode61 tokenizer with
// remove_diacritics 2 does: runs of letters, digits and private-use
// characters, folded to lower case without diacritics. Matching the
// store's FTS5 tokenizer keeps both rankers' document lengths equal.
func Tokens(text string) []string {
	var out []string
	eachToken(text, func(t []byte) { out = append(out, string(t)) })
	return out
}

// eachToken calls fn with every token of text; the slice is reused, so fn
// must copy what it keeps.
func eachToken(text string, fn func([]byte)) {
	buf := make([]byte, 0, 32)
	flush := func() {
		if len(buf) > 0 {
			fn(buf)
			buf = buf[:0]
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			default:
				flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r):
			buf = append(buf, foldRune(r)...)
		case unicode.Is(unicode.Mn, r):
			// a combining mark: part of the letter before, and dropped
		default:
			flush()
		}
	}
	flush()
}

// foldRune lowers a rune and removes its diacritic for the Latin letters
// that carry one.
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	if s, ok := diacritics[r]; ok {
		return s
	}
	return string(r)
}

var diacritics = func() map[rune]string {
	m := map[rune]string{}
	groups := map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő",
		"r": "ŕŗř", "s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	}
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()
