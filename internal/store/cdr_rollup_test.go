package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// rollupKey names one row of the Summary's rollup.
type rollupKey struct {
	account int64
	carrier bool
	bucket  int64 // unix seconds / 900
}

// rollupAccounts are two customers and two carriers.
type rollupAccounts struct{ customers, carriers []int64 }

func createRollupAccounts(t *testing.T, db *store.DB) rollupAccounts {
	t.Helper()
	var a rollupAccounts
	err := db.Write(ctx, func(q *store.Q) error {
		for i, kind := range []portico.AccountKind{portico.KindCustomer, portico.KindCustomer, portico.KindCarrier, portico.KindCarrier} {
			acc := portico.Account{Kind: kind, Name: fmt.Sprintf("Account %d", i), Status: portico.StatusActive, Currency: "USD"}
			if err := q.CreateAccount(ctx, &acc); err != nil {
				return err
			}
			if kind == portico.KindCustomer {
				a.customers = append(a.customers, acc.ID)
			} else {
				a.carriers = append(a.carriers, acc.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// calls makes n calls with what the rollup must count right: unrated
// calls, zero-duration calls, calls with and without a carrier, carriers
// without a cost, and calls on and just before a quarter-hour boundary.
// Half fall in six hours (24 quarter hours, many calls each), half over
// two weeks (most quarter hours of their own), so that a batch adds to
// few rows many times and to many rows too.
func (a rollupAccounts) calls(n int, seed uint64) []portico.CDR {
	r := rand.New(rand.NewPCG(seed, 7))
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	out := make([]portico.CDR, n)
	for i := range out {
		c := portico.CDR{Switch: fmt.Sprintf("sw%d", i%2), CallID: fmt.Sprintf("call-%d-%d", seed, i),
			StartTime: base.Add(time.Duration(r.IntN(6*3600*1000)) * time.Millisecond), DestinationNumber: "4420",
			Direction: portico.DirectionTermination, CustomerID: a.customers[r.IntN(len(a.customers))]}
		if i%2 == 1 {
			c.StartTime = base.Add(time.Duration(r.IntN(14*24*3600)) * time.Second)
		}
		switch i {
		case 0:
			c.StartTime = base.Add(15 * time.Minute)
		case 1:
			c.StartTime = base.Add(15*time.Minute - time.Millisecond)
		}
		if r.IntN(4) > 0 {
			c.Duration = 1 + r.IntN(600)
			c.BilledDuration = c.Duration + r.IntN(60)
		}
		if r.IntN(5) > 0 {
			charge := portico.Money(r.Int64N(1_000_000))
			c.Charge = &charge
		} else {
			c.Unrated = true
		}
		if r.IntN(3) > 0 {
			c.CarrierID = a.carriers[r.IntN(len(a.carriers))]
			if r.IntN(4) > 0 {
				cost := portico.Money(r.Int64N(1_000_000))
				c.CarrierCost = &cost
			}
		}
		out[i] = c
	}
	return out
}

// resent copies calls as a switch might send them again, with other
// figures: the database keeps the first copy, so none of these may count.
func resent(calls []portico.CDR) []portico.CDR {
	out := slices.Clone(calls)
	for i := range out {
		out[i].Duration += 7
		out[i].BilledDuration += 7
		charge := portico.Money(123)
		out[i].Charge, out[i].Unrated = &charge, false
	}
	return out
}

// ingestBatches is the traffic the tests send, batch by batch: batches of
// over a thousand calls and rollup rows (several INSERT statements each),
// calls re-sent across batches and within one, and a batch of nothing but
// duplicates.
func (a rollupAccounts) ingestBatches() [][]portico.CDR {
	calls := a.calls(2500, 1)
	return [][]portico.CDR{
		calls[:1500],
		append(resent(calls[1300:1500]), calls[1500:2000]...),
		append(slices.Clone(calls[2000:]), resent(calls[2000:2010])...),
		resent(calls[:50]),
	}
}

// expectedRollup sums, in Go, the calls the database keeps of batches sent
// in order (the first copy of each switch and call id).
func expectedRollup(batches ...[]portico.CDR) map[rollupKey]store.CDRBucket {
	seen := map[[2]string]bool{}
	want := map[rollupKey]store.CDRBucket{}
	add := func(k rollupKey, c portico.CDR, amount *portico.Money) {
		b := want[k]
		b.Start = time.Unix(k.bucket*900, 0).UTC()
		b.Attempts++
		if c.Duration > 0 {
			b.Connected++
		}
		b.Seconds += int64(c.Duration)
		b.Billed += int64(c.BilledDuration)
		if amount != nil {
			b.Amount += *amount
		}
		want[k] = b
	}
	for _, batch := range batches {
		for _, c := range batch {
			if id := [2]string{c.Switch, c.CallID}; !seen[id] {
				seen[id] = true
				bucket := c.StartTime.Unix() / 900
				add(rollupKey{c.CustomerID, false, bucket}, c, c.Charge)
				if c.CarrierID != 0 {
					add(rollupKey{c.CarrierID, true, bucket}, c, c.CarrierCost)
				}
			}
		}
	}
	return want
}

// checkRollup compares what SummaryBuckets reads, for every account on
// both sides, with want.
func checkRollup(t *testing.T, db *store.DB, a rollupAccounts, want map[rollupKey]store.CDRBucket) {
	t.Helper()
	from, to := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	got := map[rollupKey]store.CDRBucket{}
	for _, acc := range append(slices.Clone(a.customers), a.carriers...) {
		for _, carrier := range []bool{false, true} {
			buckets, err := db.Read().ForAccount(acc).SummaryBuckets(ctx, carrier, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSortedFunc(buckets, func(x, y store.CDRBucket) int { return x.Start.Compare(y.Start) }) {
				t.Errorf("account %d, carrier %v: buckets out of order", acc, carrier)
			}
			for _, b := range buckets {
				got[rollupKey{acc, carrier, b.Start.Unix() / 900}] = b
			}
		}
	}
	if len(want) < 40 {
		t.Fatalf("the test's calls fill only %d buckets", len(want))
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%+v: got %+v, want %+v", k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%+v: got %+v, want no row", k, g)
		}
	}
	checkTotals(t, db, want)
}

// checkTotals compares the all-accounts rollup (every test account is in
// USD) with the accounts' expected rows summed per side and quarter hour.
func checkTotals(t *testing.T, db *store.DB, want map[rollupKey]store.CDRBucket) {
	t.Helper()
	type key struct {
		bucket  int64
		carrier bool
	}
	wantTotals := map[key]store.CDRBucket{}
	for k, b := range want {
		w := wantTotals[key{k.bucket, k.carrier}]
		w.Start = b.Start
		w.Attempts += b.Attempts
		w.Connected += b.Connected
		w.Seconds += b.Seconds
		w.Billed += b.Billed
		w.Amount += b.Amount
		wantTotals[key{k.bucket, k.carrier}] = w
	}
	buckets, err := db.Read().TrafficBuckets(ctx, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != len(wantTotals) {
		t.Errorf("all accounts: %d rows, want %d", len(buckets), len(wantTotals))
	}
	for i, b := range buckets {
		if i > 0 && !b.Start.After(buckets[i-1].Start) && !(b.Start.Equal(buckets[i-1].Start) && b.Carrier) {
			t.Errorf("all accounts: row %d out of order", i)
		}
		if w := wantTotals[key{b.Start.Unix() / 900, b.Carrier}]; b.Currency != "USD" || b.CDRBucket != w {
			t.Errorf("all accounts, %v carrier %v %s: got %+v, want %+v", b.Start, b.Carrier, b.Currency, b.CDRBucket, w)
		}
	}
}

func insertCDRs(t *testing.T, db *store.DB, calls []portico.CDR) {
	t.Helper()
	err := db.Write(ctx, func(q *store.Q) error {
		_, _, err := q.InsertCDRs(ctx, calls)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRollupFollowsIngest checks that InsertCDRs adds to the rollup
// exactly the calls it stored.
func TestRollupFollowsIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := createRollupAccounts(t, db)
		batches := a.ingestBatches()
		if n := len(expectedRollup(batches[0])); n <= 1000 {
			t.Fatalf("the first batch adds to %d rollup rows; it must take several full statements", n)
		}
		for _, batch := range batches {
			insertCDRs(t, db, batch)
		}
		checkRollup(t, db, a, expectedRollup(batches...))
	})
}

// TestRollupBackfill stores calls under schema version 6, before the
// rollup existed, and checks that migration 00007 sums them as the ingest
// would, and that the ingest then adds to the backfilled rows.
func TestRollupBackfill(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db, err := store.Open(ctx, e.Config(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 6); err != nil {
				t.Fatal(err)
			}
			a := createRollupAccounts(t, db)
			batches := a.ingestBatches()
			for _, batch := range batches {
				if err := db.Write(ctx, func(q *store.Q) error { return q.InsertCDRRowsForTest(ctx, batch) }); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkRollup(t, db, a, expectedRollup(batches...))
			// Same quarter hours as the backfilled calls, and re-sent ones.
			more := append(a.calls(500, 2), resent(batches[0][:20])...)
			insertCDRs(t, db, more)
			checkRollup(t, db, a, expectedRollup(append(batches, more)...))
		})
	}
}

// TestRollupConcurrentIngest has four writers store overlapping ranges
// of the same calls into the same quarter hours at once: on PostgreSQL
// their transactions really overlap, and the rollup must still count each
// stored call once, with no lost update and no deadlock.
func TestRollupConcurrentIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := createRollupAccounts(t, db)
		calls := a.calls(4000, 3)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			part := calls[w*800 : w*800+1600]
			wg.Go(func() {
				for start := 0; start < len(part); start += 200 {
					err := db.Write(ctx, func(q *store.Q) error {
						_, _, err := q.InsertCDRs(ctx, part[start:start+200])
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		checkRollup(t, db, a, expectedRollup(calls))
	})
}

// TestSummaryBucketsRange checks that SummaryBuckets returns the quarter
// hours that start in [from, to), whatever the bounds' seconds.
func TestSummaryBucketsRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := createRollupAccounts(t, db)
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		var calls []portico.CDR
		for i := range 4 { // one call in each of four quarter hours
			calls = append(calls, portico.CDR{Switch: "sw", CallID: fmt.Sprint(i), StartTime: base.Add(time.Duration(i)*15*time.Minute + time.Minute),
				DestinationNumber: "44", Direction: portico.DirectionTermination, CustomerID: a.customers[0]})
		}
		insertCDRs(t, db, calls)
		for _, c := range []struct {
			from, to time.Time
			want     int
		}{
			{base, base.Add(time.Hour), 4},
			{base.Add(15 * time.Minute), base.Add(45 * time.Minute), 2},
			{base.Add(time.Nanosecond), base.Add(time.Hour), 3},                         // the first quarter hour starts before from
			{base.Add(15 * time.Minute), base.Add(45*time.Minute + time.Nanosecond), 3}, // the last starts before to
		} {
			buckets, err := db.Read().ForAccount(a.customers[0]).SummaryBuckets(ctx, false, c.from, c.to)
			if err != nil || len(buckets) != c.want {
				t.Errorf("[%v, %v): %d buckets (%v), want %d", c.from, c.to, len(buckets), err, c.want)
			}
		}
		if buckets, err := db.Read().ForAccount(a.customers[1]).SummaryBuckets(ctx, false, base, base.Add(time.Hour)); err != nil || len(buckets) != 0 {
			t.Errorf("another customer's summary: %v, %v", buckets, err)
		}
	})
}
