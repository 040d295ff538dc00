package portico

import "testing"

func TestParseMoney(t *testing.T) {
	good := map[string]Money{
		"50": 50_000_000, "50.00": 50_000_000, "-3.5": -3_500_000, "0.012345": 12_345,
		".5": 500_000, "+1.000001": 1_000_001, " 7 ": 7_000_000, "0": 0,
	}
	for in, want := range good {
		got, err := ParseMoney(in)
		if err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.2.3", "1e5", "1.", "-", "0.0000001", "99999999999999999999", "1,5", "NaN"} {
		if _, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) accepted bad input", in)
		}
	}
}

func TestMoneyString(t *testing.T) {
	cases := map[Money]string{
		50_000_000: "50.00", 12_345: "0.012345", -3_500_000: "-3.50", 0: "0.00", 1_250_000: "1.25", 100: "0.0001",
	}
	for in, want := range cases {
		if got := in.String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", in, got, want)
		}
	}
}
