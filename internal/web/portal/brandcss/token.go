package brandcss

import (
	"strings"
	"unicode/utf8"
)

// kind is a CSS token type (CSS Syntax Level 3, §4), reduced to what the
// sanitiser needs to tell apart.
type kind int

const (
	// Whitespace also stands for comments, CDO and CDC: written back as a
	// space it keeps neighbours apart as they did, and leaves no comment
	// for old parsers to join words across ("expr/**/ession").
	tWhitespace kind = iota
	tIdent
	tFunction // value is the name; the "(" is part of the token
	tAtKeyword
	tHash
	tString
	tURL    // url(...) quoted or not; value is the decoded target
	tBad    // bad-string or bad-url: never emitted
	tNumber // value is the source text, unit (if any) in unit
	tDelim  // one code point
	tOpen   // ( [ or {
	tClose  // ) ] or }
	tPunct  // : ; ,
)

type token struct {
	kind  kind
	value string // decoded (escapes resolved)
	unit  string // numbers only: decoded unit, or "%"
}

// tokenizer splits preprocessed CSS into tokens the way a browser does, so
// that what the sanitiser judges is what the browser would see.
type tokenizer struct {
	s   []rune
	pos int
}

func tokenize(src string) []token {
	src = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\x00", "\uFFFD").Replace(src)
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	t := &tokenizer{s: []rune(src)}
	var out []token
	for t.pos < len(t.s) {
		tok := t.next()
		if tok.kind == tWhitespace && len(out) > 0 && out[len(out)-1].kind == tWhitespace {
			continue
		}
		out = append(out, tok)
	}
	return out
}

// at returns the code point i places ahead, or -1 past the end.
func (t *tokenizer) at(i int) rune {
	if t.pos+i < len(t.s) {
		return t.s[t.pos+i]
	}
	return -1
}

func (t *tokenizer) next() token {
	c := t.at(0)
	switch {
	case c == '/' && t.at(1) == '*':
		t.pos += 2
		for t.pos < len(t.s) && !(t.at(0) == '*' && t.at(1) == '/') {
			t.pos++
		}
		t.pos = min(t.pos+2, len(t.s))
		return token{kind: tWhitespace}
	case isSpace(c):
		for isSpace(t.at(0)) {
			t.pos++
		}
		return token{kind: tWhitespace}
	case c == '"' || c == '\'':
		t.pos++
		return t.string(c)
	case c == '#' && (isName(t.at(1)) || validEscape(t.at(1), t.at(2))):
		t.pos++
		return token{kind: tHash, value: t.name()}
	case c == '@' && startsIdent(t.at(1), t.at(2), t.at(3)):
		t.pos++
		return token{kind: tAtKeyword, value: t.name()}
	case c == '<' && t.at(1) == '!' && t.at(2) == '-' && t.at(3) == '-':
		t.pos += 4
		return token{kind: tWhitespace} // CDO is ignored in a stylesheet
	case c == '-' && t.at(1) == '-' && t.at(2) == '>':
		t.pos += 3
		return token{kind: tWhitespace} // CDC likewise
	case c == '\\' && t.at(1) == '\n':
		// Not an escape, so a parse error; a newline follows, so
		// dropping it cannot join two tokens.
		t.pos++
		return token{kind: tWhitespace}
	case startsNumber(c, t.at(1), t.at(2)):
		return t.number()
	case startsIdent(c, t.at(1), t.at(2)):
		return t.identLike()
	}
	t.pos++
	switch c {
	case '(', '[', '{':
		return token{kind: tOpen, value: string(c)}
	case ')', ']', '}':
		return token{kind: tClose, value: string(c)}
	case ':', ';', ',':
		return token{kind: tPunct, value: string(c)}
	}
	return token{kind: tDelim, value: string(c)}
}

func (t *tokenizer) string(quote rune) token {
	var b strings.Builder
	for {
		c := t.at(0)
		switch {
		case c == -1:
			return token{kind: tString, value: b.String()}
		case c == quote:
			t.pos++
			return token{kind: tString, value: b.String()}
		case c == '\n':
			return token{kind: tBad} // the newline starts the next token
		case c == '\\' && t.at(1) == '\n':
			t.pos += 2
		case c == '\\' && t.at(1) == -1:
			t.pos++
		case c == '\\':
			t.pos++
			b.WriteRune(t.escape())
		default:
			t.pos++
			b.WriteRune(c)
		}
	}
}

