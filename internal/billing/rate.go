// Package billing is Portico's rating logic, free of any database: billed
// seconds, charges with one written rounding rule, longest-prefix matching
// over versioned rate cards, and the readers for rate decks and CDR files.
package billing

import (
	"time"

	"portico/internal/portico"
)

// BilledSeconds is the time a call is billed for: max(mcd, duration rounded
// up to a multiple of pulse). A call of 0 s bills nothing at all (its
// connection fee included), however large mcd is. 37 s on 30/6 bills 42 s;
// 20 s on 30/6 bills 30 s; 61 s on 60/60 bills 120 s.
func BilledSeconds(duration, mcd, pulse int) int {
	if duration <= 0 {
		return 0
	}
	if pulse < 1 {
		pulse = 1
	}
	billed := (duration + pulse - 1) / pulse * pulse
	return max(billed, mcd)
}

// Charge is what a call billed for billed seconds costs:
//
//	connection fee + rate × billed / 60
//
// computed exactly in integers (the numerator in micro-units × seconds) and
// then rounded once, to the card's precision (decimals, 0 to 6), by its
// rounding mode:
//
//   - half_up: a remainder of half a unit or more rounds up (charges are
//     never negative, so this is also "half away from zero"); the default;
//   - up: any remainder rounds up;
//   - down: any remainder is dropped.
//
// With the default precision of 6, a charge is exact to the micro-unit
// before rounding half up: 0.01/min for 1 s is 0.000166666… → 0.000167.
// A call billed for 0 s is free: no connection fee either. Rates and
// durations are bounded (portico.MaxRate, portico.MaxCallSeconds) so the
// product never overflows int64.
func Charge(rate, connectionFee portico.Money, billed, precision int, rounding string) portico.Money {
	if billed <= 0 {
		return 0
	}
	if precision < 0 || precision > 6 {
		precision = 6
	}
	unit := int64(1)
	for range 6 - precision {
		unit *= 10
	}
	num := int64(connectionFee)*60 + int64(rate)*int64(billed)
	den := 60 * unit
	q, r := num/den, num%den
	switch rounding {
	case portico.RoundUp:
		if r > 0 {
			q++
		}
	case portico.RoundDown:
	default: // half_up
		if 2*r >= den {
			q++
		}
	}
	return portico.Money(q * unit)
}

// Rated is the outcome of rating one call.
type Rated struct {
	Prefix string
	Name   string // destination name from the matched row
	Rate   portico.Money
	Billed int // seconds
	Charge portico.Money
}

// Card is a rate card ready to rate calls: every version's rows merged into
// one matcher, so that a call is rated by the rows in force at its start.
// It is immutable and safe for concurrent use.
type Card struct {
	ID        int64
	Precision int
	Rounding  string
	// Version is the card's newest version when the Card was built; a
	// cache compares it to tell whether the Card is stale.
	Version int
	m       *Matcher
}

// NewCard builds a Card from the card's settings and the rows of all its
// versions (each with its Version set).
func NewCard(c *portico.RateCard, rows []portico.Rate) *Card {
	return &Card{ID: c.ID, Precision: c.Precision, Rounding: c.Rounding, Version: c.LatestVersion, m: NewMatcher(rows)}
}

// Prefixes is the number of distinct prefixes on the card.
func (c *Card) Prefixes() int { return c.m.Prefixes() }

// Rate rates a call to number starting at start and lasting duration
// seconds. ok is false when no row is in force for the number at that time.
func (c *Card) Rate(number string, start time.Time, duration int) (r Rated, ok bool) {
	row, ok := c.m.Lookup(number, start.Unix())
	if !ok {
		return Rated{}, false
	}
	billed := BilledSeconds(duration, row.MCD, row.Pulse)
	return Rated{
		Prefix: row.Prefix, Name: row.Name, Rate: row.Rate, Billed: billed,
		Charge: Charge(row.Rate, row.ConnectionFee, billed, c.Precision, c.Rounding),
	}, true
}
