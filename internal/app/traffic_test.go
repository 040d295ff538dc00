package app_test

import (
	"fmt"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// trafficWorld is two customers (Initech has no card, so its calls stay
// unrated) and a carrier, with calls around November 2026: at 23:30 UTC
// on the last day of October and of November (each belongs to its own UTC
// day), unanswered calls, calls with no carrier and a carrier call
// without a known cost.
type trafficWorld struct {
	svc                      *app.Service
	globex, initech, transit *portico.Account
	calls                    []portico.CDR
}

func newTrafficWorld(t *testing.T, db *store.DB) *trafficWorld {
	t.Helper()
	w := &trafficWorld{svc: apptest.NewService(t, db)}
	w.globex = &portico.Account{Kind: portico.KindCustomer, Name: "Globex"}
	w.initech = &portico.Account{Kind: portico.KindCustomer, Name: "Initech"}
	w.transit = &portico.Account{Kind: portico.KindCarrier, Name: "Transit"}
	for _, acc := range []*portico.Account{w.globex, w.initech, w.transit} {
		if err := w.svc.CreateAccount(ctx, owner, acc); err != nil {
			t.Fatal(err)
		}
	}
	money := func(s string) *portico.Money { return moneyPtr(t, s) }
	n := 0
	call := func(at string, customer int64, secs int, charge *portico.Money, carrier int64, cost *portico.Money) portico.CDR {
		n++
		c := portico.CDR{Switch: "sw", CallID: fmt.Sprintf("t%d", n), StartTime: ts(at), DestinationNumber: "4420",
			CustomerID: customer, Duration: secs, CarrierID: carrier, CarrierCost: cost}
		if charge != nil {
			c.Charge, c.BilledDuration, c.Rate = charge, secs, money("0.01")
		}
		return c
	}
	g, i, tr := w.globex.ID, w.initech.ID, w.transit.ID
	w.calls = []portico.CDR{
		call("2026-10-31T23:30:00Z", g, 60, money("0.10"), tr, money("0.04")),
		call("2026-11-01T00:00:00Z", g, 125, money("0.25"), tr, money("0.09")),
		call("2026-11-01T10:14:59Z", g, 0, money("0"), tr, money("0")),
		call("2026-11-01T10:15:00Z", i, 40, nil, tr, money("0.02")),
		call("2026-11-02T23:30:00Z", g, 30, money("0.07"), 0, nil),
		call("2026-11-02T23:59:59Z", i, 0, nil, 0, nil),
		call("2026-11-15T12:00:00Z", g, 3600, money("6.00"), tr, nil),
		call("2026-11-15T12:00:01Z", i, 90, nil, tr, money("0.30")),
		call("2026-11-30T23:30:00Z", g, 61, money("0.11"), tr, money("0.05")),
		call("2026-12-01T00:00:00Z", g, 20, money("0.03"), tr, money("0.01")),
	}
	if _, err := w.svc.IngestCDRs(ctx, owner, w.calls, "test"); err != nil {
		t.Fatal(err)
	}
	return w
}

// expected sums, in Go, the calls that pick takes (with the amount they
// count) into the UTC days of November 2026 and the UTC months of 2026.
type expected struct {
	days   [30]app.Totals
	months map[time.Month]app.Totals
}

func expect(calls []portico.CDR, pick func(c portico.CDR) (bool, *portico.Money)) expected {
	e := expected{months: map[time.Month]app.Totals{}}
	add := func(t *app.Totals, c portico.CDR, amount *portico.Money) {
		t.Attempts++
		if c.Duration > 0 {
			t.Connected++
		}
		t.Seconds += int64(c.Duration)
		t.Billed += int64(c.BilledDuration)
		if amount != nil { // unrated: counts 0
			t.Amount += *amount
		}
	}
	for _, c := range calls {
		ok, amount := pick(c)
		if !ok {
			continue
		}
		at := c.StartTime.UTC()
		m := e.months[at.Month()]
		add(&m, c, amount)
		e.months[at.Month()] = m
		if at.Year() == 2026 && at.Month() == time.November {
			add(&e.days[at.Day()-1], c, amount)
		}
	}
	return e
}

func sameTotals(t *testing.T, what string, got, want app.Totals) {
	t.Helper()
	want.Start = got.Start
	if got != want {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

// TestAccountTraffic checks the operator's view of an account's Summary,
// in UTC, against the calls summed in Go, for customers and a carrier.
func TestAccountTraffic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newTrafficWorld(t, db)
		for _, c := range []struct {
			acc  *portico.Account
			pick func(c portico.CDR) (bool, *portico.Money)
		}{
			{w.globex, func(c portico.CDR) (bool, *portico.Money) { return c.CustomerID == w.globex.ID, c.Charge }},
			{w.initech, func(c portico.CDR) (bool, *portico.Money) { return c.CustomerID == w.initech.ID, c.Charge }},
			{w.transit, func(c portico.CDR) (bool, *portico.Money) { return c.CarrierID == w.transit.ID, c.CarrierCost }},
		} {
			acc, v, err := w.svc.AccountTraffic(ctx, c.acc.Kind, c.acc.ID, "2026-11")
			if err != nil || acc.ID != c.acc.ID {
				t.Fatalf("%s: %v", c.acc.Name, err)
			}
			want := expect(w.calls, c.pick)
			if v.Month != time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) || len(v.Days) != 30 || len(v.Months) != 12 {
				t.Fatalf("%s: month %v, %d days, %d months", c.acc.Name, v.Month, len(v.Days), len(v.Months))
			}
			if v.Carrier != (c.acc.Kind == portico.KindCarrier) {
				t.Errorf("%s: carrier side %v", c.acc.Name, v.Carrier)
			}
			var total app.Totals
			for i, d := range v.Days {
				if d.Start != time.Date(2026, 11, i+1, 0, 0, 0, 0, time.UTC) {
					t.Errorf("%s: day %d starts %v", c.acc.Name, i+1, d.Start)
				}
				sameTotals(t, fmt.Sprintf("%s, 2026-11-%02d", c.acc.Name, i+1), d, want.days[i])
				total.Attempts += want.days[i].Attempts
				total.Connected += want.days[i].Connected
				total.Seconds += want.days[i].Seconds
				total.Billed += want.days[i].Billed
				total.Amount += want.days[i].Amount
			}
			sameTotals(t, c.acc.Name+", November", v.Total, total)
			sameTotals(t, c.acc.Name+", November (months)", v.Months[11], want.months[time.November])
			sameTotals(t, c.acc.Name+", October (months)", v.Months[10], want.months[time.October])
		}
		// 23:30 UTC is the day it is in UTC, whatever a portal contact's zone.
		_, v, _ := w.svc.AccountTraffic(ctx, portico.KindCustomer, w.globex.ID, "2026-11")
		if v.Days[29].Attempts != 1 || v.Days[1].Attempts != 1 || v.Months[10].Attempts != 1 {
			t.Errorf("late calls on the wrong UTC day: 30 Nov %d, 2 Nov %d, October %d", v.Days[29].Attempts, v.Days[1].Attempts, v.Months[10].Attempts)
		}

		// A month that cannot be read names the field; a carrier is not
		// found as a customer.
		for _, m := range []string{"2026-13", "Nov 2026", "1989-12"} {
			if _, _, err := w.svc.AccountTraffic(ctx, portico.KindCustomer, w.globex.ID, m); portico.ErrorFields(err)["month"] == "" {
				t.Errorf("month %q: %v, want an error on month", m, err)
			}
		}
		if _, _, err := w.svc.AccountTraffic(ctx, portico.KindCustomer, w.transit.ID, ""); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Errorf("a carrier's traffic as a customer's: %v", err)
		}
	})
}

