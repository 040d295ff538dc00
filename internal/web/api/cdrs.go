package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// maxCDRsPerRequest bounds one POST /api/v1/cdrs.
const maxCDRsPerRequest = 100_000

// cdrInput is one CDR as a switch posts it. Money is a decimal string;
// charge, rate, carrier_rate and carrier_cost may be left out (or null) to
// have Portico rate the call.
type cdrInput struct {
	CallID            string        `json:"call_id"`
	Switch            string        `json:"switch"`
	StartTime         string        `json:"start_time"`
	CustomerID        int64         `json:"customer_id"`
	CarrierID         *int64        `json:"carrier_id"`
	SourceNumber      string        `json:"source_number"`
	DestinationNumber string        `json:"destination_number"`
	Duration          int           `json:"duration"`
	BilledDuration    *int          `json:"billed_duration"`
	DestinationName   string        `json:"destination_name"`
	SIPCode           int           `json:"sip_code"`
	SIPReason         string        `json:"sip_reason"`
	Direction         string        `json:"direction"`
	Rate              portico.Money `json:"rate"`
	Charge            portico.Money `json:"charge"`
	CarrierRate       portico.Money `json:"carrier_rate"`
	CarrierCost       portico.Money `json:"carrier_cost"`
}

// optionalMoney are the money fields whose absence (or null) means
// "unknown: rate it".
var optionalMoney = []string{"rate", "charge", "carrier_rate", "carrier_cost"}

// toCDR decodes one JSON object into a CDR, or returns the problems by field.
func toCDR(obj map[string]json.RawMessage) (portico.CDR, portico.FieldErrors) {
	bad := portico.FieldErrors{}
	present := map[string]bool{}
	for _, k := range optionalMoney {
		if string(obj[k]) == "null" {
			delete(obj, k)
		}
		_, present[k] = obj[k]
	}
	if _, ok := obj["duration"]; !ok {
		bad.Add("duration", "Duration is required (seconds; 0 for a failed call).")
	}
	var in cdrInput
	if err := applyJSON(&in, obj); err != nil {
		for k, v := range portico.ErrorFields(err) {
			bad.Add(k, v)
		}
	}
	c := portico.CDR{
		CallID: in.CallID, Switch: in.Switch, CustomerID: in.CustomerID, SourceNumber: in.SourceNumber,
		DestinationNumber: in.DestinationNumber, Duration: in.Duration, DestinationName: in.DestinationName,
		SIPCode: in.SIPCode, SIPReason: in.SIPReason, Direction: in.Direction,
	}
	if in.CarrierID != nil {
		c.CarrierID = *in.CarrierID
	}
	if in.BilledDuration != nil {
		c.BilledDuration = *in.BilledDuration
	}
	if in.StartTime != "" {
		t, err := portico.ParseStartTime(in.StartTime)
		if err != nil {
			bad.Add("start_time", "start_time "+err.Error()+".")
		}
		c.StartTime = t
	}
	for _, m := range []struct {
		key string
		v   portico.Money
		dst **portico.Money
	}{{"rate", in.Rate, &c.Rate}, {"charge", in.Charge, &c.Charge}, {"carrier_rate", in.CarrierRate, &c.CarrierRate}, {"carrier_cost", in.CarrierCost, &c.CarrierCost}} {
		if present[m.key] {
			v := m.v
			*m.dst = &v
		}
	}
	return c, bad
}

// postCDRs ingests a JSON array of CDRs or NDJSON (one object per line),
// up to maxCDRsPerRequest. Any bad item refuses the whole request (422,
// every problem listed by item number, counting from 1); otherwise it
// answers {"accepted", "duplicates", "unrated"}. Sending the same CDRs
// again is safe: they count as duplicates and change nothing.
func (a *api) postCDRs(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	imp, err := a.svc.NewCDRImport(actor, "api")
	if err != nil {
		return err
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxUpload))
	objs, err := readObjects(body)
	if err != nil {
		return uploadErr(w, err)
	}
	errs := &portico.LineErrors{Unit: "item"}
	cdrs := make([]portico.CDR, 0, len(objs))
	for i, obj := range objs {
		c, bad := toCDR(obj)
		checked, err := imp.Check(r.Context(), &c)
		if err != nil {
			return err
		}
		for k, v := range checked {
			bad.Add(k, v) // a field that did not decode keeps that message
		}
		errs.AddFields(i+1, bad)
		cdrs = append(cdrs, c)
	}
	if err := errs.Err(); err != nil {
		return uploadErr(w, err)
	}
	res, err := imp.Add(r.Context(), cdrs)
	if err != nil {
		return err
	}
	if err := imp.Finish(r.Context()); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

// readObjects reads a JSON array of objects, or a stream of objects (NDJSON
// or concatenated), whichever the first character says.
func readObjects(body *bufio.Reader) ([]map[string]json.RawMessage, error) {
	first, err := peekNonSpace(body)
	if err != nil {
		return nil, portico.Errorf(portico.EINVALID, "Request body is empty; send a JSON array of CDRs or NDJSON.")
	}
	dec := json.NewDecoder(body)
	array := first == '['
	if array {
		dec.Token()
	} else if first != '{' {
		return nil, portico.Errorf(portico.EINVALID, "Request body must be a JSON array of CDR objects or NDJSON (one object per line).")
	}
	var objs []map[string]json.RawMessage
	for n := 1; ; n++ {
		if array && !dec.More() {
			if _, err := dec.Token(); err != nil {
				return nil, syntaxErr(err, n)
			}
			break
		}
		var obj map[string]json.RawMessage
		err := dec.Decode(&obj)
		if err == io.EOF && !array {
			break
		}
		if err != nil {
			return nil, syntaxErr(err, n)
		}
		if obj == nil {
			return nil, portico.Errorf(portico.EINVALID, "Item %d is not a JSON object.", n)
		}
		if len(objs) == maxCDRsPerRequest {
			return nil, portico.Errorf(portico.EINVALID, "At most %d CDRs per request; split the upload.", maxCDRsPerRequest)
		}
		objs = append(objs, obj)
	}
	if len(objs) == 0 {
		return nil, portico.Errorf(portico.EINVALID, "The request has no CDRs.")
	}
	return objs, nil
}

