package billing

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// The CSV parsers take files from outside (rate decks, switch CDR
// exports): whatever they hold (formula and script payloads, NaN and
// negative money, NUL bytes, ragged rows, huge numbers), parsing ends
// without panicking, and what it accepts holds no negative duration or
// NaN-like money. CI fuzzes each briefly (SECURITY.md, "Fuzzing").
func FuzzReadRates(f *testing.F) {
	for _, row := range []string{"44,United Kingdom,0.0125,0,1,1,2026-01-01", "44,=HYPERLINK(\"x\"),NaN,-1,0,0,2026-01-01",
		"<script>,x,1e309,0,1,1,2026-13-45", "\x00,\x00,\x00,\x00,\x00,\x00,\x00", "+1,USA,-0.004,,60,60,2026-02-01", "\"unterminated"} {
		f.Add(RatesHeader + "\n" + row + "\n")
	}
	f.Add("prefix;rate\n44;0,5\n")
	f.Fuzz(func(t *testing.T, src string) {
		rates, err := ReadRates(strings.NewReader(src), RatesOptions{})
		if err != nil {
			return
		}
		for _, r := range rates {
			if r.Prefix == "" {
				t.Fatalf("accepted a rate with no prefix from %q", src)
			}
		}
	})
}

func FuzzCDRReader(f *testing.F) {
	for _, row := range []string{
		"c1,sw1,2026-01-01T00:00:00Z,+441234,+449876,60,60,UK,0.01,0.01,200,OK,out,1,2,0.005,0.005",
		"c2,sw1,2026-01-01T00:00:00Z,<script>window.__xss=1</script>,\"><img src=x onerror=alert(1)>,-5,NaN,=cmd|' /C calc'!A0,1e309,-0.01,999,\x00,in,-1,x,,",
		"c3,sw1,not-a-time,,,,,,,,,,,,,,",
	} {
		f.Add(CDRHeader + "\n" + row + "\n")
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := NewCDRReader(strings.NewReader(src), nil)
		if err != nil {
			return
		}
		for range 10000 {
			c, _, err := r.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if c.Duration < 0 || c.BilledDuration < 0 {
				t.Fatalf("accepted a negative duration from %q: %+v", src, c)
			}
		}
	})
}
