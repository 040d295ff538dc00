package billing

import (
	"errors"
	"io"
	"strings"
	"testing"

	"portico/internal/portico"
)

func lineErrors(t *testing.T, err error) *portico.LineErrors {
	t.Helper()
	var le *portico.LineErrors
	if !errors.As(err, &le) {
		t.Fatalf("error %v is not a *LineErrors", err)
	}
	if portico.ErrorCode(err) != portico.EINVALID {
		t.Fatalf("code = %s, want invalid", portico.ErrorCode(err))
	}
	return le
}

// byLine renders problems as "line:field" strings for comparison.
func byLine(le *portico.LineErrors) map[int][]string {
	out := map[int][]string{}
	for _, l := range le.Lines {
		out[l.Line] = append(out[l.Line], l.Field+": "+l.Message)
	}
	return out
}

func TestReadRatesCanonical(t *testing.T) {
	rows, err := ReadRates(strings.NewReader(RatesHeader+"\n"+
		"44,United Kingdom,0.0125,0,1,1,2026-01-01\n"+
		"447,UK Mobile,0.05,0.01,30,6,2026-01-01\n"+
		"\n"+ // blank lines are skipped
		"+1,USA,0.004,,60,60,2026-02-01\n"), RatesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %d, want 3", len(rows))
	}
	r := rows[1]
	if r.Prefix != "447" || r.Name != "UK Mobile" || r.Rate.String() != "0.05" || r.ConnectionFee.String() != "0.01" ||
		r.MCD != 30 || r.Pulse != 6 || r.Effective.Format(portico.DateLayout) != "2026-01-01" {
		t.Errorf("row 2 = %+v", r)
	}
	if rows[2].Prefix != "1" || rows[2].ConnectionFee != 0 || rows[2].MCD != 60 {
		t.Errorf("row 3 = %+v (a leading + is dropped, an empty fee is 0)", rows[2])
	}
}

