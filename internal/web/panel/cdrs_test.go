package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// call is a CDR to ingest: a call id, customer, start day (November 2026),
// number called, seconds and SIP code.
func call(id string, customer int64, day int, to string, secs, sip int) portico.CDR {
	return portico.CDR{Switch: "sw1", CallID: id, CustomerID: customer, StartTime: time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC),
		SourceNumber: "442079460000", DestinationNumber: to, Duration: secs, SIPCode: sip}
}

func TestCDRListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		a := actorFor(t, db, "ops@example.com")
		card := newRateCard(t, e, "Retail", "USD")
		globex := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", RateCardID: &card.ID}
		initech := &portico.Account{Kind: portico.KindCustomer, Name: "Initech"} // no card: its calls stay unrated
		transit := &portico.Account{Kind: portico.KindCarrier, Name: "Hooli Transit"}
		for _, acc := range []*portico.Account{globex, initech, transit} {
			if err := e.svc.CreateAccount(ctx, a, acc); err != nil {
				t.Fatal(err)
			}
		}
		cdrs := []portico.CDR{
			call("c1", globex.ID, 1, "447700900123", 65, 200),
			call("c2", globex.ID, 2, "+14155550100", 0, 486),
			call("c3", initech.ID, 3, "33123456789", 30, 200),
			call("c4", globex.ID, 3, "442079460001", 10, 200),
		}
		cdrs[1].SIPReason = "Busy Here"
		cdrs[3].CarrierID = transit.ID
		if _, err := e.svc.IngestCDRs(ctx, a, cdrs, "test"); err != nil {
			t.Fatal(err)
		}

		p := c.get("/cdrs").want(http.StatusOK)
		// 65 s on 30/6 bills 66 s at 0.05 a minute: 0.055.
		p.wantText("2026-11-01 10:00 UTC Globex 442079460000 447700900123 United Kingdom Mobile 1:05 1:06 0.05 0.055 USD 200 No",
			"+14155550100 United States 0:00", "486 Busy Here",
			"Initech 442079460000 33123456789 0:30 — — — 200 Unrated")
		calls := func(query string) string {
			t.Helper()
			return strings.Join(c.get("/cdrs?"+query).want(http.StatusOK).column("cdrs-title", 3), " ")
		}
		for query, want := range map[string]string{
			"":                                      "447700900123 +14155550100 33123456789 442079460001",
			fmt.Sprintf("account=%d", globex.ID):    "447700900123 +14155550100 442079460001",
			fmt.Sprintf("account=%d", initech.ID):   "33123456789",
			fmt.Sprintf("account=%d", transit.ID):   "442079460001",
			"from=2026-11-02&to=2026-11-02":         "+14155550100",
			"from=2026-11-03":                       "33123456789 442079460001",
			"to=2026-11-01":                         "447700900123",
			"number=447":                            "447700900123",
			"number=%2B1":                           "+14155550100",
			"number=44":                             "447700900123 442079460001",
			"connected=1":                           "447700900123 33123456789 442079460001",
			"unrated=1":                             "33123456789",
			"connected=1&number=44&from=2026-11-02": "442079460001",
		} {
			if got := calls(query); got != want {
				t.Errorf("/cdrs?%s lists %q, want %q", query, got, want)
			}
		}

		// The filter form keeps what was chosen.
		p = c.get(fmt.Sprintf("/cdrs?account=%d&from=2026-11-02&number=44&connected=1", globex.ID)).want(http.StatusOK)
		if p.value("account") != fmt.Sprint(globex.ID) || p.value("from") != "2026-11-02" || p.value("number") != "44" ||
			!p.checked("connected", "") || p.checked("unrated", "") {
			t.Error("the filter form does not keep the filter")
		}
		// Bad filters are named next to their fields.
		p = c.get("/cdrs?from=yesterday&to=2026-10-01&number=abc&account=999").want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"from": "From must be a date", "number": "Number must be the first digits",
			"account": "Account 999 does not exist"})
		if p.value("number") != "abc" {
			t.Error("a bad filter is not kept")
		}
		p = c.get("/cdrs?from=2026-11-02&to=2026-11-01").want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"to": "To must not be before From"})

		// The card gains France and Initech gets it: "Rate unrated calls"
		// prices c3 (30 s at 0.03 a minute, pulse 1 s), once.
		france := billing.RatesHeader + "\n33,France,0.03,0,0,1,2026-01-01\n"
		if _, _, err := e.svc.ImportRates(ctx, a, card.ID, strings.NewReader(france), billing.RatesOptions{}, "france.csv"); err != nil {
			t.Fatal(err)
		}
		initech.RateCardID = &card.ID
		if err := e.svc.UpdateAccountAndRateCard(ctx, a, initech); err != nil {
			t.Fatal(err)
		}
		e.user("support@example.com", portico.RoleSupport).post("/cdrs/rate-unrated", nil).want(http.StatusForbidden)
		c.post("/cdrs/rate-unrated", nil).wantRedirect("/cdrs?")
		p = c.get("/cdrs?flash=cdrs_rated&unrated=1").want(http.StatusOK)
		p.wantText("Unrated calls were rated", "No calls match.")
		c.post("/cdrs/rate-unrated", nil).wantRedirect("/cdrs?")
		c.get(fmt.Sprintf("/cdrs?account=%d", initech.ID)).want(http.StatusOK).wantText("33123456789 France 0:30 0:30 0.03 0.015 USD 200 No")
	})
}

func TestCDRListPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		a := actorFor(t, db, "ops@example.com")
		acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex"}
		other := &portico.Account{Kind: portico.KindCustomer, Name: "Initech"}
		for _, x := range []*portico.Account{acc, other} {
			if err := e.svc.CreateAccount(ctx, a, x); err != nil {
				t.Fatal(err)
			}
		}
		var cdrs []portico.CDR
		for i := range pageSize + 3 {
			cdrs = append(cdrs, call(fmt.Sprint("g", i), acc.ID, 1, fmt.Sprint(4420000000+i), 10, 200),
				call(fmt.Sprint("i", i), other.ID, 1, "33100000000", 10, 200))
		}
		if _, err := e.svc.IngestCDRs(ctx, a, cdrs, "test"); err != nil {
			t.Fatal(err)
		}
		first := c.get(fmt.Sprintf("/cdrs?account=%d", acc.ID)).want(http.StatusOK)
		if got := first.column("cdrs-title", 3); len(got) != pageSize || got[0] != "4420000000" {
			t.Fatalf("first page lists %d calls from %v", len(got), got[:1])
		}
		next := first.nextLink()
		if !strings.Contains(next, fmt.Sprintf("account=%d", acc.ID)) {
			t.Fatalf("Next link %q drops the filter", next)
		}
		second := c.get(next).want(http.StatusOK)
		if got := strings.Join(second.column("cdrs-title", 3), " "); got != "4420000050 4420000051 4420000052" {
			t.Errorf("second page lists %q", got)
		}
		if second.nextLink() != "" {
			t.Error("the last page offers a Next link")
		}
		if u, _ := url.Parse(next); u.Query().Get("after") == "" {
			t.Errorf("Next link %q has no cursor", next)
		}
	})
}