// peekNonSpace returns the first byte that is not white space (or part of
// a UTF-8 byte-order mark) and leaves it unread.
func peekNonSpace(r *bufio.Reader) (byte, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			continue
		}
		return b, r.UnreadByte()
	}
}

func syntaxErr(err error, item int) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return err
	}
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return portico.Errorf(portico.EINVALID, "Item %d is not a JSON object.", item)
	}
	return portico.Errorf(portico.EINVALID, "Request body is not valid JSON at item %d: %v.", item, err)
}

// cdrView is a stored CDR. Money that is unknown (an unrated call) is null.
type cdrView struct {
	ID                int64          `json:"id"`
	CallID            string         `json:"call_id"`
	Switch            string         `json:"switch"`
	StartTime         timestamp      `json:"start_time"`
	SourceNumber      string         `json:"source_number"`
	DestinationNumber string         `json:"destination_number"`
	DestinationName   string         `json:"destination_name"`
	Duration          int            `json:"duration"`
	BilledDuration    int            `json:"billed_duration"`
	Rate              *portico.Money `json:"rate"`
	Charge            *portico.Money `json:"charge"`
	SIPCode           int            `json:"sip_code"`
	SIPReason         string         `json:"sip_reason"`
	Direction         string         `json:"direction"`
	CustomerID        int64          `json:"customer_id"`
	CarrierID         *int64         `json:"carrier_id"`
	CarrierRate       *portico.Money `json:"carrier_rate"`
	CarrierCost       *portico.Money `json:"carrier_cost"`
	Unrated           bool           `json:"unrated"` // no charge: no rate matched
}

func newCDRView(c *portico.CDR) cdrView {
	v := cdrView{
		ID: c.ID, CallID: c.CallID, Switch: c.Switch, StartTime: timestamp(c.StartTime), SourceNumber: c.SourceNumber,
		DestinationNumber: c.DestinationNumber, DestinationName: c.DestinationName, Duration: c.Duration,
		BilledDuration: c.BilledDuration, Rate: c.Rate, Charge: c.Charge, SIPCode: c.SIPCode, SIPReason: c.SIPReason,
		Direction: c.Direction, CustomerID: c.CustomerID, CarrierRate: c.CarrierRate, CarrierCost: c.CarrierCost, Unrated: c.Unrated,
	}
	if c.CarrierID != 0 {
		id := c.CarrierID
		v.CarrierID = &id
	}
	return v
}

// listCDRs serves ?account_id= (a customer's or a carrier's calls),
// ?from= and ?to= (start time, to exclusive), ?unrated=true (no charge),
// ?carrier_unrated=true (a carrier but no carrier cost) and paging.
func (a *api) listCDRs(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := portico.CDRFilter{After: after, Limit: limit}
	bad := portico.FieldErrors{}
	f.From, f.To = dateParam(r, "from", bad), dateParam(r, "to", bad)
	for name, dst := range map[string]*bool{"unrated": &f.Unrated, "carrier_unrated": &f.CarrierUnrated} {
		switch r.URL.Query().Get(name) {
		case "", "false":
		case "true":
			*dst = true
		default:
			bad.Add(name, name+" must be true or false.")
		}
	}
	if s := r.URL.Query().Get("account_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		acc, ferr := a.svc.FindAccountByID(r.Context(), id)
		switch {
		case err != nil || id < 1 || portico.ErrorCode(ferr) == portico.ENOTFOUND:
			bad.Add("account_id", fmt.Sprintf("Account %s does not exist.", s))
		case ferr != nil:
			return ferr
		case acc.Kind == portico.KindCarrier:
			f.CarrierID = id
		default:
			f.CustomerID = id
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	p, err := a.svc.ListCDRs(r.Context(), f)
	if err != nil {
		return err
	}
	writeList(w, p, newCDRView)
	return nil
}

// rateUnratedCDRs rates the stored unrated CDRs with the cards as they
// are now and answers {"rated": n, "unrated": n}.
func (a *api) rateUnratedCDRs(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	res, err := a.svc.RateUnratedCDRs(r.Context(), actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (a *api) getCDR(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "CDR")
	if err != nil {
		return err
	}
	c, err := a.svc.FindCDR(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newCDRView(c))
	return nil
}

// dateParam reads an optional YYYY-MM-DD or RFC 3339 query parameter.
func dateParam(r *http.Request, name string, bad portico.FieldErrors) time.Time {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := portico.ParseDate(s); err == nil {
		return t
	}
	t, err := portico.ParseStartTime(s)
	if err != nil {
		bad.Add(name, name+" must be a date (2026-01-31) or a time (2026-01-31T10:00:00Z).")
	}
	return t
}
