package panel

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// trafficSetup makes a customer and a carrier with a few pre-rated calls
// in November 2026, one at 23:30 UTC on the 30th, and returns them with
// a support user's client (read-only roles see traffic too).
func trafficSetup(t *testing.T, e *env) (cust, carr *portico.Account, support *client) {
	t.Helper()
	e.user("ops@example.com", portico.RoleOwner)
	support = e.user("support@example.com", portico.RoleSupport)
	a := actorFor(t, e.svc.DB, "ops@example.com")
	cust = &portico.Account{Kind: portico.KindCustomer, Name: "Globex"}
	carr = &portico.Account{Kind: portico.KindCarrier, Name: "Transit"}
	for _, acc := range []*portico.Account{cust, carr} {
		if err := e.svc.CreateAccount(ctx, a, acc); err != nil {
			t.Fatal(err)
		}
	}
	m := func(s string) *portico.Money { v, _ := portico.ParseMoney(s); return &v }
	cdrs := []portico.CDR{
		call("p1", cust.ID, 1, "4420", 65, 200),
		call("p2", cust.ID, 1, "4420", 0, 486),
		call("p3", cust.ID, 30, "4420", 120, 200),
	}
	cdrs[0].Charge, cdrs[0].CarrierID, cdrs[0].CarrierCost = m("0.50"), carr.ID, m("0.20")
	cdrs[1].Charge, cdrs[1].CarrierID, cdrs[1].CarrierCost = m("0"), carr.ID, m("0")
	cdrs[2].Charge, cdrs[2].CarrierID, cdrs[2].CarrierCost = m("1.25"), carr.ID, m("0.70")
	cdrs[2].StartTime = time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	if _, err := e.svc.IngestCDRs(ctx, a, cdrs, "test"); err != nil {
		t.Fatal(err)
	}
	return cust, carr, support
}

func TestAccountTrafficPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cust, carr, c := trafficSetup(t, e)
		path := fmt.Sprintf("/customers/%d", cust.ID)

		if !c.get(path).want(http.StatusOK).contains(`href="` + path + `/traffic"`) {
			t.Error("the customer's page does not link to its traffic")
		}
		p := c.get(path + "/traffic?month=2026-11").want(http.StatusOK)
		p.wantText("Traffic of Globex", "Days and months are UTC", "November 2026", "Charge per day, November 2026")
		days := p.column("daily-title", 0)
		if len(days) != 30 || days[0] != "Sun 1 Nov" || days[29] != "Mon 30 Nov" {
			t.Fatalf("days: %q", days)
		}
		row := func(i int) string { return p.row("daily-title", i, 7) }
		if got, want := row(0), "Sun 1 Nov 2 1 1.1 0.50 50.0 1:05"; got != want {
			t.Errorf("1 November: %q, want %q", got, want)
		}
		if got, want := row(29), "Mon 30 Nov 1 1 2.0 1.25 100.0 2:00"; got != want {
			t.Errorf("30 November (23:30 UTC): %q, want %q", got, want)
		}
		p.wantText("Total 3 2 3.1 1.75 66.7 1:33")
		if p.value("month") != "2026-11" {
			t.Errorf("month field holds %q", p.value("month"))
		}
		if !p.contains(`href="`+path+`/traffic?month=2026-10"`) || !p.contains(`href="`+path+`/traffic?month=2026-12"`) {
			t.Error("no links to the months before and after")
		}

		// The carrier's page shows what it carried, at its cost.
		p = c.get(fmt.Sprintf("/carriers/%d/traffic?month=2026-11", carr.ID)).want(http.StatusOK)
		p.wantText("Traffic of Transit", "Carrier Portal", "Carrier cost per day", "Total 3 2 3.1 0.90 66.7 1:33")

		// A bad month: 422, the message at the field, what was typed kept.
		p = c.get(path + "/traffic?month=2026-13").want(http.StatusUnprocessableEntity)
		if p.fieldError("month") == "" || p.value("month") != "2026-13" {
			t.Errorf("bad month: error %q, value %q", p.fieldError("month"), p.value("month"))
		}
		// A carrier is no customer; unknown accounts are not found.
		c.get(fmt.Sprintf("/customers/%d/traffic", carr.ID)).want(http.StatusNotFound)
		c.get("/customers/999999/traffic").want(http.StatusNotFound)
		// Logged out: sent to the login page.
		e.client().get(path + "/traffic").wantRedirect("/login")
	})
}

func TestTrafficPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, _, c := trafficSetup(t, e)

		p := c.get("/traffic?month=2026-11").want(http.StatusOK)
		if !p.contains(`href="/traffic" aria-current="page"`) {
			t.Error("Traffic is not the current entry of the navigation")
		}
		p.wantText("November 2026 in USD", "Days are UTC", "Revenue per day in USD, November 2026")
		row := func(i int) string { return p.row("traffic-USD", i, 9) }
		if got, want := row(0), "Sun 1 Nov 2 1 1.1 50.0 1:05 0.50 0.20 0.30"; got != want {
			t.Errorf("1 November: %q, want %q", got, want)
		}
		if got, want := row(29), "Mon 30 Nov 1 1 2.0 100.0 2:00 1.25 0.70 0.55"; got != want {
			t.Errorf("30 November (23:30 UTC): %q, want %q", got, want)
		}
		p.wantText("Total 3 2 3.1 66.7 1:33 1.75 0.90 0.85")
		if !p.contains(`href="/traffic?month=2026-10"`) || !p.contains(`href="/traffic?month=2026-12"`) {
			t.Error("no links to the months before and after")
		}
		c.get("/traffic?month=2026-10").want(http.StatusOK).wantText("No calls in October 2026.")

		p = c.get("/traffic?month=november").want(http.StatusUnprocessableEntity)
		if p.fieldError("month") == "" || p.value("month") != "november" {
			t.Errorf("bad month: error %q, value %q", p.fieldError("month"), p.value("month"))
		}
		e.client().get("/traffic").wantRedirect("/login")
	})
}

// row is the text of the first cols cells of row i of the table titled
// title, space-separated.
func (p *page) row(title string, i, cols int) string {
	p.t.Helper()
	var cells []string
	for col := range cols {
		cells = append(cells, p.column(title, col)[i])
	}
	return strings.Join(cells, " ")
}
