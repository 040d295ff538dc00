// Package brandcss makes a brand's custom CSS safe to serve on its portal.
// The CSS is tokenized the way a browser tokenizes it, every statement that
// could run script, bind behaviour or reach another origin is dropped, and
// the rest is written back out in a canonical form (escapes resolved and
// re-escaped), so that nothing hidden by escapes, comments or odd spacing
// survives, and nothing in the output can end a <style> element or an
// HTML attribute should it ever be embedded.
package brandcss

import (
	"regexp"
	"strconv"
	"strings"
)

// Sanitize returns the safe part of src and how many statements (a
// declaration, an at-rule, or a whole rule whose selector was refused) it
// dropped. It drops:
//   - @import, in any spelling;
//   - url(…) to anything but a relative same-origin path or a data: PNG,
//     JPEG, GIF or WebP image, and the other functions that load a URL
//     from a string (image-set, image, src, element);
//   - expression(…), javascript: and vbscript: anywhere, and the
//     behavior / -moz-binding properties;
//   - "</" outside strings, and unterminated strings or urls.
func Sanitize(src string) (clean string, dropped int) {
	var out strings.Builder
	var stmt []token // the statement being read, emitted at its end
	bad := false     // stmt holds something refused
	depth := 0       // open { } blocks
	skip := 0        // > 0 while inside the block of a refused rule
	parens := 0      // open ( [ and functions within stmt
	flush := func() {
		if bad {
			dropped++
		} else {
			for _, t := range stmt {
				write(&out, t)
			}
		}
		stmt, bad, parens = stmt[:0], false, 0
	}
	toks := tokenize(src)
	for i, t := range toks {
		if skip > 0 {
			switch {
			case t.kind == tOpen && t.value == "{":
				skip++
			case t.kind == tClose && t.value == "}":
				skip--
			}
			continue
		}
		switch {
		case t.kind == tPunct && t.value == ";" && parens == 0:
			flush()
			out.WriteString(";")
		case t.kind == tOpen && t.value == "{":
			if bad {
				// A refused selector or at-rule prelude takes its whole
				// block with it.
				dropped++
				stmt, bad, parens, skip = stmt[:0], false, 0, 1
				continue
			}
			flush()
			out.WriteString("{")
			depth++
		case t.kind == tClose && t.value == "}":
			flush()
			if depth > 0 { // a stray "}" would swallow the next rule
				out.WriteString("}")
				depth--
			}
		default:
			switch {
			case t.kind == tOpen || t.kind == tFunction:
				parens++
			case t.kind == tClose && parens > 0:
				parens--
			}
			bad = bad || refused(t, toks[i+1:])
			stmt = append(stmt, t)
		}
	}
	flush()
	out.WriteString(strings.Repeat("}", depth))
	return out.String(), dropped
}

var (
	refusedIdents = map[string]bool{
		"behavior": true, "-ms-behavior": true, "-moz-binding": true, "javascript": true, "vbscript": true,
	}
	// Functions that fetch a URL given as a plain string, or run script.
	refusedFunctions = map[string]bool{
		"image-set": true, "-webkit-image-set": true, "image": true, "src": true,
		"element": true, "-moz-element": true,
	}
	dataImage = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp)(;base64)?,`)
)

// refused reports whether t must not reach the browser. rest follows t.
func refused(t token, rest []token) bool {
	v := strings.ToLower(t.value)
	switch t.kind {
	case tBad:
		return true
	case tURL:
		return !safeURL(t.value)
	case tAtKeyword:
		// Any at-rule named like import is dropped, not only the exact
		// name: "@import0" is harmless to a browser, but nothing that reads
		// as an import should leave the sanitiser.
		return strings.HasPrefix(v, "import")
	case tFunction:
		return refusedFunctions[v] || strings.Contains(v, "expression")
	case tIdent:
		return refusedIdents[v] || strings.Contains(v, "expression")
	case tString:
		return strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") || strings.Contains(v, "expression(")
	case tDelim:
		return t.value == "<" && len(rest) > 0 && rest[0].kind == tDelim && rest[0].value == "/"
	}
	return false
}

// safeURL allows a relative path on the portal's own origin, or an inline
// raster image. SVG is left out: it is a document that can carry script.
func safeURL(u string) bool {
	u = strings.TrimSpace(u)
	if strings.HasPrefix(strings.ToLower(u), "data:") {
		return dataImage.MatchString(strings.ToLower(u))
	}
	if u == "" || strings.HasPrefix(u, "//") {
		return false
	}
	for _, c := range u {
		if c <= ' ' || c == 0x7F || c == '\\' {
			return false
		}
	}
	// A ":" before any "/", "?" or "#" would make it a scheme.
	i := strings.IndexAny(u, ":/?#")
	return i < 0 || u[i] != ':'
}

// write emits t canonically: names and strings are re-escaped, so the
// output means exactly what the sanitiser checked.
func write(b *strings.Builder, t token) {
	switch t.kind {
	case tWhitespace:
		b.WriteString(" ")
	case tIdent:
		writeIdent(b, t.value)
	case tFunction:
		writeIdent(b, t.value)
		b.WriteString("(")
	case tAtKeyword:
		b.WriteString("@")
		writeIdent(b, t.value)
	case tHash:
		b.WriteString("#")
		writeName(b, t.value)
	case tString:
		writeString(b, t.value)
	case tURL:
		b.WriteString("url(")
		writeString(b, t.value)
		b.WriteString(")")
	case tNumber:
		b.WriteString(t.value)
		if t.unit == "%" {
			b.WriteString("%")
		} else if t.unit != "" {
			writeUnit(b, t.unit)
		}
	default:
		b.WriteString(t.value)
	}
}

func hexEscape(b *strings.Builder, c rune) {
	b.WriteString(`\`)
	b.WriteString(strconv.FormatInt(int64(c), 16))
	b.WriteString(" ")
}

func plainName(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80
}

// writeName writes a name with everything but letters, digits, - and _
// hex-escaped.
func writeName(b *strings.Builder, s string) {
	for _, c := range s {
		if plainName(c) {
			b.WriteRune(c)
		} else {
			hexEscape(b, c)
		}
	}
}

// writeIdent is writeName plus the rules that keep an ident an ident: no
// leading digit, no digit after a leading "-", and not a lone "-".
func writeIdent(b *strings.Builder, s string) {
	r := []rune(s)
	for i, c := range r {
		switch {
		case i == 0 && isDigit(c), i == 1 && r[0] == '-' && isDigit(c), s == "-":
			hexEscape(b, c)
		default:
			writeName(b, string(c))
		}
	}
}

// writeUnit is writeIdent, with a leading e escaped where it would read
// back as an exponent ("1" + "e3" is not the number 1000).
func writeUnit(b *strings.Builder, s string) {
	r := []rune(s)
	if (r[0] == 'e' || r[0] == 'E') && len(r) > 1 && (isDigit(r[1]) || r[1] == '-' && len(r) > 2 && isDigit(r[2])) {
		hexEscape(b, r[0])
		writeName(b, string(r[1:]))
		return
	}
	writeIdent(b, s)
}

// writeString writes a double-quoted string with quotes, backslashes,
// control characters, the HTML-significant < > & and @ escaped (so no
// output text reads as an at-rule, even inside a string).
func writeString(b *strings.Builder, s string) {
	b.WriteString(`"`)
	for _, c := range s {
		if c < ' ' || c == 0x7F || strings.ContainsRune("\"'\\<>&@", c) {
			hexEscape(b, c)
		} else {
			b.WriteRune(c)
		}
	}
	b.WriteString(`"`)
}
