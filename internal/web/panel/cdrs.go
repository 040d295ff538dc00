package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// cdrRow is a call as the CDR list shows it: numbers made readable, and an
// unknown charge or rate shown as a dash rather than zero.
type cdrRow struct {
	*portico.CDR
	Account          *portico.Account
	Duration, Billed string
	Rate, Charge     string
	SIP              string
}

func newCDRRow(c *portico.CDR, acc *portico.Account) cdrRow {
	row := cdrRow{CDR: c, Account: acc, Duration: minutes(c.Duration), Billed: minutes(c.BilledDuration),
		Rate: moneyOrDash(c.Rate), Charge: moneyOrDash(c.Charge), SIP: "—"}
	if c.Charge == nil {
		row.Billed = "—" // billed time comes from the rate that did not match
	} else {
		row.Charge += " " + acc.Currency
	}
	if c.SIPCode != 0 {
		row.SIP = strings.TrimSpace(fmt.Sprintf("%d %s", c.SIPCode, c.SIPReason))
	}
	return row
}

// AccountLink is the page of the call's customer.
func (c cdrRow) AccountLink() string { return accountLink(c.Account) }

// minutes writes seconds as m:ss, as switches and invoices do.
func minutes(s int) string { return fmt.Sprintf("%d:%02d", s/60, s%60) }

func moneyOrDash(m *portico.Money) string {
	if m == nil {
		return "—"
	}
	return m.String()
}

type cdrList struct {
	CDRs     []cdrRow
	Accounts []option
	Export   string // the download of every call the filter selects
	pager
}

// cdrFilterFields are the CDR list's query parameters, kept in the filter
// form and (by trimPage) in the Next link.
var cdrFilterFields = []string{"account", "from", "to", "number", "connected", "unrated"}

// readCDRFilter reads the filter form. Days are UTC calendar days and To
// is inclusive, as people read a date range.
func readCDRFilter(q url.Values, fe portico.FieldErrors) portico.CDRFilter {
	f := portico.CDRFilter{Connected: checked(q, "connected"), Unrated: checked(q, "unrated")}
	day := func(name, label string) time.Time {
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			return time.Time{}
		}
		t, err := portico.ParseDate(s)
		if err != nil {
			fe.Add(name, label+" must be a date like 2026-01-31.")
		}
		return t
	}
	f.From = day("from", "From")
	if to := day("to", "To"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
		if !f.From.IsZero() && to.Before(f.From) {
			fe.Add("to", "To must not be before From.")
		}
	}
	n := strings.Join(strings.Fields(q.Get("number")), "")
	if d := strings.TrimPrefix(n, "+"); strings.Trim(d, "0123456789") != "" || len(d) > 32 {
		fe.Add("number", "Number must be the first digits of the number called, like 4420 (a leading + is fine).")
	} else {
		f.Number = d
	}
	return f
}

