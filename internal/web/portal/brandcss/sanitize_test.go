package brandcss

import (
	"strings"
	"testing"
)

func TestSanitizeKeepsOrdinaryCSS(t *testing.T) {
	src := `:root { --brand-primary: #0a7d4f; }
.header h1 > a:hover, .nav a[href^="/"] { color: rgb(10 125 79 / 50%); margin: 0 auto 1.5em; }
@media (min-width: 600px) { .card { padding: calc(1rem + 2px) !important; } }
body { font-family: "Inter", sans-serif; background: url(img/bg.png) no-repeat, url("/logo"); }
.x::before { content: "\201C"; }
@font-face { font-family: Brand; src: url(fonts/brand.woff2) format("woff2"); unicode-range: U+0025-00FF; }
.icon { background-image: url(data:image/png;base64,iVBORw0KGgo=); }`
	got, dropped := Sanitize(src)
	if dropped != 0 {
		t.Fatalf("dropped %d statements of ordinary CSS:\n%s", dropped, got)
	}
	for _, want := range []string{
		"--brand-primary: #0a7d4f", `.nav a[href^="/"]`, "rgb(10 125 79 / 50%)", "margin: 0 auto 1.5em",
		"@media (min-width: 600px) { .card { padding: calc(1rem + 2px) !important; } }",
		`font-family: "Inter", sans-serif`, `url("img/bg.png") no-repeat, url("/logo")`, `content: "“"`,
		`src: url("fonts/brand.woff2") format("woff2")`, "U+0025-00FF",
		`url("data:image/png;base64,iVBORw0KGgo=")`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lost %q:\n%s", want, got)
		}
	}
}

func TestSanitizeRefusesDangerousCSS(t *testing.T) {
	cases := map[string]string{
		"import":             `@import url(https://evil.example/x.css);`,
		"import string":      `@import "https://evil.example/x.css";`,
		"import escaped":     `@\69mport "x.css";`,
		"import no semi":     `@IMPORT 'x.css'`,
		"remote url":         `a { background: url(https://evil.example/track.png) }`,
		"protocol relative":  `a { background: url(//evil.example/t.png) }`,
		"quoted remote":      `a { background: url( "http://evil.example/t.png" ) }`,
		"escaped url":        `a { background: u\72l(http://evil.example/t.png) }`,
		"javascript url":     `a { background: url(javascript:alert(1)) }`,
		"javascript escaped": `a { background: url(java\73 cript:alert(1)) }`,
		"svg data":           `a { background: url(data:image/svg+xml;base64,PHN2Zz4=) }`,
		"html data":          `a { background: url(data:text/html,<script>) }`,
		"backslash url":      `a { background: url(/\evil.example/x) }`,
		"expression":         `a { width: expression(alert(1)) }`,
		"expression escaped": `a { width: e\78pression(alert(1)) }`,
		"behavior":           `a { behavior: url(x.htc) }`,
		"behavior escaped":   `a { be\68 avior: url(x.htc) }`,
		"moz binding":        `a { -moz-binding: url(x.xml#xss) }`,
		"image-set":          `a { background: image-set("https://evil.example/a.png" 1x) }`,
		"javascript ident":   `a { x: javascript:alert(1) }`,
		"end style":          `a { color: red } </style><script>alert(1)</script>`,
		"bad string":         "a { content: \"abc\n}",
	}
	for name, src := range cases {
		got, dropped := Sanitize(src)
		low := strings.ToLower(got)
		if dropped == 0 {
			t.Errorf("%s: nothing dropped from %q: %q", name, src, got)
		}
		for _, bad := range []string{"evil", "javascript", "expression", "@import", "behavior", "binding", "</", "svg", "<script", ".htc"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s: output %q still holds %q", name, got, bad)
			}
		}
	}
}

func TestSanitizeDropsOnlyTheBadStatement(t *testing.T) {
	got, dropped := Sanitize(`a { color: red; background: url(https://evil.example/x); margin: 0 } b { color: blue }`)
	if dropped != 1 || !strings.Contains(got, "color: red;") || !strings.Contains(got, "margin: 0") ||
		!strings.Contains(got, "b { color: blue }") || strings.Contains(got, "evil") {
		t.Fatalf("dropped %d: %q", dropped, got)
	}
	// A refused selector takes its whole block, nested blocks included,
	// and the rules after it survive.
	got, _ = Sanitize(`a[x="javascript:1"] { color: red; @media print { b { color: red } } } c { color: green }`)
	if got != ` c { color: green }` {
		t.Fatalf("refused rule left %q", got)
	}
}

func TestSanitizeCannotBreakOut(t *testing.T) {
	// Comments become spaces, so no old parser can join words across them.
	if got, _ := Sanitize(`a { width: expr/**/ession(alert(1)) } </**/style>`); strings.Contains(got, "/*") {
		t.Fatalf("comment kept: %q", got)
	}
	got, _ := Sanitize(`a::after { content: "</style><img src=x onerror=alert(1)>" } b { c: d`)
	if strings.Contains(got, "<") || strings.Contains(got, ">") {
		t.Fatalf("angle brackets survived: %q", got)
	}
	if !strings.HasSuffix(got, "}") {
		t.Fatalf("unclosed block not closed: %q", got)
	}
	// A stray "}" would make the browser swallow the next rule.
	got, _ = Sanitize(`} a { color: red }`)
	if strings.Count(got, "}") != 1 {
		t.Fatalf("stray brace kept: %q", got)
	}
}

func spaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// FuzzSanitize checks that the output is stable (sanitising it again
// changes nothing, so the browser tokenizes it as the sanitiser did) and
// never holds what could end a <style> element or import a stylesheet.
func FuzzSanitize(f *testing.F) {
	for _, seed := range []string{
		`a { color: red }`, `@\69mport "x";`, `a{b:url( "x" )}`, `u\72l(x)`, `1\65 3`, `#\31 a{}`,
		"\"a\\\nb\"", `a { content: "\"</style>" }`, `<!-- a{} -->`, `-\-x: 1e3e4`, `}}}{{{`, `url(a\)b)`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		once, _ := Sanitize(src)
		twice, dropped := Sanitize(once)
		// Dropped statements may leave spaces side by side.
		if spaces(twice) != spaces(once) || dropped != 0 {
			t.Fatalf("not stable:\n in: %q\nonce: %q\ntwice: %q (dropped %d)", src, once, twice, dropped)
		}
		if low := strings.ToLower(once); strings.Contains(low, "</") || strings.Contains(low, "@import") {
			t.Fatalf("unsafe output %q from %q", once, src)
		}
	})
}
