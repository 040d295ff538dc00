package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/web/chart"
	"portico/internal/web/httpx"
)

// cursor reads a keyset cursor (a row id) from the query; absent is 0.
func cursor(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, portico.Errorf(portico.EINVALID, "The page link is not valid; start again from the first page.")
	}
	return n, nil
}

// withParam returns the request's query with name set to value (removed
// when value is empty), as a relative URL of path.
func withParam(path string, q url.Values, name, value string) string {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	if value == "" {
		q2.Del(name)
	} else {
		q2.Set(name, value)
	}
	if len(q2) == 0 {
		return path
	}
	return path + "?" + q2.Encode()
}

func money(m portico.Money) string { return m.String() }

// ---- Balance ----

type balancePage struct {
	*app.BalanceView
	Rows  []ledgerRow
	Next  string
	First string
	Zone  string
}

type ledgerRow struct{ When, Kind, Description, Amount string }

var ledgerKinds = map[string]string{portico.LedgerPayment: "Payment", portico.LedgerCharges: "Call charges",
	portico.LedgerCredit: "Credit", portico.LedgerAdjustment: "Adjustment"}

func (h *Handler) balance(w http.ResponseWriter, r *http.Request, v *visit) error {
	before, err := cursor(r, "ledger_before")
	if err != nil {
		return err
	}
	view, err := h.svc.PortalBalance(r.Context(), v.User, before)
	if err != nil {
		return err
	}
	loc := v.User.Location()
	p := balancePage{BalanceView: view, Zone: loc.String()}
	for _, e := range view.Entries {
		p.Rows = append(p.Rows, ledgerRow{When: e.CreatedAt.In(loc).Format("2006-01-02 15:04"), Kind: ledgerKinds[e.Kind],
			Description: e.Description, Amount: e.Amount.String()})
	}
	if view.Next != 0 {
		p.Next = withParam("/balance", r.URL.Query(), "ledger_before", strconv.FormatInt(view.Next, 10))
	}
	if before != 0 {
		p.First = "/balance"
	}
	h.render(w, r, http.StatusOK, "balance", h.page(v, "Balance", p))
	return nil
}

// ---- Payments ----

type paymentsPage struct {
	Currency    string
	Rows        []paymentRow
	Next, First string
	Zone        string
}

type paymentRow struct{ When, Amount, Status, StatusClass, Description string }

var paymentLabels = map[string]string{portico.PaymentPending: "Pending", portico.PaymentCompleted: "Completed",
	portico.PaymentCancelled: "Cancelled"}

func (h *Handler) payments(w http.ResponseWriter, r *http.Request, v *visit) error {
	before, err := cursor(r, "payments_before")
	if err != nil {
		return err
	}
	pg, err := h.svc.PortalPayments(r.Context(), v.User, before)
	if err != nil {
		return err
	}
	loc := v.User.Location()
	p := paymentsPage{Currency: v.User.Account().Currency, Zone: loc.String()}
	for _, pm := range pg.Items {
		p.Rows = append(p.Rows, paymentRow{When: pm.CreatedAt.In(loc).Format("2006-01-02 15:04"), Amount: pm.Amount.String(),
			Status: paymentLabels[pm.Status], StatusClass: pm.Status, Description: pm.Description})
	}
	if pg.Next != 0 {
		p.Next = withParam("/payments", r.URL.Query(), "payments_before", strconv.FormatInt(pg.Next, 10))
	}
	if before != 0 {
		p.First = "/payments"
	}
	h.render(w, r, http.StatusOK, "payments", h.page(v, "Payments", p))
	return nil
}

// ---- CDR ----

// cdrColumn is a column of the CDR table the contact may show or hide.
type cdrColumn struct {
	Key, Label string
	Default    bool
	Numeric    bool
}

var cdrColumns = []cdrColumn{
	{"start", "Start", true, false},
	{"source", "Source", true, false},
	{"destination", "Destination", true, false},
	{"destination_name", "Destination name", true, false},
	{"duration", "Duration", true, true},
	{"billed", "Billed", false, true},
	{"rate", "Rate per minute", false, true},
	{"charge", "Charge", true, true},
	{"sip", "SIP result", false, false},
	{"direction", "Direction", false, false},
	{"call_id", "Call id", false, false},
}