// escape consumes what follows a backslash (§4.3.7).
func (t *tokenizer) escape() rune {
	c := t.at(0)
	if c == -1 {
		return '\uFFFD'
	}
	if !isHex(c) {
		t.pos++
		return c
	}
	v := rune(0)
	for i := 0; i < 6 && isHex(t.at(0)); i++ {
		v = v*16 + hexVal(t.at(0))
		t.pos++
	}
	if isSpace(t.at(0)) {
		t.pos++
	}
	if v == 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
		return '\uFFFD'
	}
	return v
}

func (t *tokenizer) name() string {
	var b strings.Builder
	for {
		c := t.at(0)
		switch {
		case isName(c):
			t.pos++
			b.WriteRune(c)
		case validEscape(c, t.at(1)):
			t.pos++
			b.WriteRune(t.escape())
		default:
			return b.String()
		}
	}
}

func (t *tokenizer) number() token {
	start := t.pos
	if c := t.at(0); c == '+' || c == '-' {
		t.pos++
	}
	t.digits()
	if t.at(0) == '.' && isDigit(t.at(1)) {
		t.pos++
		t.digits()
	}
	if c := t.at(0); (c == 'e' || c == 'E') && (isDigit(t.at(1)) || (t.at(1) == '+' || t.at(1) == '-') && isDigit(t.at(2))) {
		t.pos += 2
		t.digits()
	}
	tok := token{kind: tNumber, value: string(t.s[start:t.pos])}
	switch {
	case startsIdent(t.at(0), t.at(1), t.at(2)):
		tok.unit = t.name()
	case t.at(0) == '%':
		t.pos++
		tok.unit = "%"
	}
	return tok
}

func (t *tokenizer) digits() {
	for isDigit(t.at(0)) {
		t.pos++
	}
}

// identLike reads an ident, a function token or a url token (§4.3.4).
func (t *tokenizer) identLike() token {
	name := t.name()
	if t.at(0) != '(' {
		return token{kind: tIdent, value: name}
	}
	t.pos++
	if !strings.EqualFold(name, "url") {
		return token{kind: tFunction, value: name}
	}
	for isSpace(t.at(0)) {
		t.pos++
	}
	if q := t.at(0); q == '"' || q == '\'' {
		// url("…") is a function token plus a string in the spec; the
		// sanitiser only accepts it as exactly one string and ")".
		t.pos++
		s := t.string(q)
		for isSpace(t.at(0)) {
			t.pos++
		}
		if s.kind != tString || t.at(0) != ')' {
			t.skipBadURL()
			return token{kind: tBad}
		}
		t.pos++
		return token{kind: tURL, value: s.value}
	}
	return t.url()
}

func (t *tokenizer) url() token {
	var b strings.Builder
	for {
		c := t.at(0)
		switch {
		case c == ')':
			t.pos++
			return token{kind: tURL, value: b.String()}
		case c == -1:
			return token{kind: tURL, value: b.String()}
		case isSpace(c):
			for isSpace(t.at(0)) {
				t.pos++
			}
			if t.at(0) == ')' || t.at(0) == -1 {
				continue
			}
			t.skipBadURL()
			return token{kind: tBad}
		case c == '"' || c == '\'' || c == '(' || isNonPrintable(c):
			t.skipBadURL()
			return token{kind: tBad}
		case c == '\\' && validEscape(c, t.at(1)):
			t.pos++
			b.WriteRune(t.escape())
		case c == '\\':
			t.skipBadURL()
			return token{kind: tBad}
		default:
			t.pos++
			b.WriteRune(c)
		}
	}
}

// skipBadURL consumes the remnants of a bad url up to its ")" (§4.3.14).
func (t *tokenizer) skipBadURL() {
	for {
		c := t.at(0)
		switch {
		case c == -1:
			return
		case c == ')':
			t.pos++
			return
		case validEscape(c, t.at(1)):
			t.pos++
			t.escape()
		default:
			t.pos++
		}
	}
}

func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\n' }
func isDigit(c rune) bool { return c >= '0' && c <= '9' }
func isHex(c rune) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c rune) rune {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isNameStart(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isName(c rune) bool { return isNameStart(c) || isDigit(c) || c == '-' }

func isNonPrintable(c rune) bool {
	return c >= 0 && c <= 8 || c == 0x0B || c >= 0x0E && c <= 0x1F || c == 0x7F
}

func validEscape(c, next rune) bool { return c == '\\' && next != '\n' }

func startsIdent(a, b, c rune) bool {
	switch {
	case a == '-':
		return isNameStart(b) || b == '-' || validEscape(b, c)
	case isNameStart(a):
		return true
	}
	return validEscape(a, b)
}

func startsNumber(a, b, c rune) bool {
	if a == '+' || a == '-' {
		return isDigit(b) || b == '.' && isDigit(c)
	}
	if a == '.' {
		return isDigit(b)
	}
	return isDigit(a)
}
