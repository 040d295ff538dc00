package portico

import (
	"fmt"
	"strings"
	"time"
)

// MaxCallSeconds bounds a call's duration (about 115 days): far beyond any
// real call, and small enough that rating never overflows.
const MaxCallSeconds = 10_000_000

// CDR is a call detail record from a switch. It is unique per (Switch,
// CallID): the same record sent twice is stored once.
type CDR struct {
	ID                int64
	Switch            string
	CallID            string
	StartTime         time.Time // UTC
	SourceNumber      string
	DestinationNumber string
	Duration          int // seconds
	BilledDuration    int // seconds, after MCD and pulse
	DestinationName   string
	SIPCode           int
	SIPReason         string
	Direction         string
	CustomerID        int64
	// Rate and Charge are what the customer pays (per minute, and for the
	// call). A nil Charge on input means "rate it"; after rating, nil means
	// no rate matched and the CDR is unrated.
	Rate   *Money
	Charge *Money
	// CarrierID is the carrier the call went out through (0: none); its
	// rate and cost are what the operator pays that carrier, rated from
	// the carrier's card when not given.
	CarrierID   int64
	CarrierRate *Money
	CarrierCost *Money
	// Unrated is set when no charge was sent and no rate matched: the
	// customer's charge is unknown. (An unknown carrier cost is a nil
	// CarrierCost on a CDR with a carrier; see CDRFilter.CarrierUnrated.)
	Unrated bool
}

// NeedsRating reports whether the customer side has no charge yet.
func (c *CDR) NeedsRating() bool { return c.Charge == nil }

// NeedsCarrierRating reports whether the carrier side has no cost yet.
func (c *CDR) NeedsCarrierRating() bool { return c.CarrierID != 0 && c.CarrierCost == nil }

// Normalize trims text fields and fills defaults.
func (c *CDR) Normalize() {
	c.Switch = strings.TrimSpace(c.Switch)
	c.CallID = strings.TrimSpace(c.CallID)
	c.SourceNumber = strings.TrimSpace(c.SourceNumber)
	c.DestinationNumber = strings.TrimSpace(c.DestinationNumber)
	c.DestinationName = strings.TrimSpace(c.DestinationName)
	c.SIPReason = strings.TrimSpace(c.SIPReason)
	c.Direction = strings.ToLower(strings.TrimSpace(c.Direction))
	if c.Direction == "" {
		c.Direction = DirectionTermination
	}
	c.StartTime = c.StartTime.UTC()
	if c.Charge != nil && c.BilledDuration == 0 {
		c.BilledDuration = c.Duration
	}
}

// Validate checks what can be checked without the database (that the
// accounts exist is the ingest's job).
func (c *CDR) Validate() FieldErrors {
	f := FieldErrors{}
	checkText(f, "call_id", "Call id", c.CallID, 1, 255)
	checkText(f, "switch", "Switch", c.Switch, 0, 100)
	if c.StartTime.IsZero() {
		f.Add("start_time", "Start time is required (RFC 3339, e.g. 2026-11-01T09:30:00Z).")
	} else if y := c.StartTime.Year(); y < 1990 || y > 2200 {
		f.Add("start_time", "Start time "+c.StartTime.Format(time.RFC3339)+" is not a plausible call time.")
	}
	checkText(f, "source_number", "Source number", c.SourceNumber, 0, 64)
	checkText(f, "destination_number", "Destination number", c.DestinationNumber, 1, 64)
	checkText(f, "destination_name", "Destination name", c.DestinationName, 0, 200)
	checkText(f, "sip_reason", "SIP reason", c.SIPReason, 0, 200)
	if c.Duration < 0 || c.Duration > MaxCallSeconds {
		f.Add("duration", fmt.Sprintf("Duration must be 0 to %d seconds.", MaxCallSeconds))
	}
	if c.BilledDuration < 0 || c.BilledDuration > MaxCallSeconds+MaxIncrementSeconds {
		f.Add("billed_duration", "Billed duration must be a plausible number of seconds.")
	}
	if c.SIPCode != 0 && (c.SIPCode < 100 || c.SIPCode > 699) {
		f.Add("sip_code", "SIP code must be from 100 to 699.")
	}
	if c.Direction != DirectionTermination && c.Direction != DirectionOrigination {
		f.Add("direction", "Direction must be termination or origination.")
	}
	if c.CustomerID <= 0 {
		f.Add("customer_id", "Customer id is required.")
	}
	if c.CarrierID < 0 {
		f.Add("carrier_id", "Carrier id must be a positive id.")
	}
	for _, m := range []struct {
		field, label string
		v            *Money
	}{{"rate", "Rate", c.Rate}, {"charge", "Charge", c.Charge}, {"carrier_rate", "Carrier rate", c.CarrierRate}, {"carrier_cost", "Carrier cost", c.CarrierCost}} {
		switch {
		case m.v == nil:
		case *m.v < 0:
			f.Add(m.field, m.label+" cannot be negative.")
		case *m.v > MaxAmount:
			f.Add(m.field, m.label+" must be at most "+Money(MaxAmount).String()+".")
		}
	}
	if c.CarrierCost != nil && c.CarrierID == 0 {
		f.Add("carrier_cost", "Carrier cost needs a carrier_id.")
	}
	return f
}

// CDRFilter selects CDRs for listing.
type CDRFilter struct {
	CustomerID int64     // 0 = any
	CarrierID  int64     // 0 = any
	From, To   time.Time // start time range [From, To); zero = open
	Unrated    bool      // only CDRs without a customer charge
	// CarrierUnrated: only CDRs with a carrier but no carrier cost.
	CarrierUnrated bool
	// Number: only calls to destination numbers starting with these
	// digits, written with or without a leading + (switches differ).
	Number string
	// Connected: only answered calls (duration above zero).
	Connected bool
	After     int64
	Limit     int
}

// IngestResult is what an ingest of CDRs did.
type IngestResult struct {
	Accepted   int `json:"accepted"`   // new CDRs stored
	Duplicates int `json:"duplicates"` // already stored (same switch and call id): ignored
	Unrated    int `json:"unrated"`    // of the accepted, how many have no charge (no rate matched)
}

// Add sums r2 into r.
func (r *IngestResult) Add(r2 IngestResult) {
	r.Accepted += r2.Accepted
	r.Duplicates += r2.Duplicates
	r.Unrated += r2.Unrated
}

// ParseStartTime parses a call's start time: RFC 3339 with any offset
// (stored in UTC), or "2006-01-02 15:04:05" taken as UTC, as many switches
// write it.
func ParseStartTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2026-11-01T09:30:00Z", s)
}

// RerateResult says what rating the unrated CDRs again did.
type RerateResult struct {
	Rated   int `json:"rated"`   // now charged
	Unrated int `json:"unrated"` // still without a rate
}