type cdrPage struct {
	Form      *form
	Columns   []cdrColumn
	Shown     map[string]bool
	Head      []cdrColumn
	Rows      [][]string
	Next      string
	First     string
	Export    string
	Presets   []preset
	Zone      string
	Currency  string
	Carrier   bool
	Connected bool
	Filtered  bool
}

type preset struct {
	Label, URL string
	Current    bool
}

func cdrQueryFrom(r *http.Request) (app.CDRQuery, error) {
	q := r.URL.Query()
	after, err := cursor(r, "after")
	return app.CDRQuery{From: q.Get("from"), To: q.Get("to"), Number: q.Get("number"),
		Connected: q.Get("connected") == "1", After: after}, err
}

func clock(sec int) string {
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func optMoney(m *portico.Money) string {
	if m == nil {
		return "–"
	}
	return m.String()
}

func (h *Handler) cdr(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	cq, err := cdrQueryFrom(r)
	if err != nil {
		return err
	}
	loc := v.User.Location()
	p := cdrPage{Form: &form{Values: q, Action: "/cdr"}, Columns: cdrColumns, Shown: map[string]bool{}, Zone: loc.String(),
		Currency: v.User.Account().Currency, Carrier: v.User.IsCarrier(), Connected: cq.Connected,
		Filtered: cq.From != "" || cq.To != "" || cq.Number != "" || cq.Connected}
	for _, c := range q["cols"] {
		p.Shown[c] = true
	}
	for _, c := range cdrColumns {
		if len(q["cols"]) == 0 && c.Default {
			p.Shown[c.Key] = true
		}
		if p.Shown[c.Key] {
			p.Head = append(p.Head, c)
		}
	}
	// Presets are calendar days of the contact's zone.
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	for _, ps := range []struct {
		label    string
		from, to time.Time
	}{{"Today", today, today}, {"Yesterday", today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)},
		{"This month", month, today}, {"Last month", month.AddDate(0, -1, 0), month.AddDate(0, 0, -1)}} {
		from, to := ps.from.Format(portico.DateLayout), ps.to.Format(portico.DateLayout)
		u := withParam("/cdr", url.Values{"from": {from}, "to": {to}}, "after", "")
		p.Presets = append(p.Presets, preset{Label: ps.label, URL: u, Current: cq.From == from && cq.To == to})
	}
	exportQ := url.Values{}
	for _, k := range []string{"from", "to", "number", "connected"} {
		if s := q.Get(k); s != "" {
			exportQ.Set(k, s)
		}
	}
	p.Export = withParam("/cdr/export.csv", exportQ, "", "")
	view, err := h.svc.PortalCDRs(r.Context(), v.User, cq)
	if portico.ErrorCode(err) == portico.EINVALID {
		return h.formError(w, r, h.page(v, "CDR", p).withForm(p.Form), "cdr", err)
	}
	if err != nil {
		return err
	}
	for _, c := range view.Calls {
		row := make([]string, 0, len(p.Head))
		rate, charge := c.Rate, c.Charge
		if p.Carrier {
			rate, charge = c.CarrierRate, c.CarrierCost
		}
		for _, col := range p.Head {
			var s string
			switch col.Key {
			case "start":
				s = c.StartTime.In(loc).Format("2006-01-02 15:04:05")
			case "source":
				s = c.SourceNumber
			case "destination":
				s = c.DestinationNumber
			case "destination_name":
				s = c.DestinationName
			case "duration":
				s = clock(c.Duration)
			case "billed":
				s = clock(c.BilledDuration)
			case "rate":
				s = optMoney(rate)
			case "charge":
				s = optMoney(charge)
			case "sip":
				s = strings.TrimSpace(strconv.Itoa(c.SIPCode) + " " + c.SIPReason)
			case "direction":
				s = c.Direction
			case "call_id":
				s = c.CallID
			}
			row = append(row, s)
		}
		p.Rows = append(p.Rows, row)
	}
	if view.Next != 0 {
		p.Next = withParam("/cdr", q, "after", strconv.FormatInt(view.Next, 10))
	}
	if cq.After != 0 {
		p.First = withParam("/cdr", q, "after", "")
	}
	h.render(w, r, http.StatusOK, "cdr", h.page(v, "CDR", p))
	return nil
}

