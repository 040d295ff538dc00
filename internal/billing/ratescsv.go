package billing

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"portico/internal/portico"
)

// RatesHeader is the canonical header of a rate deck, the one Portico
// writes and documents.
const RatesHeader = "prefix,name,rate,connection_fee,mcd,pulse,effective_date"

// MaxRateRows bounds one deck.
const MaxRateRows = 1_000_000

// rateAliases are the header names each rate field is recognised by, after
// normalizeName. increment is the combined "30/6" form of mcd and pulse (or
// the pulse alone).
var rateAliases = map[string][]string{
	"prefix":         {"prefix", "code", "dial_code", "dialcode", "dialing_code", "destination_code"},
	"name":           {"name", "destination", "destination_name", "description", "country"},
	"rate":           {"rate", "price", "rate_per_minute", "per_minute", "price_per_minute"},
	"connection_fee": {"connection_fee", "connect_fee", "connection_charge", "setup_fee"},
	"mcd":            {"mcd", "min_duration", "minimum_duration", "minimum_charge_duration", "initial_interval", "first_interval"},
	"pulse":          {"pulse", "billing_interval", "next_interval", "interval"},
	"increment":      {"increment", "increments", "billing_increment", "billing_increments"},
	"effective_date": {"effective_date", "effective", "effective_from", "valid_from", "start_date", "date"},
}

// RatesOptions adjust how a deck is read.
type RatesOptions struct {
	// Mapping names, per field, the file's column for it, when the
	// recognised names do not fit (e.g. {"rate": "Price/min"}).
	Mapping map[string]string
	// Effective is the effective date of every row when the file has no
	// effective date column; zero means such a file is refused.
	Effective time.Time
}

// ReadRates reads a rate deck. Columns are found by header name, in any
// order; unknown columns are ignored. Missing optional columns default to
// connection fee 0, MCD 0 and pulse 1 (per-second billing). Every problem
// is reported with its line number (the header is line 1) in a
// *portico.LineErrors, and then no rows are returned: a deck loads whole
// or not at all.
func ReadRates(r io.Reader, opts RatesOptions) ([]portico.Rate, error) {
	errs := &portico.LineErrors{Unit: "line"}
	cr := newCSVReader(r)
	cells, err := cr.Read()
	if err == io.EOF {
		errs.Add(1, "", "The file is empty; the first line must be a header like "+RatesHeader+".")
		return nil, errs.Err()
	}
	if err != nil {
		errs.Add(1, "", "The header line is not valid CSV.")
		return nil, errs.Err()
	}
	h := resolveHeader(cells, rateAliases, opts.Mapping, errs)
	if !h.has("prefix") {
		errs.Add(1, "prefix", "The header has no prefix column (expected a header like "+RatesHeader+").")
	}
	if !h.has("rate") {
		errs.Add(1, "rate", "The header has no rate column (expected a header like "+RatesHeader+").")
	}
	if !h.has("effective_date") && opts.Effective.IsZero() {
		errs.Add(1, "effective_date", "The header has no effective_date column; add one or give a default effective date.")
	}
	if errs.Total > 0 {
		return nil, errs.Err()
	}
	width := len(cells)
	var rows []portico.Rate
	seen := map[string]int{} // prefix|date → line
	for {
		rec, line, err := readRecord(cr, errs)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read rates: %w", err)
		}
		if rec == nil {
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != width {
			errs.Add(line, "", fmt.Sprintf("Has %d columns; the header has %d.", len(rec), width))
			continue
		}
		if len(rows) >= MaxRateRows {
			errs.Add(line, "", fmt.Sprintf("A deck may have at most %d rows.", MaxRateRows))
			break
		}
		row, bad := parseRate(h, rec, opts)
		if len(bad) == 0 {
			key := row.Prefix + "|" + row.Effective.Format(portico.DateLayout)
			if first, dup := seen[key]; dup {
				bad.Add("prefix", fmt.Sprintf("Prefix %s with effective date %s is already on line %d.", row.Prefix, row.Effective.Format(portico.DateLayout), first))
			} else {
				seen[key] = line
			}
		}
		if len(bad) > 0 {
			errs.AddFields(line, bad)
			continue
		}
		rows = append(rows, row)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		errs.Add(1, "", "The file has a header but no rates.")
		return nil, errs.Err()
	}
	return rows, nil
}

func parseRate(h header, rec []string, opts RatesOptions) (portico.Rate, portico.FieldErrors) {
	bad := portico.FieldErrors{}
	r := portico.Rate{Prefix: strings.TrimPrefix(h.cell(rec, "prefix"), "+"), Name: h.cell(rec, "name"), Pulse: 1, Effective: opts.Effective}
	r.Rate = parseMoneyCell(bad, "rate", "Rate", h.cell(rec, "rate"), true)
	r.ConnectionFee = parseMoneyCell(bad, "connection_fee", "Connection fee", h.cell(rec, "connection_fee"), false)
	if s := h.cell(rec, "increment"); s != "" {
		// "30/6" is MCD and pulse; a single number is the pulse.
		mcd, pulse, both := strings.Cut(s, "/")
		if !both {
			mcd, pulse = "", mcd
		}
		if mcd != "" {
			r.MCD = parseSecondsCell(bad, "increment", "Increment", mcd, s)
		}
		r.Pulse = parseSecondsCell(bad, "increment", "Increment", pulse, s)
	}
	if s := h.cell(rec, "mcd"); s != "" {
		r.MCD = parseSecondsCell(bad, "mcd", "MCD", s, s)
	}
	if s := h.cell(rec, "pulse"); s != "" {
		r.Pulse = parseSecondsCell(bad, "pulse", "Pulse", s, s)
	}
	if h.has("effective_date") {
		if s := h.cell(rec, "effective_date"); s != "" || opts.Effective.IsZero() {
			d, err := portico.ParseDate(s)
			if err != nil {
				bad.Add("effective_date", "Effective date "+err.Error()+" (YYYY-MM-DD, UTC).")
			}
			r.Effective = d
		}
	}
	for k, v := range r.Validate() {
		bad.Add(k, v) // a column that failed to parse keeps its first message
	}
	return r, bad
}

// parseMoneyCell parses an amount, refusing what ParseMoney refuses (more
// than six decimals, NaN, exponents, overflow) with the column named.
func parseMoneyCell(bad portico.FieldErrors, field, label, s string, required bool) portico.Money {
	if s == "" {
		if required {
			bad.Add(field, label+" is required.")
		}
		return 0
	}
	m, err := portico.ParseMoney(s)
	if err != nil {
		bad.Add(field, fmt.Sprintf("%s %q %v.", label, s, err))
	}
	return m
}

func parseSecondsCell(bad portico.FieldErrors, field, label, s, whole string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		bad.Add(field, fmt.Sprintf("%s %q is not a whole number of seconds.", label, whole))
	}
	return n
}