func TestReadRatesSpreadsheetExport(t *testing.T) {
	// A BOM, semicolons, other header names in another order, "30/6"
	// increments, an unknown column, and a column named by mapping.
	in := "\xef\xbb\xbfDial Code;Country;Region;Price/min;Setup Fee;Increment;Valid From\n" +
		"4420;UK;London;0.010;0.02;30/6;2026-03-01\n" +
		"49;Germany;;0.020;0;60;2026-03-01\n"
	rows, err := ReadRates(strings.NewReader(in), RatesOptions{Mapping: map[string]string{"rate": "Price/min"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Prefix != "4420" || rows[0].MCD != 30 || rows[0].Pulse != 6 || rows[0].ConnectionFee.String() != "0.02" ||
		rows[1].MCD != 0 || rows[1].Pulse != 60 || rows[1].Rate.String() != "0.02" {
		t.Fatalf("rows = %+v", rows)
	}
	// Without an effective date column, a default date is required.
	_, err = ReadRates(strings.NewReader("prefix,rate\n44,0.01\n"), RatesOptions{})
	if le := lineErrors(t, err); le.Lines[0].Field != "effective_date" || le.Lines[0].Line != 1 {
		t.Fatalf("no effective date: %+v", le.Lines)
	}
	rows, err = ReadRates(strings.NewReader("prefix,rate\n44,0.01\n"), RatesOptions{Effective: day("2026-05-01")})
	if err != nil || rows[0].Effective != day("2026-05-01") || rows[0].Pulse != 1 {
		t.Fatalf("default effective date: %+v %v", rows, err)
	}
}

func TestReadRatesReportsEveryBadLine(t *testing.T) {
	in := RatesHeader + "\n" +
		"44,UK,0.01,0,0,1,2026-01-01\n" + // 2 good
		"33,France,abc,0,0,1,2026-01-01\n" + // 3 not a number
		"34,Spain,0.0000001,0,0,1,2026-01-01\n" + // 4 seven decimals
		"35,Portugal,NaN,0,0,1,2026-01-01\n" + // 5 NaN
		"36,Hungary,-0.01,0,0,1,2026-01-01\n" + // 6 negative
		"37,Moldova,99999999999999999999,0,0,1,2026-01-01\n" + // 7 huge
		"3a,Bad,0.01,0,0,1,2026-01-01\n" + // 8 prefix not digits
		"38,Ukraine,0.01,0,-1,0,2026-01-01\n" + // 9 negative MCD, pulse 0
		"39,Italy,0.01,0,0,1,2026-13-01\n" + // 10 bad date
		"44,UK again,0.02,0,0,1,2026-01-01\n" + // 11 duplicate of line 2
		"40,Romania,0.01,0\n" + // 12 too few columns
		"41,Austria,1e3,0,0,1,2026-01-01\n" + // 13 exponent
		"42,Czechia,0.01,0,0,1,2026-01-01\n" // 14 good
	rows, err := ReadRates(strings.NewReader(in), RatesOptions{})
	if rows != nil {
		t.Fatalf("rows returned despite errors: %d", len(rows))
	}
	le := lineErrors(t, err)
	got := byLine(le)
	want := map[int]string{
		3: "rate: Rate \"abc\" is not a number.", 4: "rate: Rate \"0.0000001\" has more than 6 decimals.",
		5: "rate: Rate \"NaN\" is not a number.", 6: "rate: Rate cannot be negative.",
		7: "rate: Rate \"99999999999999999999\" is too large.", 8: "prefix: Prefix \"3a\" must be digits only.",
		10: "effective_date: Effective date \"2026-13-01\" is not a date like 2026-01-31 (YYYY-MM-DD, UTC).",
		11: "prefix: Prefix 44 with effective date 2026-01-01 is already on line 2.", 12: ": Has 4 columns; the header has 7.",
		13: "rate: Rate \"1e3\" is not a number.",
	}
	for line, msg := range want {
		if len(got[line]) == 0 || got[line][0] != msg {
			t.Errorf("line %d: got %q, want %q", line, got[line], msg)
		}
	}
	if len(got[9]) != 2 {
		t.Errorf("line 9 should report MCD and pulse: %q", got[9])
	}
	for _, good := range []int{1, 2, 14} {
		if len(got[good]) > 0 {
			t.Errorf("good line %d reported: %q", good, got[good])
		}
	}
	if !strings.Contains(err.Error(), "12 problems in 11 lines; nothing was written") {
		t.Errorf("summary = %q", err.Error())
	}
	// The generic error fields carry each line too.
	if f := portico.ErrorFields(err); !strings.Contains(f["line 9"], `MCD "-1"`) || !strings.Contains(f["line 9"], "Pulse") {
		t.Errorf("fields = %v", f)
	}
}

func TestReadRatesHeaderProblems(t *testing.T) {
	cases := map[string]string{
		"":                                    "The file is empty",
		"name,effective_date\nUK,2026-01-01":  "no prefix column",
		"prefix,prefix,rate,effective_date\n": "appears twice",
		RatesHeader + "\n":                    "no rates",
	}
	for in, want := range cases {
		_, err := ReadRates(strings.NewReader(in), RatesOptions{})
		if err == nil || !strings.Contains(portico.ErrorFields(err)["line 1"], want) {
			t.Errorf("ReadRates(%q) = %v, want %q on line 1", in, portico.ErrorFields(err), want)
		}
	}
	_, err := ReadRates(strings.NewReader(RatesHeader+"\n"), RatesOptions{Mapping: map[string]string{"rate": "Price"}})
	if err == nil || !strings.Contains(portico.ErrorFields(err)["line 1"], `no such column`) {
		t.Errorf("mapping to a missing column: %v", err)
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping("rate=Price/min, Prefix = Code")
	if err != nil || m["rate"] != "Price/min" || m["prefix"] != "Code" {
		t.Fatalf("ParseMapping = %v, %v", m, err)
	}
	if _, err := ParseMapping("rate"); err == nil {
		t.Fatal("a pair without = was accepted")
	}
}

func TestCDRReader(t *testing.T) {
	in := CDRHeader + "\n" +
		"c1,sw1,2026-02-01T10:00:00Z,+4411,447700900123,37,,,,,200,OK,,5,,,\n" + // 2 good, to be rated
		"c2,sw1,2026-02-01 10:00:05,4411,4930123,60,60,Germany,0.02,0.02,200,OK,termination,5,9,0.01,0.01\n" + // 3 good, priced
		"c3,sw1,yesterday,4411,4930123,60,,,,,200,OK,,5,,,\n" + // 4 bad time
		",sw1,2026-02-01T10:00:00Z,4411,4930123,-5,,,,,200,OK,,,,,\n" + // 5 no call id, negative duration, no customer
		"c5,sw1,2026-02-01T10:00:00+02:00,4411,4930123,5,,,,0.1234567,200,OK,sideways,5,,,0.01\n" // 6 seven decimals, bad direction, cost without carrier
	r, err := NewCDRReader(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []portico.CDR
	for {
		c, _, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if len(got) != 2 {
		t.Fatalf("good CDRs = %d, want 2", len(got))
	}
	if c := got[0]; c.CallID != "c1" || c.Charge != nil || c.Duration != 37 || c.CustomerID != 5 || c.Direction != "termination" || !c.NeedsRating() {
		t.Errorf("c1 = %+v", c)
	}
	if c := got[1]; c.Charge == nil || c.Charge.String() != "0.02" || c.CarrierID != 9 || c.StartTime.Format("15:04:05") != "10:00:05" || c.NeedsCarrierRating() {
		t.Errorf("c2 = %+v", c)
	}
	lines := byLine(r.Errs)
	if len(lines[4]) != 1 || !strings.HasPrefix(lines[4][0], "start_time:") {
		t.Errorf("line 4: %q", lines[4])
	}
	if len(lines[5]) != 3 {
		t.Errorf("line 5 should report call id, duration and customer: %q", lines[5])
	}
	if len(lines[6]) != 3 || !strings.Contains(strings.Join(lines[6], "|"), "more than 6 decimals") {
		t.Errorf("line 6: %q", lines[6])
	}
	// Missing required columns are refused at the header.
	if _, err := NewCDRReader(strings.NewReader("call_id,start_time\n"), nil); err == nil ||
		!strings.Contains(portico.ErrorFields(err)["line 1"], "no destination_number column") {
		t.Errorf("short header: %v", err)
	}
}
