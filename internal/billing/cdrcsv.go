package billing

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"portico/internal/portico"
)

// CDRHeader is the canonical header of a CDR file.
const CDRHeader = "call_id,switch,start_time,source_number,destination_number,duration,billed_duration,destination_name," +
	"rate,charge,sip_code,sip_reason,direction,customer_id,carrier_id,carrier_rate,carrier_cost"

// cdrAliases are the header names each CDR field is recognised by.
var cdrAliases = map[string][]string{
	"call_id":            {"call_id", "callid", "unique_id", "uniqueid"},
	"switch":             {"switch", "switch_name", "node"},
	"start_time":         {"start_time", "start", "started_at", "start_at", "call_start", "setup_time"},
	"source_number":      {"source_number", "source", "src", "caller", "caller_id", "callerid", "ani", "from"},
	"destination_number": {"destination_number", "destination", "dst", "callee", "called", "dnis", "to"},
	"duration":           {"duration", "duration_seconds", "billsec"},
	"billed_duration":    {"billed_duration", "billed_seconds", "billed"},
	"destination_name":   {"destination_name", "dest_name"},
	"rate":               {"rate", "customer_rate"},
	"charge":             {"charge", "customer_charge"},
	"sip_code":           {"sip_code", "sip_status"},
	"sip_reason":         {"sip_reason", "reason"},
	"direction":          {"direction"},
	"customer_id":        {"customer_id", "customer", "account_id"},
	"carrier_id":         {"carrier_id", "carrier", "vendor_id"},
	"carrier_rate":       {"carrier_rate", "vendor_rate"},
	"carrier_cost":       {"carrier_cost", "vendor_cost"},
}

// CDRReader reads a CDR file a line at a time, so files of any size stream
// through in bounded memory.
type CDRReader struct {
	cr    *csv.Reader
	h     header
	width int
	// Errs collects every problem found, by line.
	Errs *portico.LineErrors
}

// NewCDRReader reads the header. Problems with it are in the returned
// error (a *portico.LineErrors); rows are read with Next.
func NewCDRReader(r io.Reader, mapping map[string]string) (*CDRReader, error) {
	errs := &portico.LineErrors{Unit: "line"}
	cr := newCSVReader(r)
	cells, err := cr.Read()
	if err != nil {
		errs.Add(1, "", "The first line must be a header like "+CDRHeader+".")
		return nil, errs.Err()
	}
	h := resolveHeader(cells, cdrAliases, mapping, errs)
	for _, f := range []string{"call_id", "start_time", "destination_number", "duration", "customer_id"} {
		if !h.has(f) {
			errs.Add(1, f, "The header has no "+f+" column (expected a header like "+CDRHeader+").")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &CDRReader{cr: cr, h: h, width: len(cells), Errs: errs}, nil
}

// Next returns the next good CDR and its line number, or io.EOF. Lines
// with problems are recorded in Errs and skipped, so one pass finds every
// problem in the file.
func (r *CDRReader) Next() (portico.CDR, int, error) {
	for {
		rec, line, err := readRecord(r.cr, r.Errs)
		if err != nil {
			return portico.CDR{}, line, err
		}
		if rec == nil || len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != r.width {
			r.Errs.Add(line, "", fmt.Sprintf("Has %d columns; the header has %d.", len(rec), r.width))
			continue
		}
		c, bad := r.parse(rec)
		if len(bad) > 0 {
			r.Errs.AddFields(line, bad)
			continue
		}
		return c, line, nil
	}
}

func (r *CDRReader) parse(rec []string) (portico.CDR, portico.FieldErrors) {
	h, bad := r.h, portico.FieldErrors{}
	c := portico.CDR{
		CallID: h.cell(rec, "call_id"), Switch: h.cell(rec, "switch"),
		SourceNumber: h.cell(rec, "source_number"), DestinationNumber: h.cell(rec, "destination_number"),
		DestinationName: h.cell(rec, "destination_name"), SIPReason: h.cell(rec, "sip_reason"),
		Direction: h.cell(rec, "direction"),
	}
	if s := h.cell(rec, "start_time"); s != "" {
		t, err := portico.ParseStartTime(s)
		if err != nil {
			bad.Add("start_time", "Start time "+err.Error()+".")
		}
		c.StartTime = t
	}
	if h.cell(rec, "duration") == "" {
		bad.Add("duration", "Duration is required (seconds; 0 for a failed call).")
	}
	c.Duration = intCell(bad, h, rec, "duration", "Duration")
	c.BilledDuration = intCell(bad, h, rec, "billed_duration", "Billed duration")
	c.SIPCode = intCell(bad, h, rec, "sip_code", "SIP code")
	c.CustomerID = int64(intCell(bad, h, rec, "customer_id", "Customer id"))
	c.CarrierID = int64(intCell(bad, h, rec, "carrier_id", "Carrier id"))
	c.Rate = optionalMoney(bad, h, rec, "rate", "Rate")
	c.Charge = optionalMoney(bad, h, rec, "charge", "Charge")
	c.CarrierRate = optionalMoney(bad, h, rec, "carrier_rate", "Carrier rate")
	c.CarrierCost = optionalMoney(bad, h, rec, "carrier_cost", "Carrier cost")
	c.Normalize()
	for k, v := range c.Validate() {
		bad.Add(k, v)
	}
	return c, bad
}

func intCell(bad portico.FieldErrors, h header, rec []string, field, label string) int {
	s := h.cell(rec, field)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		bad.Add(field, fmt.Sprintf("%s %q is not a whole number.", label, s))
	}
	return n
}

func optionalMoney(bad portico.FieldErrors, h header, rec []string, field, label string) *portico.Money {
	s := h.cell(rec, field)
	if s == "" {
		return nil
	}
	m := parseMoneyCell(bad, field, label, s, false)
	return &m
}
