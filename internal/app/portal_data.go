package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
)

// The portal's data sections. Every use case here takes the account from
// the PortalUser (the session), checks the section is open to it (a hidden
// section is not found, for pages and exports alike) and reads through the
// account's scoped store handle.

// PortalPageSize is how many rows a portal table shows at once.
const PortalPageSize = 100

// Location is the contact's time zone, in which the portal shows times
// and reads dates (UTC when unset or unknown).
func (u *PortalUser) Location() *time.Location {
	if loc, err := time.LoadLocation(u.contact.TimeZone); err == nil && u.contact.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// IsCarrier reports whether the account is a carrier: its calls are then
// the traffic it carried for the operator, priced at its carrier cost.
func (u *PortalUser) IsCarrier() bool { return u.account.Kind == portico.KindCarrier }

// mustSee refuses a section the account may not see, as if it did not exist.
func (u *PortalUser) mustSee(s portico.Section) error {
	if !u.CanSee(s) {
		return portico.Errorf(portico.ENOTFOUND, "Page not found.")
	}
	return nil
}

func (s *Service) portalScope(u *PortalUser) *store.AccountQ { return u.scope(s.DB.Read()) }

// BalanceView is the Balance section: the money position and a page of
// the ledger, newest first.
type BalanceView struct {
	Balance portico.Balance
	Entries []*portico.LedgerEntry
	Next    int64 // cursor of the next (older) page; 0 on the last
}

// PortalBalance returns the account's balance and a page of its ledger
// older than the entry before (0: the newest).
func (s *Service) PortalBalance(ctx context.Context, u *PortalUser, before int64) (*BalanceView, error) {
	if err := u.mustSee(portico.SectionBalance); err != nil {
		return nil, err
	}
	q := s.portalScope(u)
	bal, err := q.Balance(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := q.Ledger(ctx, before, PortalPageSize+1)
	if err != nil {
		return nil, err
	}
	v := &BalanceView{Balance: portico.Balance{AccountID: u.account.ID, Currency: u.account.Currency, Balance: bal,
		CreditLimit: u.account.CreditLimit, Available: bal + u.account.CreditLimit}}
	if len(entries) > PortalPageSize {
		entries = entries[:PortalPageSize]
		v.Next = entries[len(entries)-1].ID
	}
	v.Entries = entries
	return v, nil
}

// PortalPayments lists the account's payments, newest first, older than
// the payment before (0: the newest).
func (s *Service) PortalPayments(ctx context.Context, u *PortalUser, before int64) (Page[*portico.Payment], error) {
	if err := u.mustSee(portico.SectionPayments); err != nil {
		return Page[*portico.Payment]{}, err
	}
	items, err := s.portalScope(u).Payments(ctx, before, PortalPageSize+1)
	if err != nil {
		return Page[*portico.Payment]{}, err
	}
	p := Page[*portico.Payment]{Items: items}
	if len(items) > PortalPageSize {
		p.Items = items[:PortalPageSize]
		p.Next = p.Items[PortalPageSize-1].ID
	}
	return p, nil
}

// CDRQuery is what a contact asks of its calls, as typed: dates are
// calendar days in the contact's time zone, both inclusive.
type CDRQuery struct {
	From, To  string // YYYY-MM-DD; "" for open
	Number    string // digits, optionally with a leading +
	Connected bool
	After     int64 // cursor: the last call of the previous page
}

// filter turns q into a store filter in UTC, or explains what is wrong.
func (q CDRQuery) filter(u *PortalUser) (store.PortalCDRFilter, error) {
	loc := u.Location()
	f := store.PortalCDRFilter{Carrier: u.IsCarrier(), Connected: q.Connected, After: q.After}
	fe := portico.FieldErrors{}
	var from, to time.Time
	if q.From != "" {
		t, err := time.ParseInLocation(portico.DateLayout, strings.TrimSpace(q.From), loc)
		if err != nil {
			fe.Add("from", "From must be a date like 2026-01-31.")
		}
		from = t
	}
	if q.To != "" {
		t, err := time.ParseInLocation(portico.DateLayout, strings.TrimSpace(q.To), loc)
		if err != nil {
			fe.Add("to", "To must be a date like 2026-01-31.")
		}
		to = t
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		fe.Add("to", "To must not be before From.")
	}
	n := strings.TrimSpace(q.Number)
	if n != "" && (len(n) > 32 || strings.Trim(strings.TrimPrefix(n, "+"), "0123456789") != "" || n == "+") {
		fe.Add("number", "Number must be digits, optionally starting with +.")
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	f.Number = n
	if !from.IsZero() {
		f.From = from.UTC()
	}
	if !to.IsZero() {
		// Inclusive: up to the start of the next local day (AddDate
		// keeps days of 23 or 25 hours right across DST changes).
		f.To = to.AddDate(0, 0, 1).UTC()
	}
	return f, nil
}

// CDRView is a page of calls, newest first.
type CDRView struct {
	Calls []*portico.CDR
	Next  int64 // cursor of the next (older) page; 0 on the last
}

// PortalCDRs returns a page of the account's calls (for a carrier, the
// traffic it carried) matching q.
func (s *Service) PortalCDRs(ctx context.Context, u *PortalUser, q CDRQuery) (*CDRView, error) {
	if err := u.mustSee(portico.SectionCDR); err != nil {
		return nil, err
	}
	f, err := q.filter(u)
	if err != nil {
		return nil, err
	}
	f.Limit = PortalPageSize + 1
	calls, err := s.portalScope(u).CDRPage(ctx, f)
	if err != nil {
		return nil, err
	}
	v := &CDRView{Calls: calls}
	if len(calls) > PortalPageSize {
		v.Calls = calls[:PortalPageSize]
		v.Next = v.Calls[PortalPageSize-1].ID
	}
	return v, nil
}

// CheckCDRQuery validates q for an export before any byte is sent, so a
// bad query is an error page rather than a broken download.
func (s *Service) CheckCDRQuery(ctx context.Context, u *PortalUser, q CDRQuery) error {
	if err := u.mustSee(portico.SectionCDR); err != nil {
		return err
	}
	f, err := q.filter(u)
	if err != nil {
		return err
	}
	if q.After != 0 {
		f.Limit = 1
		_, err = s.portalScope(u).CDRPage(ctx, f)
	}
	return err
}

// PortalCDRExport calls fn for every call q selects, oldest first, as the
// rows are read (fn gets the same *CDR each time).
func (s *Service) PortalCDRExport(ctx context.Context, u *PortalUser, q CDRQuery, fn func(*portico.CDR) error) error {
	if err := u.mustSee(portico.SectionCDR); err != nil {
		return err
	}
	f, err := q.filter(u)
	if err != nil {
		return err
	}
	if err := s.auditExport(ctx, u, "cdr.export", fmt.Sprintf("%+v", q)); err != nil {
		return err
	}
	return s.portalScope(u).EachCDR(ctx, f, fn)
}

// auditExport records a download before it streams: an export carries an
// account's data out of Portico, so who took what, and when, is kept.
func (s *Service) auditExport(ctx context.Context, u *PortalUser, action, detail string) error {
	id := u.account.ID
	return s.DB.Write(ctx, func(q *store.Q) error {
		return q.Audit(ctx, store.AuditEntry{Actor: contactActor(u.contact), Action: action,
			Target: fmt.Sprintf("%s:%d", u.account.Kind, id), AccountID: &id, Detail: detail})
	})
}

// RatesView is the Rate Card section: the rows in force today and the
// changes to come.
type RatesView struct {
	Card     *portico.RateCard // nil: no card assigned
	Day      string            // today, UTC (effective dates are UTC days)
	Current  []portico.Rate
	Next     string // prefix to continue after; "" on the last page
	Upcoming []portico.Rate
}

// PortalRates returns the account's rates matching search (a prefix or a
// part of a destination name), a page after the prefix after.
func (s *Service) PortalRates(ctx context.Context, u *PortalUser, search, after string) (*RatesView, error) {
	if err := u.mustSee(portico.SectionRateCard); err != nil {
		return nil, err
	}
	return s.rates(ctx, u, search, after)
}

func (s *Service) rates(ctx context.Context, u *PortalUser, search, after string) (*RatesView, error) {
	q := s.portalScope(u)
	card, rows, err := s.accountCard(ctx, q)
	if err != nil || card == nil {
		return &RatesView{}, err
	}
	v := &RatesView{Card: card, Day: q.Now().Format(portico.DateLayout)}
	rq := billing.RateQuery{At: q.Now(), Search: search, After: after, Limit: PortalPageSize + 1}
	v.Current = rows.InForce(rq)
	if len(v.Current) > PortalPageSize {
		v.Current = v.Current[:PortalPageSize]
		v.Next = v.Current[PortalPageSize-1].Prefix
	}
	rq.Limit = PortalPageSize
	v.Upcoming = rows.Upcoming(rq)
	return v, nil
}

// RatesExport is every row of the account's card in force today (matching
// the search), and the changes to come: what the downloads hold.
type RatesExport struct {
	Card     *portico.RateCard // nil: no card
	Day      string
	Current  []portico.Rate
	Upcoming []portico.Rate
}

// PortalRatesExport returns the whole of the account's current rates
// matching search (a rate card is at most some hundred thousand rows, so
// it is read at once), with the upcoming changes.
func (s *Service) PortalRatesExport(ctx context.Context, u *PortalUser, search string) (*RatesExport, error) {
	if err := u.mustSee(portico.SectionRateCard); err != nil {
		return nil, err
	}
	if err := s.auditExport(ctx, u, "rates.export", "q="+search); err != nil {
		return nil, err
	}
	q := s.portalScope(u)
	card, rows, err := s.accountCard(ctx, q)
	if err != nil || card == nil {
		return &RatesExport{}, err
	}
	rq := billing.RateQuery{At: q.Now(), Search: search}
	x := &RatesExport{Card: card, Day: q.Now().Format(portico.DateLayout), Current: rows.InForce(rq)}
	rq.Limit = 500
	x.Upcoming = rows.Upcoming(rq)
	return x, nil
}

// Totals are the calls of one period summed.
type Totals struct {
	Start     time.Time // the period's first instant, in the viewer's zone
	Attempts  int64
	Connected int64
	Seconds   int64 // talk time
	Billed    int64
	Amount    portico.Money // charges (customer) or carrier cost (carrier)
}

// Minutes is the talk time in whole and fractional minutes, as text with
// one decimal ("12.5"), computed in integers.
func (t Totals) Minutes() string {
	tenths := (t.Seconds*10 + 30) / 60
	return itoa(tenths/10) + "." + itoa(tenths%10)
}

// ASR is the answer-seizure ratio: connected calls per attempt, in
// percent with one decimal ("57.1"), or "–" without attempts.
func (t Totals) ASR() string {
	if t.Attempts == 0 {
		return "–"
	}
	tenths := (t.Connected*1000 + t.Attempts/2) / t.Attempts
	return itoa(tenths/10) + "." + itoa(tenths%10)
}

// ACD is the average call duration of connected calls, m:ss, or "–".
func (t Totals) ACD() string {
	if t.Connected == 0 {
		return "–"
	}
	sec := (t.Seconds + t.Connected/2) / t.Connected
	s := itoa(sec % 60)
	if len(s) < 2 {
		s = "0" + s
	}
	return itoa(sec/60) + ":" + s
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// SummaryView is the Summary (or the Carrier Portal's traffic): one month
// by day, and the twelve months up to it, in the viewer's time zone.
type SummaryView struct {
	Month   time.Time // first day of the month shown, in the viewer's zone
	Days    []Totals  // every day of Month
	Months  []Totals  // the twelve months ending with Month, oldest first
	Total   Totals    // of Month
	Carrier bool      // amounts are carrier cost, not charges
}

// PortalSummary sums the account's calls of month ("2006-01", "" for the
// current month in the contact's zone) by day, and of the twelve months up
// to it by month. A carrier's summary is of the traffic it carried, and
// needs the Carrier Portal section; a customer's needs Summary.
func (s *Service) PortalSummary(ctx context.Context, u *PortalUser, section portico.Section, month string) (*SummaryView, error) {
	if err := u.mustSee(section); err != nil {
		return nil, err
	}
	carrier := section == portico.SectionCarrierPortal || u.IsCarrier()
	return summarize(ctx, s.portalScope(u), carrier, month, u.Location())
}

// parseMonth reads month ("2006-01", "" for the month of now) as the first
// instant of that month in loc.
func parseMonth(month string, now time.Time, loc *time.Location) (time.Time, error) {
	if month == "" {
		now = now.In(loc)
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(month), loc)
	if err != nil || t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, &portico.Error{Code: portico.EINVALID, Message: "Month must look like 2026-01.",
			Fields: map[string]string{"month": "Month must look like 2026-01."}}
	}
	return t, nil
}

// summarize reads one side of an account's rollup for month and the eleven
// months before it, and folds the quarter hours into the days and months
// of loc: the Summary as the portal shows it to a contact in loc, and as
// the control panel shows it to operators (in UTC).
func summarize(ctx context.Context, q *store.AccountQ, carrier bool, month string, loc *time.Location) (*SummaryView, error) {
	start, err := parseMonth(month, q.Now(), loc)
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 1, 0)
	yearStart := start.AddDate(0, -11, 0)
	buckets, err := q.SummaryBuckets(ctx, carrier, yearStart.UTC(), end.UTC())
	if err != nil {
		return nil, err
	}
	v := &SummaryView{Month: start, Carrier: carrier, Days: daysOf(start)}
	for m := yearStart; m.Before(end); m = m.AddDate(0, 1, 0) {
		v.Months = append(v.Months, Totals{Start: m})
	}
	for _, b := range buckets {
		at := b.Start.In(loc)
		mi := (at.Year()-yearStart.Year())*12 + int(at.Month()) - int(yearStart.Month())
		if mi >= 0 && mi < len(v.Months) {
			add(&v.Months[mi], b)
		}
		if !at.Before(start) && at.Before(end) {
			add(&v.Days[at.Day()-1], b)
			add(&v.Total, b)
		}
	}
	v.Total.Start = start
	return v, nil
}

// daysOf returns empty totals for every day of the month that starts at
// start (in start's zone; AddDate keeps days of 23 or 25 hours right).
func daysOf(start time.Time) []Totals {
	var days []Totals
	for d, end := start, start.AddDate(0, 1, 0); d.Before(end); d = d.AddDate(0, 0, 1) {
		days = append(days, Totals{Start: d})
	}
	return days
}

func add(t *Totals, b store.CDRBucket) {
	t.Attempts += b.Attempts
	t.Connected += b.Connected
	t.Seconds += b.Seconds
	t.Billed += b.Billed
	t.Amount += b.Amount
}

// CarrierView is the Carrier Portal: the carrier's traffic summed as in
// Summary, and its own rate card as a supplier.
type CarrierView struct {
	Summary *SummaryView
	Rates   *RatesView
}

// PortalCarrier returns the Carrier Portal of a carrier account.
func (s *Service) PortalCarrier(ctx context.Context, u *PortalUser, month string) (*CarrierView, error) {
	sum, err := s.PortalSummary(ctx, u, portico.SectionCarrierPortal, month)
	if err != nil {
		return nil, err
	}
	rates, err := s.rates(ctx, u, "", "")
	if err != nil {
		return nil, err
	}
	return &CarrierView{Summary: sum, Rates: rates}, nil
}
