package portico

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Rate card directions: what kind of traffic a card prices.
const (
	DirectionTermination = "termination"
	DirectionOrigination = "origination"
)

// Rounding modes for a rate card's charges (see billing.Charge).
const (
	RoundHalfUp = "half_up" // the default: ties go away from zero
	RoundUp     = "up"      // any fraction rounds up (a common carrier rule)
	RoundDown   = "down"    // any fraction is dropped
)

// Limits on rate rows. They keep every product in rating inside int64:
// MaxRate × (MaxCallSeconds + MaxIncrementSeconds) < 2^63.
const (
	MaxRate             = 100_000 * MoneyScale // per minute, and per connection
	MaxIncrementSeconds = 86_400               // MCD and pulse
	MaxPrefixDigits     = 16
)

// DateLayout is how effective dates are written: a UTC calendar day.
const DateLayout = "2006-01-02"

// RateCard prices calls by destination prefix. Its rows live in versions:
// each CSV load adds one, and the earlier ones are kept so that a call is
// always rated by the rows in force at its start time.
type RateCard struct {
	ID        int64
	Name      string
	Currency  string
	Direction string
	// Precision is the number of decimals a charge keeps (0 to 6).
	Precision int
	// Rounding says how a charge is brought to Precision decimals.
	Rounding  string
	CreatedAt time.Time
	UpdatedAt time.Time
	// LatestVersion is the number of the newest version, 0 before any load.
	LatestVersion int
}

// DefaultPrecision is the precision of a new card: charges exact to the
// micro-unit.
const DefaultPrecision = 6

// NewRateCard returns a card with the defaults: termination, precision 6,
// rounding half up. (Precision 0 is a valid choice, so the zero value
// cannot stand for "default".)
func NewRateCard(name, currency string) *RateCard {
	return &RateCard{Name: name, Currency: currency, Direction: DirectionTermination, Precision: DefaultPrecision, Rounding: RoundHalfUp}
}

// Normalize puts user-typed values into their stored form and fills defaults.
func (c *RateCard) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	c.Direction = strings.ToLower(strings.TrimSpace(c.Direction))
	c.Rounding = strings.ToLower(strings.TrimSpace(c.Rounding))
	if c.Direction == "" {
		c.Direction = DirectionTermination
	}
	if c.Rounding == "" {
		c.Rounding = RoundHalfUp
	}
}

// Validate checks every field.
func (c *RateCard) Validate() error {
	f := FieldErrors{}
	checkText(f, "name", "Name", c.Name, 1, 200)
	if !currencyRE.MatchString(c.Currency) {
		f.Add("currency", "Currency must be a three-letter ISO code like USD.")
	}
	if c.Direction != DirectionTermination && c.Direction != DirectionOrigination {
		f.Add("direction", "Direction must be termination or origination.")
	}
	if c.Precision < 0 || c.Precision > 6 {
		f.Add("precision", "Precision must be a whole number of decimals from 0 to 6.")
	}
	if c.Rounding != RoundHalfUp && c.Rounding != RoundUp && c.Rounding != RoundDown {
		f.Add("rounding", "Rounding must be half_up, up or down.")
	}
	return f.Err()
}

// RateCardVersion is one load of a rate card's rows.
type RateCardVersion struct {
	ID         int64
	RateCardID int64
	Version    int // 1, 2, … per card
	Rows       int
	// Checksum identifies the rows loaded, so loading the same deck again
	// is recognised and adds no version.
	Checksum  string
	Source    string // file name or "api"
	CreatedAt time.Time
}

// Rate is one row of a rate card: calls whose destination starts with
// Prefix, starting on or after Effective, cost ConnectionFee plus Rate per
// minute of billed time. Billed time is at least MCD seconds and is counted
// in steps of Pulse seconds (30/6: 37 s bills 42 s).
type Rate struct {
	ID            int64 // set when read back
	Prefix        string
	Name          string
	Rate          Money // per minute
	ConnectionFee Money
	MCD           int // minimum charge duration, seconds
	Pulse         int // billing increment, seconds (≥ 1)
	Effective     time.Time
	// Version is the card version the row came from (set when read back).
	Version int
}