// TestTraffic checks the all-accounts traffic of a month against the
// stored calls summed in Go, per UTC day and currency: customers' calls
// and charges (unrated: 0), carriers' costs, margin = revenue − cost;
// and again after unrated calls are rated later, which must move the
// all-accounts rollup too.
func TestTraffic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newTrafficWorld(t, db)
		euro := &portico.Account{Kind: portico.KindCustomer, Name: "Euro GmbH", Currency: "EUR"}
		euroCarrier := &portico.Account{Kind: portico.KindCarrier, Name: "Euro Transit", Currency: "EUR"}
		for _, acc := range []*portico.Account{euro, euroCarrier} {
			if err := w.svc.CreateAccount(ctx, owner, acc); err != nil {
				t.Fatal(err)
			}
		}
		eur := []portico.CDR{{Switch: "sw", CallID: "eur", StartTime: ts("2026-11-01T08:00:00Z"), DestinationNumber: "4420",
			CustomerID: euro.ID, Duration: 60, BilledDuration: 60, Rate: moneyPtr(t, "2"), Charge: moneyPtr(t, "2.00"),
			CarrierID: euroCarrier.ID, CarrierCost: moneyPtr(t, "1.50")}}
		if _, err := w.svc.IngestCDRs(ctx, owner, eur, "test"); err != nil {
			t.Fatal(err)
		}
		currency := map[int64]string{}
		for _, acc := range []*portico.Account{w.globex, w.initech, w.transit, euro, euroCarrier} {
			currency[acc.ID] = acc.Currency
		}

		check := func(when string) {
			t.Helper()
			v, err := w.svc.Traffic(ctx, "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			// The calls as stored now, summed in Go.
			want := map[string]*[30]app.TrafficDay{}
			day := func(cur string, at time.Time) *app.TrafficDay {
				if want[cur] == nil {
					want[cur] = &[30]app.TrafficDay{}
				}
				return &want[cur][at.Day()-1]
			}
			for _, c := range cdrsOf(t, w.svc, portico.CDRFilter{}) {
				at := c.StartTime.UTC()
				if at.Month() != time.November {
					continue
				}
				d := day(currency[c.CustomerID], at)
				d.Calls.Attempts++
				if c.Duration > 0 {
					d.Calls.Connected++
				}
				d.Calls.Seconds += int64(c.Duration)
				d.Calls.Billed += int64(c.BilledDuration)
				if c.Charge != nil {
					d.Calls.Amount += *c.Charge
				}
				if c.CarrierID != 0 && c.CarrierCost != nil {
					day(currency[c.CarrierID], at).Cost += *c.CarrierCost
				}
			}
			if len(v.Currencies) != 2 || v.Currencies[0].Currency != "EUR" || v.Currencies[1].Currency != "USD" {
				t.Fatalf("%s: currencies %+v", when, v.Currencies)
			}
			for _, c := range v.Currencies {
				var total app.TrafficDay
				for i, d := range c.Days {
					if d.Calls.Start != time.Date(2026, 11, i+1, 0, 0, 0, 0, time.UTC) {
						t.Errorf("%s: %s day %d starts %v", when, c.Currency, i+1, d.Calls.Start)
					}
					wd := want[c.Currency][i]
					wd.Calls.Start = d.Calls.Start
					if d != wd {
						t.Errorf("%s: %s 2026-11-%02d: got %+v, want %+v", when, c.Currency, i+1, d, wd)
					}
					total.Calls.Attempts += wd.Calls.Attempts
					total.Calls.Connected += wd.Calls.Connected
					total.Calls.Seconds += wd.Calls.Seconds
					total.Calls.Billed += wd.Calls.Billed
					total.Calls.Amount += wd.Calls.Amount
					total.Cost += wd.Cost
				}
				total.Calls.Start = c.Total.Calls.Start
				if c.Total != total {
					t.Errorf("%s: %s total %+v, want %+v", when, c.Currency, c.Total, total)
				}
				if c.Total.Margin() != c.Total.Calls.Amount-c.Total.Cost {
					t.Errorf("%s: %s margin %s", when, c.Currency, c.Total.Margin())
				}
			}
			// 23:30 UTC on the 30th is the 30th; Globex's calls of 31
			// October and 1 December stay out.
			usd := v.Currencies[1]
			if usd.Days[29].Calls.Attempts != 1 || usd.Total.Calls.Attempts != 8 {
				t.Errorf("%s: 30 Nov %d attempts, November %d", when, usd.Days[29].Calls.Attempts, usd.Total.Calls.Attempts)
			}
		}
		check("as ingested")
		// Initech's unrated calls count 0.
		if v, _ := w.svc.Traffic(ctx, "2026-11"); v.Currencies[1].Total.Calls.Amount != mustMoney(t, "6.43") {
			t.Errorf("USD revenue: %s, want 6.43", v.Currencies[1].Total.Calls.Amount)
		}

		// Initech gets a card; its calls are rated later, and the
		// all-accounts rollup moves with the charges.
		card := newCard(t, w.svc, "Retail", "USD", "prefix,name,rate,connection_fee,mcd,pulse,effective_date\n44,UK,0.06,0,1,1,2026-01-01\n")
		w.initech.RateCardID = &card.ID
		if err := w.svc.UpdateAccountAndRateCard(ctx, owner, w.initech); err != nil {
			t.Fatal(err)
		}
		if res, err := w.svc.RateUnratedCDRs(ctx, owner); err != nil || res.Rated != 3 {
			t.Fatalf("rate unrated: %+v %v", res, err)
		}
		check("after rating later")
		// 40 s and 90 s at 0.06 a minute: 0.04 + 0.09.
		if v, _ := w.svc.Traffic(ctx, "2026-11"); v.Currencies[1].Total.Calls.Amount != mustMoney(t, "6.56") {
			t.Errorf("USD revenue after rating: %s, want 6.56", v.Currencies[1].Total.Calls.Amount)
		}

		if v, err := w.svc.Traffic(ctx, "2025-01"); err != nil || len(v.Currencies) != 0 || v.Month != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) {
			t.Errorf("a month without calls: %+v %v", v, err)
		}
		if _, err := w.svc.Traffic(ctx, "2026-1"); portico.ErrorFields(err)["month"] == "" {
			t.Errorf("bad month: %v", err)
		}
	})
}
