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