// Validate reports what is wrong with a row, keyed by column.
func (r *Rate) Validate() FieldErrors {
	f := FieldErrors{}
	switch {
	case r.Prefix == "":
		f.Add("prefix", "Prefix is required.")
	case len(r.Prefix) > MaxPrefixDigits:
		f.Add("prefix", fmt.Sprintf("Prefix must be at most %d digits.", MaxPrefixDigits))
	case strings.Trim(r.Prefix, "0123456789") != "":
		f.Add("prefix", "Prefix "+quote(r.Prefix)+" must be digits only.")
	}
	checkText(f, "name", "Name", r.Name, 0, 200)
	checkRate(f, "rate", "Rate", r.Rate)
	checkRate(f, "connection_fee", "Connection fee", r.ConnectionFee)
	if r.MCD < 0 || r.MCD > MaxIncrementSeconds {
		f.Add("mcd", fmt.Sprintf("Minimum charge duration must be 0 to %d seconds.", MaxIncrementSeconds))
	}
	if r.Pulse < 1 || r.Pulse > MaxIncrementSeconds {
		f.Add("pulse", fmt.Sprintf("Pulse must be 1 to %d seconds.", MaxIncrementSeconds))
	}
	if r.Effective.IsZero() {
		f.Add("effective_date", "Effective date is required (YYYY-MM-DD).")
	}
	return f
}

func checkRate(f FieldErrors, field, label string, m Money) {
	switch {
	case m < 0:
		f.Add(field, label+" cannot be negative.")
	case m > MaxRate:
		f.Add(field, label+" must be at most "+Money(MaxRate).String()+".")
	}
}

// ParseDate parses an effective date, YYYY-MM-DD, as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-01-31", s)
	}
	return t, nil
}

// ParseSeconds parses a whole, non-negative number of seconds.
func ParseSeconds(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds", s)
	}
	return n, nil
}

// LineError is a problem with one line of an uploaded file (or one item of
// a JSON list).
type LineError struct {
	Line    int
	Field   string // column, or "" for the whole line
	Message string
}

// MaxLineErrors bounds how many problems one upload reports in detail.
const MaxLineErrors = 1000

// LineErrors is every problem found in an upload, in line order. Nothing
// was written. It unwraps to an EINVALID *Error whose Fields are keyed
// "line N", so the generic error writers show it too.
type LineErrors struct {
	Unit  string // "line" (files) or "item" (JSON lists)
	Lines []LineError
	Total int // all problems found; Lines holds at most MaxLineErrors
}

// Add records a problem unless the detail list is full; Total still counts it.
func (e *LineErrors) Add(line int, field, msg string) {
	e.Total++
	if len(e.Lines) < MaxLineErrors {
		e.Lines = append(e.Lines, LineError{Line: line, Field: field, Message: msg})
	}
}

// AddFields records every message of f against line, in column order.
func (e *LineErrors) AddFields(line int, f FieldErrors) {
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		e.Add(line, k, f[k])
	}
}

// Err returns nil when nothing was recorded.
func (e *LineErrors) Err() error {
	if e.Total == 0 {
		return nil
	}
	sort.SliceStable(e.Lines, func(i, j int) bool { return e.Lines[i].Line < e.Lines[j].Line })
	return e
}

func (e *LineErrors) unit() string {
	if e.Unit == "" {
		return "line"
	}
	return e.Unit
}

// Summary is the one-sentence message.
func (e *LineErrors) Summary() string {
	lines := map[int]bool{}
	for _, l := range e.Lines {
		lines[l.Line] = true
	}
	s := fmt.Sprintf("%d problem", e.Total)
	if e.Total != 1 {
		s += "s"
	}
	s += fmt.Sprintf(" in %d %s", len(lines), e.unit())
	if len(lines) != 1 {
		s += "s"
	}
	if e.Total > len(e.Lines) {
		s += fmt.Sprintf(" (the first %d are listed)", len(e.Lines))
	}
	return s + "; nothing was written."
}

func (e *LineErrors) Error() string { return Errorf(EINVALID, "%s", e.Summary()).Error() }

// Unwrap makes ErrorCode, ErrorMessage and ErrorFields see an EINVALID error
// with one field per line ("line 4": "rate: … ; mcd: …").
func (e *LineErrors) Unwrap() error {
	fields := map[string]string{}
	for _, l := range e.Lines {
		key := fmt.Sprintf("%s %d", e.unit(), l.Line)
		msg := l.Message
		if prev, ok := fields[key]; ok {
			msg = prev + " " + msg
		}
		fields[key] = msg
	}
	return &Error{Code: EINVALID, Message: e.Summary(), Fields: fields}
}