// cdrExport streams every call the query selects as CSV, times in UTC,
// every column the contact's side may see, as the rows are read: memory
// stays flat however many there are. The query is checked first, so a bad
// one is an error page rather than a broken file.
func (h *Handler) cdrExport(w http.ResponseWriter, r *http.Request, v *visit) error {
	cq, err := cdrQueryFrom(r)
	if err != nil {
		return err
	}
	if err := h.svc.CheckCDRQuery(r.Context(), v.User, cq); err != nil {
		return err
	}
	carrier := v.User.IsCarrier()
	name := "calls"
	if cq.From != "" {
		name += "-" + cq.From
	}
	if cq.To != "" {
		name += "-to-" + cq.To
	}
	csvHeaders(w, name+".csv")
	cw := billing.NewCSVWriter(w)
	head := append(billing.CDRCallHeader[:len(billing.CDRCallHeader):len(billing.CDRCallHeader)],
		"rate", "charge", "sip_code", "sip_reason", "currency")
	if carrier {
		head[9], head[10] = "carrier_rate", "carrier_cost"
	}
	if err := cw.Row(head...); err != nil {
		return nil
	}
	cur := v.User.Account().Currency
	err = h.svc.PortalCDRExport(r.Context(), v.User, cq, func(c *portico.CDR) error {
		rate, charge := c.Rate, c.Charge
		if carrier {
			rate, charge = c.CarrierRate, c.CarrierCost
		}
		cw.CDRCall(c)
		cw.Money(rate)
		cw.Money(charge)
		cw.Int(int64(c.SIPCode))
		cw.Text(c.SIPReason)
		cw.Text(cur)
		return cw.EndRow()
	})
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		// Headers are gone: the client sees a truncated file, and the
		// log says why.
		httpx.LogIfInternal(h.log, r, err)
	}
	return nil
}

func csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// ---- Rate Card ----

type ratesPage struct {
	*app.RatesView
	Form         *form
	Current      []rateRow
	Upcoming     []rateRow
	Next, First  string
	ExportCSV    string
	ExportJSON   string
	Search       string
	HasUpcoming  bool
	CurrencyNote string
}

type rateRow struct{ Prefix, Name, Rate, ConnectionFee, Increments, Effective string }

func rowsOf(rates []portico.Rate) []rateRow {
	out := make([]rateRow, 0, len(rates))
	for _, r := range rates {
		out = append(out, rateRow{Prefix: r.Prefix, Name: r.Name, Rate: r.Rate.String(), ConnectionFee: r.ConnectionFee.String(),
			Increments: fmt.Sprintf("%d/%d", max(r.MCD, r.Pulse), r.Pulse), Effective: r.Effective.Format(portico.DateLayout)})
	}
	return out
}

func (h *Handler) rates(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	search, after := strings.TrimSpace(q.Get("q")), q.Get("after_prefix")
	view, err := h.svc.PortalRates(r.Context(), v.User, search, after)
	if err != nil {
		return err
	}
	p := ratesPage{RatesView: view, Form: &form{Values: q, Action: "/rates"}, Search: search,
		Current: rowsOf(view.Current), Upcoming: rowsOf(view.Upcoming)}
	exp := url.Values{}
	if search != "" {
		exp.Set("q", search)
	}
	p.ExportCSV = withParam("/rates/export.csv", exp, "", "")
	p.ExportJSON = withParam("/rates/export.json", exp, "", "")
	if view.Next != "" {
		p.Next = withParam("/rates", q, "after_prefix", view.Next)
	}
	if after != "" {
		p.First = withParam("/rates", q, "after_prefix", "")
	}
	h.render(w, r, http.StatusOK, "rates", h.page(v, "Rate Card", p))
	return nil
}

