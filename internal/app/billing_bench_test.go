package app_test

import (
	"context"
	"flag"
	"fmt"
	"syscall"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/billing/billingtest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var (
	ingestRows = flag.Int("ingest-rows", 1_000_000, "rows BenchmarkIngest1M stores")
	ingestIDs  = flag.String("ingest-ids", "uuid", "call ids of the benchmarks' CDRs: uuid (random) or time (time-ordered)")
)

// ingestFixture is a database with two customers on a 50k-prefix card and
// two carriers on a 20k-prefix card.
type ingestFixture struct {
	svc                 *app.Service
	customers, carriers []int64
	deck                []portico.Rate
}

func newIngestFixture(tb testing.TB, db *store.DB) *ingestFixture {
	tb.Helper()
	ctx := context.Background()
	svc := apptest.NewService(tb, db)
	f := &ingestFixture{svc: svc}
	eff := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.deck = billingtest.Deck(50_000, 1, eff)
	cards := []struct {
		name string
		rows []portico.Rate
	}{{"Retail", f.deck}, {"Supplier", billingtest.Deck(20_000, 2, eff)}}
	var cardIDs []int64
	for _, c := range cards {
		card := portico.NewRateCard(c.name, "USD")
		if err := svc.CreateRateCard(ctx, owner, card); err != nil {
			tb.Fatal(err)
		}
		if _, _, err := svc.LoadRates(ctx, owner, card.ID, c.rows, "bench"); err != nil {
			tb.Fatal(err)
		}
		cardIDs = append(cardIDs, card.ID)
	}
	for i := range 4 {
		kind, card, list := portico.KindCustomer, cardIDs[0], &f.customers
		if i >= 2 {
			kind, card, list = portico.KindCarrier, cardIDs[1], &f.carriers
		}
		acc := &portico.Account{Kind: kind, Name: fmt.Sprintf("Account %d", i), RateCardID: &card}
		if err := svc.CreateAccount(ctx, owner, acc); err != nil {
			tb.Fatal(err)
		}
		*list = append(*list, acc.ID)
	}
	return f
}

func (f *ingestFixture) options(seed uint64) billingtest.CDROptions {
	return billingtest.CDROptions{Seed: seed, Customers: f.customers, Carriers: f.carriers, Deck: f.deck, Unmatched: 2, Priced: 10,
		TimeOrderedIDs: *ingestIDs == "time"}
}

// ingest stores cdrs through the same path as the API and the CLI:
// Check, then Add in IngestBatchSize transactions with rating.
func ingest(tb testing.TB, svc *app.Service, cdrs []portico.CDR) portico.IngestResult {
	ctx := context.Background()
	imp, err := svc.NewCDRImport(owner, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range cdrs {
		if f, err := imp.Check(ctx, &cdrs[i]); err != nil || len(f) > 0 {
			tb.Fatalf("check: %v %v", f, err)
		}
	}
	r, err := imp.Add(ctx, cdrs)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// BenchmarkIngest measures CDR ingest with rating, one IngestBatchSize
// transaction per op, on each engine, into a table that grows as it runs.
func BenchmarkIngest(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			f := newIngestFixture(b, storetest.Open(b, e.Config(b)))
			rows, seed := 0, uint64(100)
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				cdrs := billingtest.CDRs(app.IngestBatchSize, f.options(seed))
				seed++
				b.StartTimer()
				rows += ingest(b, f.svc, cdrs).Accepted
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkIngest1M stores a million CDRs (-ingest-rows) with rating into
// an empty SQLite database and reports rows per second: the figure in
// PERFORMANCE.md. Run it alone:
//
//	go test -run '^$' -bench Ingest1M -benchtime 1x ./internal/app/
//
// It also reports the CPU time the process spent (user + system, all
// threads): on a shared machine the wall-clock figure depends on the
// neighbours, rows per CPU-second much less.
func BenchmarkIngest1M(b *testing.B) {
	var elapsed, cpu time.Duration
	for range b.N { // each op is a fresh database; b.N is 1 in practice
		b.StopTimer()
		f := newIngestFixture(b, storetest.Open(b, store.Config{DataDir: b.TempDir()}))
		cdrs := billingtest.CDRs(*ingestRows, f.options(7))
		b.StartTimer()
		start, cpuStart := time.Now(), cpuTime()
		if r := ingest(b, f.svc, cdrs); r.Accepted != *ingestRows {
			b.Fatalf("accepted %d of %d", r.Accepted, *ingestRows)
		}
		elapsed, cpu = elapsed+time.Since(start), cpu+cpuTime()-cpuStart
	}
	b.ReportMetric(float64(*ingestRows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(*ingestRows*b.N)/cpu.Seconds(), "rows/cpu-s")
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
