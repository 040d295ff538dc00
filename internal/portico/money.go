package portico

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in millionths of the currency unit (micro-units).
// Six decimals hold per-minute rates exactly; int64 holds ±9.2 trillion units.
// No float64 is ever used where money flows.
type Money int64

// MoneyScale is the number of Money units in one currency unit.
const MoneyScale = 1_000_000

// ParseMoney parses a plain decimal string such as "50", "-3.5" or
// "0.012345". At most six decimals are accepted; more is an error rather
// than a silent rounding, because a rate typed with seven decimals is a
// mistake the user should see.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("is empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("is not a number")
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("is not a number")
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("is not a number")
		}
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("has more than 6 decimals")
	}
	if intPart == "" {
		intPart = "0"
	}
	units, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || units > math.MaxInt64/MoneyScale-1 {
		return 0, fmt.Errorf("is too large")
	}
	frac += strings.Repeat("0", 6-len(frac))
	micros, _ := strconv.ParseInt(frac, 10, 64)
	v := units*MoneyScale + micros
	if neg {
		v = -v
	}
	return Money(v), nil
}

// String formats m with at least two decimals and up to six, dropping
// trailing zeros beyond the second: 50 → "50.00", 0.0125 → "0.0125".
func (m Money) String() string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v // MinInt64 cannot arise from ParseMoney's range
	}
	frac := fmt.Sprintf("%06d", v%MoneyScale)
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, v/MoneyScale, frac)
}

// MarshalText writes m as a decimal string, so JSON carries "50.00".
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses a decimal string.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return fmt.Errorf("%q %v", b, err)
	}
	*m = v
	return nil
}