func (h *Handler) ratesCSV(w http.ResponseWriter, r *http.Request, v *visit) error {
	x, err := h.svc.PortalRatesExport(r.Context(), v.User, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	csvHeaders(w, "rates.csv")
	cw := billing.NewCSVWriter(w)
	cw.Row("prefix", "destination_name", "rate_per_minute", "connection_fee", "mcd", "pulse", "effective_date", "status", "currency")
	cur := v.User.Account().Currency
	if x.Card != nil {
		cur = x.Card.Currency
	}
	for i, rows := range [][]portico.Rate{x.Current, x.Upcoming} {
		status := "current"
		if i == 1 {
			status = "upcoming"
		}
		for _, rt := range rows {
			rate, fee := rt.Rate, rt.ConnectionFee
			cw.Text(rt.Prefix)
			cw.Text(rt.Name)
			cw.Money(&rate)
			cw.Money(&fee)
			cw.Int(int64(rt.MCD))
			cw.Int(int64(rt.Pulse))
			cw.Text(rt.Effective.Format(portico.DateLayout))
			cw.Text(status)
			cw.Text(cur)
			if err := cw.EndRow(); err != nil {
				return nil
			}
		}
	}
	cw.Flush()
	return nil
}

func (h *Handler) ratesJSON(w http.ResponseWriter, r *http.Request, v *visit) error {
	doc, err := h.svc.PortalRatesIME(r.Context(), v.User, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="rates.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		httpx.LogIfInternal(h.log, r, err)
	}
	return nil
}

// ---- Summary and Carrier Portal ----

type summaryPage struct {
	*app.SummaryView
	Days, Months []totalsRow
	Total        totalsRow
	Chart        chart.Chart
	Prev, Next   string
	MonthLabel   string
	Currency     string
	AmountLabel  string
	Zone         string
	Path         string
}

type totalsRow struct {
	Label                     string
	Attempts, Connected       int64
	Minutes, Amount, ASR, ACD string
	Empty                     bool
}

func totalsOf(t app.Totals, label string) totalsRow {
	return totalsRow{Label: label, Attempts: t.Attempts, Connected: t.Connected, Minutes: t.Minutes(),
		Amount: t.Amount.String(), ASR: t.ASR(), ACD: t.ACD(), Empty: t.Attempts == 0}
}

// summaryChart is the month's daily amounts as a bar chart.

func (h *Handler) summaryPage(v *visit, view *app.SummaryView, path string) summaryPage {
	cur := v.User.Account().Currency
	p := summaryPage{SummaryView: view, Currency: cur, Zone: v.User.Location().String(), Path: path,
		MonthLabel: view.Month.Format("January 2006"), AmountLabel: "Charge"}
	if view.Carrier {
		p.AmountLabel = "Carrier cost"
	}
	for _, d := range view.Days {
		p.Days = append(p.Days, totalsOf(d, d.Start.Format("Mon 2 Jan")))
	}
	for _, m := range view.Months {
		p.Months = append(p.Months, totalsOf(m, m.Start.Format("January 2006")))
	}
	p.Total = totalsOf(view.Total, "Total")
	p.Chart = chart.Daily("chart-caption", view.Days, p.AmountLabel+" per day, "+p.MonthLabel, cur)
	p.Prev = path + "?month=" + view.Month.AddDate(0, -1, 0).Format("2006-01")
	p.Next = path + "?month=" + view.Month.AddDate(0, 1, 0).Format("2006-01")
	return p
}

func (h *Handler) summary(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := h.svc.PortalSummary(r.Context(), v.User, portico.SectionSummary, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "summary", h.page(v, "Summary", h.summaryPage(v, view, "/summary")))
	return nil
}

type carrierPage struct {
	Summary summaryPage
	Rates   *app.RatesView
	Rows    []rateRow
}

func (h *Handler) carrier(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := h.svc.PortalCarrier(r.Context(), v.User, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	p := carrierPage{Summary: h.summaryPage(v, view.Summary, "/carrier"), Rates: view.Rates, Rows: rowsOf(view.Rates.Current)}
	h.render(w, r, http.StatusOK, "carrier", h.page(v, "Carrier Portal", p))
	return nil
}
