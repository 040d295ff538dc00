package app

import (
	"context"
	"maps"
	"slices"
	"time"

	"portico/internal/portico"
)

// The operator's traffic views: an account's Summary as its portal shows
// it, and the traffic of all accounts. Operators work in UTC, so days and
// months here are UTC ones. Any operator role may read them; the panel's
// route policy lets only operators in.

// AccountTraffic returns what the account of kind and id sees in its
// portal's Summary for month ("2006-01", "" for the current UTC month): a
// customer's calls and charges, or the traffic a carrier carried at its
// carrier cost, by UTC day and month.
func (s *Service) AccountTraffic(ctx context.Context, kind portico.AccountKind, id int64, month string) (*portico.Account, *SummaryView, error) {
	read := s.DB.Read()
	acc, err := findAccountOfKind(ctx, read, kind, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := summarize(ctx, read.ForAccount(acc.ID), kind == portico.KindCarrier, month, time.UTC)
	return acc, v, err
}

// TrafficDay is one UTC day (or month) of the calls of every account in
// one currency: the customers' calls and charges (Calls.Amount is the
// revenue), and what the carriers that carried them cost.
type TrafficDay struct {
	Calls Totals
	Cost  portico.Money
}

// Margin is the revenue less the cost.
func (d TrafficDay) Margin() portico.Money { return d.Calls.Amount - d.Cost }

// TrafficCurrency is a month of traffic in one currency by UTC day.
type TrafficCurrency struct {
	Currency string
	Days     []TrafficDay // every day of the month
	Total    TrafficDay
}

// TrafficView is the traffic of every account in one UTC month, one
// table per currency (amounts in different currencies are never added):
// usually one. A month without calls has none.
type TrafficView struct {
	Month      time.Time
	Currencies []TrafficCurrency
}

// Traffic sums the calls of every account in month ("2006-01", "" for the
// current UTC month) by UTC day, from the all-accounts rollup.
func (s *Service) Traffic(ctx context.Context, month string) (*TrafficView, error) {
	read := s.DB.Read()
	start, err := parseMonth(month, read.Now(), time.UTC)
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 1, 0)
	buckets, err := read.TrafficBuckets(ctx, start, end)
	if err != nil {
		return nil, err
	}
	v := &TrafficView{Month: start}
	byCurrency := map[string]*TrafficCurrency{}
	days := daysOf(start)
	for _, b := range buckets {
		c := byCurrency[b.Currency]
		if c == nil {
			c = &TrafficCurrency{Currency: b.Currency, Days: make([]TrafficDay, len(days)), Total: TrafficDay{Calls: Totals{Start: start}}}
			for i := range c.Days {
				c.Days[i].Calls.Start = days[i].Start
			}
			byCurrency[b.Currency] = c
		}
		d := &c.Days[b.Start.Day()-1]
		if b.Carrier {
			d.Cost += b.Amount
			c.Total.Cost += b.Amount
		} else {
			add(&d.Calls, b.CDRBucket)
			add(&c.Total.Calls, b.CDRBucket)
		}
	}
	for _, cur := range slices.Sorted(maps.Keys(byCurrency)) {
		v.Currencies = append(v.Currencies, *byCurrency[cur])
	}
	return v, nil
}
