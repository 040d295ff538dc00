package store_test

import (
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// planCase is a query and what its plan must show on each engine.
type planCase struct {
	name, query      string
	args             []any
	sqlite, postgres string // expected in the plan
}

// TestQueryPlans checks that the billing queries that must stay fast on
// millions of CDRs use their indexes, with SQLite's EXPLAIN QUERY PLAN and
// PostgreSQL's EXPLAIN (sequential scans switched off, since on an empty
// table PostgreSQL rightly prefers them; what is checked is that the index
// can serve the query).
func TestQueryPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		from, to := time.Unix(0, 0).UTC(), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		cases := []planCase{
			{"balance", `SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ?`, []any{1},
				"USING COVERING INDEX ledger_account", "ledger_account"},
			{"ledger page", `SELECT id FROM ledger_entries WHERE account_id = ? AND id > ? ORDER BY id LIMIT 50`, []any{1, 0},
				"USING COVERING INDEX ledger_account", "ledger_account"},
			{"CDR uniqueness", `SELECT 1 FROM cdrs WHERE switch = ? AND call_id = ?`, []any{"sw1", "abc"},
				"USING COVERING INDEX cdrs_switch_call", "cdrs_switch_call"},
			{"a customer's CDRs", `SELECT id FROM cdrs WHERE id > ? AND start_time >= ? AND start_time < ? AND customer_id = ? ORDER BY id LIMIT 50`,
				[]any{0, from, to, 1}, "USING INDEX cdrs_customer", "cdrs_customer"},
			{"a carrier's CDRs", `SELECT id FROM cdrs WHERE id > ? AND start_time >= ? AND start_time < ? AND carrier_id = ? ORDER BY id LIMIT 50`,
				[]any{0, from, to, 1}, "USING INDEX cdrs_carrier", "cdrs_carrier"},
			{"history probe", `SELECT EXISTS (SELECT 1 FROM cdrs WHERE carrier_id = ?)`, []any{1},
				"USING COVERING INDEX cdrs_carrier", "cdrs_carrier"},
		}
		if db.Dialect() == store.SQLite {
			cases = append(cases,
				planCase{"batch sums", `SELECT customer_id, COUNT(*) FROM cdrs NOT INDEXED WHERE id > ? GROUP BY customer_id, carrier_id`, []any{0},
					"SEARCH cdrs USING INTEGER PRIMARY KEY (rowid>?)", ""},
				planCase{"batch keys (rollup of a batch with duplicates)", `SELECT switch, call_id FROM cdrs NOT INDEXED WHERE id > ?`, []any{0},
					"SEARCH cdrs USING INTEGER PRIMARY KEY (rowid>?)", ""},
				// On an empty table PostgreSQL costs the partial index no
				// better than the others; PERFORMANCE.md shows it chosen
				// on a million CDRs.
				planCase{"unrated CDRs", `SELECT id FROM cdrs WHERE id > ? AND start_time >= ? AND start_time < ? AND unrated ORDER BY id LIMIT 50`,
					[]any{0, from, to}, "USING INDEX cdrs_unrated", ""})
		}
		err := db.Write(ctx, func(q *store.Q) error {
			for _, c := range cases {
				plan, err := q.ExplainForTest(ctx, c.query, c.args...)
				if err != nil {
					return err
				}
				expect := c.sqlite
				if db.Dialect() == store.Postgres {
					expect = c.postgres
				}
				if !strings.Contains(plan, expect) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN cdrs") {
					t.Errorf("%s: plan %q, want %q", c.name, plan, expect)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The (switch, call_id) index is unique: the second copy is skipped.
		cdr := portico.CDR{Switch: "sw1", CallID: "abc", StartTime: time.Now(), DestinationNumber: "44", Direction: "termination"}
		err = db.Write(ctx, func(q *store.Q) error {
			if err := q.CreateAccount(ctx, &portico.Account{Kind: portico.KindCustomer, Name: "A", Status: portico.StatusActive, Currency: "USD"}); err != nil {
				return err
			}
			cdr.CustomerID = 1
			n, _, err := q.InsertCDRs(ctx, []portico.CDR{cdr, cdr})
			if n != 1 {
				t.Errorf("stored %d of two copies", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
