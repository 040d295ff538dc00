package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/chart"
)

// The traffic pages: an account's Summary exactly as its portal shows it,
// but in UTC, and the traffic of every account by day. Both pick a month
// with ?month=2026-11 (default: this UTC month) and link the months
// before and after.

// monthNav is the month a traffic page shows, with links to its
// neighbours.
type monthNav struct {
	Label      string // "November 2026"
	Prev, Next string
}

func newMonthNav(path string, month time.Time) monthNav {
	return monthNav{Label: month.Format("January 2006"),
		Prev: path + "?month=" + month.AddDate(0, -1, 0).Format("2006-01"),
		Next: path + "?month=" + month.AddDate(0, 1, 0).Format("2006-01")}
}

// accountTraffic is the Data of an account's traffic page. Summary is nil
// when the month typed could not be read.
type accountTraffic struct {
	kindInfo
	Account     *portico.Account
	Page        string // the account's page
	Action      string // this page, where the month form goes
	Summary     *app.SummaryView
	AmountLabel string // "Charge" or "Carrier cost"
	Chart       chart.Chart
	MonthNav    monthNav
}

// handleTraffic shows the account's portal Summary (a customer's calls
// and charges, a carrier's traffic carried and its cost) for one UTC
// month by day, and the twelve months up to it.
func (a accountPages) handleTraffic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	month := r.URL.Query().Get("month")
	acc, sum, err := a.svc.AccountTraffic(r.Context(), a.Kind, id, month)
	if acc == nil {
		return err
	}
	page := fmt.Sprintf("%s/%d", a.Path, acc.ID)
	data := &accountTraffic{kindInfo: a.kindInfo, Account: acc, Page: page, Action: page + "/traffic", AmountLabel: "Charge"}
	if a.Kind == portico.KindCarrier {
		data.AmountLabel = "Carrier cost"
	}
	v := &view{Title: "Traffic of " + acc.Name, Nav: a.Nav(), Form: url.Values{"month": {month}}, Data: data}
	if err != nil {
		return a.formError(w, r, err, "account_traffic", v)
	}
	data.Summary, data.MonthNav = sum, newMonthNav(data.Action, sum.Month)
	data.Chart = chart.Daily("traffic-chart", sum.Days, data.AmountLabel+" per day, "+data.MonthNav.Label, acc.Currency)
	v.Form.Set("month", sum.Month.Format("2006-01"))
	return a.render(w, r, http.StatusOK, "account_traffic", v)
}

// trafficPage is the Data of the all-accounts traffic page. View is nil
// when the month typed could not be read.
type trafficPage struct {
	Action   string
	View     *app.TrafficView
	Charts   map[string]chart.Chart // by currency
	MonthNav monthNav
}

// handleTrafficAll shows the calls of every account in one UTC month by
// day: the customers' attempts, connected calls, minutes, ASR, ACD and
// charges (revenue), the carriers' costs and the margin, one table per
// currency.
func (p *panel) handleTrafficAll(w http.ResponseWriter, r *http.Request) error {
	month := r.URL.Query().Get("month")
	data := &trafficPage{Action: "/traffic"}
	v := &view{Title: "Traffic", Nav: "traffic", Form: url.Values{"month": {month}}, Data: data}
	tv, err := p.svc.Traffic(r.Context(), month)
	if err != nil {
		return p.formError(w, r, err, "traffic", v)
	}
	data.View, data.MonthNav, data.Charts = tv, newMonthNav("/traffic", tv.Month), map[string]chart.Chart{}
	for _, c := range tv.Currencies {
		days := make([]app.Totals, len(c.Days))
		for i, d := range c.Days {
			days[i] = d.Calls
		}
		data.Charts[c.Currency] = chart.Daily("chart-"+c.Currency, days, "Revenue per day in "+c.Currency+", "+data.MonthNav.Label, c.Currency)
	}
	v.Form.Set("month", tv.Month.Format("2006-01"))
	return p.render(w, r, http.StatusOK, "traffic", v)
}