// cdrQuery reads the CDR list's filter from the request: the store's
// filter, the form to show again, the problems found (in fe) and the
// accounts index that names the calls' accounts.
func (p *panel) cdrQuery(r *http.Request, fe portico.FieldErrors) (portico.CDRFilter, url.Values, *accountIndex, error) {
	ctx, q := r.Context(), r.URL.Query()
	idx, err := p.newAccountIndex(ctx)
	if err != nil {
		return portico.CDRFilter{}, nil, nil, err
	}
	f := readCDRFilter(q, fe)
	acc, err := idx.filter(ctx, fe, q)
	if err != nil {
		return f, nil, nil, err
	}
	switch {
	case acc == nil:
	case acc.Kind == portico.KindCarrier:
		f.CarrierID = acc.ID
	default:
		f.CustomerID = acc.ID
	}
	form := url.Values{}
	for _, k := range cdrFilterFields {
		if v := q.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	return f, form, idx, nil
}

// handleRateUnrated rates the unrated calls again (after a card gained the
// missing prefixes, or an account got a card) and shows those still
// unrated; the audit log has the counts.
func (p *panel) handleRateUnrated(w http.ResponseWriter, r *http.Request) error {
	if _, err := p.svc.RateUnratedCDRs(r.Context(), actor(r)); err != nil {
		return err
	}
	return seeOther(w, r, "/cdrs?unrated=1", "cdrs_rated")
}

// handleCDRList lists the calls of every account, filtered by account
// (a customer's calls, or those sent through a carrier), UTC day range,
// number called, answered calls only and unrated calls only, in id order
// with a Next link.
func (p *panel) handleCDRList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fe := portico.FieldErrors{}
	f, form, idx, err := p.cdrQuery(r, fe)
	if err != nil {
		return err
	}
	data := &cdrList{Accounts: idx.Choices, Export: "/cdrs/export.csv"}
	if len(form) > 0 {
		data.Export += "?" + form.Encode()
	}
	v := &view{Title: "CDRs", Nav: "cdrs", Form: form, Data: data}
	if err := fe.Err(); err != nil {
		return p.formError(w, r, err, "cdrs", v)
	}
	f.After, f.Limit = cursor(r, "after"), pageSize+1
	cdrs, err := idx.read.FindCDRs(ctx, f)
	if err != nil {
		return err
	}
	cdrs, data.pager = trimPage(r, cdrs, "after", func(c *portico.CDR) int64 { return c.ID })
	for _, c := range cdrs {
		cust, err := idx.get(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		data.CDRs = append(data.CDRs, newCDRRow(c, cust))
	}
	return p.render(w, r, http.StatusOK, "cdrs", v)
}

// cdrExportHeader names the columns of the panel's CDR download: every
// field of a call, both sides (what the customer pays, what the carrier
// is paid) with each side's currency, and the accounts' names. The call's
// own columns come first, as in the portal's download.
var cdrExportHeader = append(billing.CDRCallHeader[:len(billing.CDRCallHeader):len(billing.CDRCallHeader)],
	"rate", "charge", "currency", "customer_id", "customer", "carrier_id", "carrier", "carrier_rate", "carrier_cost",
	"carrier_currency", "sip_code", "sip_reason", "unrated", "id")

// handleCDRExport streams every call the CDR list's filter selects (all
// pages) as CSV, in id order, times in UTC, text cells neutralised against
// spreadsheet formulas by billing.CSVWriter. Rows are written as they are
// read, so memory stays flat however many there are. A bad filter is the
// list page with its errors rather than a broken file.
func (p *panel) handleCDRExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fe := portico.FieldErrors{}
	f, form, idx, err := p.cdrQuery(r, fe)
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		v := &view{Title: "CDRs", Nav: "cdrs", Form: form, Data: &cdrList{Accounts: idx.Choices}}
		return p.formError(w, r, err, "cdrs", v)
	}
	if err := idx.loadAll(ctx); err != nil {
		return err
	}
	name := "cdrs"
	for _, k := range []string{"from", "to"} {
		if d := form.Get(k); d != "" {
			name += "-" + k + "-" + d
		}
	}
	cw := billing.NewCSVWriter(w)
	started := false // the headers and the CSV header row are written
	write := func(c *portico.CDR) error {
		if !started {
			started = true
			h := w.Header()
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			h.Set("Cache-Control", "no-store")
			if err := cw.Row(cdrExportHeader...); err != nil {
				return err
			}
		}
		if c == nil {
			return nil
		}
		cust, err := idx.get(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		carrierName, carrierCurrency := "", ""
		if c.CarrierID != 0 {
			carrier, err := idx.get(ctx, c.CarrierID)
			if err != nil {
				return err
			}
			carrierName, carrierCurrency = carrier.Name, carrier.Currency
		}
		cw.CDRCall(c)
		cw.Money(c.Rate)
		cw.Money(c.Charge)
		cw.Text(cust.Currency)
		cw.Int(c.CustomerID)
		cw.Text(cust.Name)
		if c.CarrierID != 0 {
			cw.Int(c.CarrierID)
		} else {
			cw.Text("")
		}
		cw.Text(carrierName)
		cw.Money(c.CarrierRate)
		cw.Money(c.CarrierCost)
		cw.Text(carrierCurrency)
		cw.Int(int64(c.SIPCode))
		cw.Text(c.SIPReason)
		cw.Bool(c.Unrated)
		cw.Int(c.ID)
		return cw.EndRow()
	}
	detail := "all calls"
	if len(form) > 0 {
		detail = form.Encode()
	}
	err = p.svc.ExportCDRs(ctx, actor(r), f, detail, write)
	if err == nil && !started {
		err = write(nil) // no calls match: the file still has its header
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		if !started {
			return err // nothing sent yet: an error page
		}
		// Headers are gone: the client sees a truncated file, and the
		// log says why.
		httpx.LogIfInternal(p.log, r, err)
	}
	return nil
}
