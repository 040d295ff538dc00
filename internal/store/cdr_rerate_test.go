package store_test

import (
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestLateChargesApplyOnce: two runs that both read the same unrated calls
// before either wrote (two nodes rating at once) both try to charge them;
// only the first changes anything, and the rollups, checked against the
// calls as they end up, move once.
func TestLateChargesApplyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := createRollupAccounts(t, db)
		batches := a.ingestBatches()
		for _, batch := range batches {
			insertCDRs(t, db, batch)
		}
		// What each "node" found: every stored unrated call, now priced.
		unrated, err := db.Read().FindCDRs(ctx, portico.CDRFilter{Unrated: true, Limit: 500})
		if err != nil || len(unrated) < 50 {
			t.Fatalf("%d unrated calls to rate, %v", len(unrated), err)
		}
		var charges []store.LateCharge
		for _, c := range unrated {
			priced := *c
			charge, rate := portico.Money(1234), portico.Money(60_000)
			priced.Charge, priced.Rate, priced.BilledDuration, priced.Unrated = &charge, &rate, c.Duration+5, false
			charges = append(charges, store.LateCharge{CDR: priced, StoredBilled: c.BilledDuration})
		}
		for run, want := range []int{len(charges), 0} {
			err := db.Write(ctx, func(q *store.Q) error {
				changed, err := q.ChargeUnratedCDRs(ctx, charges)
				if len(changed) != want {
					t.Errorf("run %d changed %d calls, want %d", run+1, len(changed), want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// The rollups equal the calls as stored now, summed in Go.
		var stored []portico.CDR
		err = db.Read().EachCDR(ctx, portico.CDRFilter{}, func(c *portico.CDR) error {
			cc := *c // EachCDR reuses c and the money it points to
			for _, m := range []**portico.Money{&cc.Rate, &cc.Charge, &cc.CarrierRate, &cc.CarrierCost} {
				if *m != nil {
					v := **m
					*m = &v
				}
			}
			stored = append(stored, cc)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkRollup(t, db, a, expectedRollup(stored))
	})
}
