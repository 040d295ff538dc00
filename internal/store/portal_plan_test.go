package store_test

import (
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestPortalQueryPlans checks that the portal's CDR pages, on either side
// and with or without a cursor and a date range, are served by the
// (account, start_time, id) indexes: ordered by the index, so a page reads
// its hundred rows at any depth instead of sorting the account's calls.
func TestPortalQueryPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var acc portico.Account
		err := db.Write(ctx, func(q *store.Q) error {
			acc = portico.Account{Kind: portico.KindCustomer, Name: "A", Status: portico.StatusActive, Currency: "USD"}
			if err := q.CreateAccount(ctx, &acc); err != nil {
				return err
			}
			cdr := portico.CDR{Switch: "s", CallID: "c1", StartTime: time.Now().UTC(), DestinationNumber: "44",
				Direction: "termination", CustomerID: acc.ID, CarrierID: acc.ID}
			_, _, err := q.InsertCDRs(ctx, []portico.CDR{cdr})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		first, err := db.Read().ForAccount(acc.ID).CDRPage(ctx, store.PortalCDRFilter{Limit: 1})
		if err != nil || len(first) != 1 {
			t.Fatal(err)
		}
		day := time.Now().UTC().Truncate(24 * time.Hour)
		for _, f := range []store.PortalCDRFilter{
			{Limit: 101},
			{Limit: 101, After: first[0].ID},
			{Limit: 101, From: day, To: day.Add(24 * time.Hour), After: first[0].ID},
			{Limit: 101, Carrier: true, From: day},
			{Limit: 101, Number: "44", Connected: true},
		} {
			err := db.Write(ctx, func(q *store.Q) error {
				query, args, err := q.ForAccount(acc.ID).CDRPageSQLForTest(ctx, f)
				if err != nil {
					return err
				}
				plan, err := q.ExplainForTest(ctx, query, args...)
				if err != nil {
					return err
				}
				want := "cdrs_customer_time"
				if f.Carrier {
					want = "cdrs_carrier_time"
				}
				if !strings.Contains(plan, want) || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") ||
					strings.Contains(plan, "Seq Scan") {
					t.Errorf("filter %+v: plan\n%s\nwant %s, no sort", f, plan, want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		checkSummaryPlan(t, db, acc.ID)
	})
}

// checkSummaryPlan checks that the Summary's read of a year of rollup
// rows, on either side, is one range of the rollup's primary key.
func checkSummaryPlan(t *testing.T, db *store.DB, account int64) {
	t.Helper()
	to := time.Now().UTC()
	from := to.AddDate(-1, 0, 0)
	want := "SEARCH cdr_rollup USING PRIMARY KEY (account_id=? AND carrier=? AND bucket>? AND bucket<?)"
	if db.Dialect() == store.Postgres {
		want = "Index Scan using cdr_rollup_pkey on cdr_rollup"
	}
	for _, carrier := range []bool{false, true} {
		err := db.Write(ctx, func(q *store.Q) error {
			query, args := q.ForAccount(account).SummarySQLForTest(carrier, from, to)
			plan, err := q.ExplainForTest(ctx, query, args...)
			if err != nil {
				return err
			}
			if !strings.Contains(plan, want) || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
				t.Errorf("summary, carrier %v: plan\n%s\nwant %s, no sort", carrier, plan, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
