package billing

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"portico/internal/portico"
)

func TestBilledSeconds(t *testing.T) {
	cases := []struct{ duration, mcd, pulse, want int }{
		{37, 30, 6, 42}, // the example
		{20, 30, 6, 30}, // below the minimum: the minimum
		{30, 30, 6, 30},
		{31, 30, 6, 36},
		{0, 30, 6, 0}, // a failed call bills nothing
		{0, 0, 1, 0},
		{1, 1, 1, 1},
		{59, 1, 1, 59},
		{60, 60, 60, 60},
		{61, 60, 60, 120},
		{7, 0, 6, 12},
		{1, 60, 1, 60},
		{1, 0, 0, 1}, // a pulse of 0 is treated as 1 rather than dividing by zero
	}
	for _, c := range cases {
		if got := BilledSeconds(c.duration, c.mcd, c.pulse); got != c.want {
			t.Errorf("BilledSeconds(%d, %d/%d) = %d, want %d", c.duration, c.mcd, c.pulse, got, c.want)
		}
	}
}

func money(t *testing.T, s string) portico.Money {
	t.Helper()
	m, err := portico.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChargeRounding(t *testing.T) {
	cases := []struct {
		rate, fee string
		billed    int
		precision int
		rounding  string
		want      string
	}{
		{"0.01", "0", 1, 6, portico.RoundHalfUp, "0.000167"}, // 0.0001666… rounds up
		{"0.01", "0", 1, 6, portico.RoundDown, "0.000166"},
		{"0.01", "0", 1, 6, portico.RoundUp, "0.000167"},
		{"0.012", "0", 42, 6, portico.RoundHalfUp, "0.0084"},                                                                     // exact
		{"0.012", "0.05", 42, 6, portico.RoundHalfUp, "0.0584"},                                                                  // connection fee added before rounding
		{"0.012", "0.05", 42, 2, portico.RoundHalfUp, "0.06"},                                                                    // 0.0584 → 0.06
		{"0.012", "0.05", 42, 2, portico.RoundDown, "0.05"},                                                                      //          → 0.05
		{"0.012", "0.05", 42, 2, portico.RoundUp, "0.06"},                                                                        //          → 0.06
		{"0.3", "0", 1, 2, portico.RoundHalfUp, "0.01"},                                                                          // 0.005 exactly: half rounds up
		{"0.3", "0", 1, 2, portico.RoundDown, "0.00"},                                                                            // … or is dropped
		{"0.6", "0", 1, 2, portico.RoundUp, "0.01"},                                                                              // 0.01 exactly: nothing to round
		{"0.000001", "0", 29, 6, portico.RoundHalfUp, "0.00"},                                                                    // 0.00000048…: below half a micro-unit
		{"0.000001", "0", 30, 6, portico.RoundHalfUp, "0.000001"},                                                                // 0.0000005: half
		{"1.5", "0.2", 0, 6, portico.RoundHalfUp, "0.00"},                                                                        // 0 s: no connection fee either
		{"100000", "100000", portico.MaxCallSeconds + portico.MaxIncrementSeconds, 6, portico.RoundHalfUp, "16810766666.666667"}, // the largest possible charge does not overflow
		{"2.5", "0", 60, 0, portico.RoundHalfUp, "3.00"},                                                                         // precision 0: whole units
	}
	for _, c := range cases {
		got := Charge(money(t, c.rate), money(t, c.fee), c.billed, c.precision, c.rounding)
		if got.String() != c.want {
			t.Errorf("Charge(%s/min + %s, %d s, %d decimals %s) = %s, want %s", c.rate, c.fee, c.billed, c.precision, c.rounding, got, c.want)
		}
	}
}

// TestChargeAgainstRationals checks Charge against an independent exact
// calculation in big.Rat for many random calls.
func TestChargeAgainstRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		rate := portico.Money(rng.Int64N(5 * portico.MoneyScale))
		fee := portico.Money(rng.Int64N(portico.MoneyScale / 10))
		billed := 1 + rng.IntN(7200)
		precision := rng.IntN(7)
		rounding := []string{portico.RoundHalfUp, portico.RoundUp, portico.RoundDown}[rng.IntN(3)]
		// exact = fee + rate*billed/60, in units
		exact := new(big.Rat).SetFrac64(int64(rate)*int64(billed), 60*portico.MoneyScale)
		exact.Add(exact, big.NewRat(int64(fee), portico.MoneyScale))
		scale := new(big.Rat).SetInt64(pow10(precision))
		scaled := new(big.Rat).Mul(exact, scale) // in units of 10^-precision
		floor := new(big.Int).Quo(scaled.Num(), scaled.Denom())
		frac := new(big.Rat).Sub(scaled, new(big.Rat).SetInt(floor))
		switch rounding {
		case portico.RoundUp:
			if frac.Sign() > 0 {
				floor.Add(floor, big.NewInt(1))
			}
		case portico.RoundHalfUp:
			if frac.Cmp(big.NewRat(1, 2)) >= 0 {
				floor.Add(floor, big.NewInt(1))
			}
		}
		want := floor.Int64() * (portico.MoneyScale / pow10(precision))
		if got := Charge(rate, fee, billed, precision, rounding); int64(got) != want {
			t.Fatalf("Charge(%s, %s, %d, %d, %s) = %d, want %d", rate, fee, billed, precision, rounding, got, want)
		}
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
