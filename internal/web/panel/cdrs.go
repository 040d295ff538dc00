package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portico/internal/portico"
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

// handleCDRList lists the calls of every account, filtered by account
// (a customer's calls, or those sent through a carrier), UTC day range,
// number called, answered calls only and unrated calls only, in id order
// with a Next link.
func (p *panel) handleCDRList(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	idx, err := p.newAccountIndex(ctx)
	if err != nil {
		return err
	}
	fe := portico.FieldErrors{}
	f := readCDRFilter(q, fe)
	acc, err := idx.filter(ctx, fe, q)
	if err != nil {
		return err
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
		form.Set(k, q.Get(k))
	}
	data := &cdrList{Accounts: idx.Choices}
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
