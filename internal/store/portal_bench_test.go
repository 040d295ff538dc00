package store_test

import (
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// cpuTime is the CPU time this process has used. The machine the figures
// come from is shared, so wall-clock rates move with the neighbours' load;
// CPU time per operation moves much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPortalCDRPage measures a page of 100 calls of the big account,
// newest first: the first page, and one 500,000 rows deep by keyset; for
// comparison, the same depth by OFFSET, and COUNT(*) of the account.
func BenchmarkPortalCDRPage(b *testing.B) {
	db, acc := storetest.OpenBench(b)
	aq := db.Read().ForAccount(acc)
	depth := 500_000
	if s := os.Getenv("PORTICO_BENCH_DEPTH"); s != "" {
		depth, _ = strconv.Atoi(s)
	}
	// The cursor at the given depth, found by walking the pages.
	var cursor int64
	for seen := 0; seen < depth; {
		page, err := aq.CDRPage(ctx, store.PortalCDRFilter{After: cursor, Limit: 500})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			b.Fatalf("the account has only %d calls", seen)
		}
		n := min(len(page), depth-seen)
		cursor, seen = page[n-1].ID, seen+n
	}
	run := func(name string, fn func() int) {
		b.Run(name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				if n := fn(); n == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
	page := func(after int64) func() int {
		return func() int {
			calls, err := db.Read().ForAccount(acc).CDRPage(ctx, store.PortalCDRFilter{After: after, Limit: 101})
			if err != nil {
				b.Fatal(err)
			}
			return len(calls)
		}
	}
	run("keyset/first", page(0))
	run("keyset/depth="+strconv.Itoa(depth), page(cursor))
	run("offset/depth="+strconv.Itoa(depth), func() int {
		n, err := db.Read().ScanForTest(ctx, `SELECT id FROM cdrs WHERE customer_id = ? ORDER BY start_time DESC, id DESC LIMIT 100 OFFSET ?`, acc, depth)
		if err != nil {
			b.Fatal(err)
		}
		return n
	})
	run("count", func() int {
		n, err := db.Read().ScanForTest(ctx, `SELECT COUNT(*) FROM cdrs WHERE customer_id = ?`, acc)
		if err != nil {
			b.Fatal(err)
		}
		return n
	})
	plans := map[string]store.PortalCDRFilter{"first page": {Limit: 101}, "deep page": {Limit: 101, After: cursor}}
	for name, f := range plans {
		db.Write(ctx, func(q *store.Q) error {
			query, args, err := q.ForAccount(acc).CDRPageSQLForTest(ctx, f)
			if err != nil {
				return err
			}
			plan, err := q.ExplainForTest(ctx, query, args...)
			b.Logf("plan of the %s:\n%s\n%s", name, query, plan)
			return err
		})
	}
}

// BenchmarkPortalCDRExport streams the big account's calls (up to
// PORTICO_BENCH_EXPORT_ROWS, default 1,000,000, by a date range chosen to
// hold about that many) through the CSV writer into io.Discard, and
// reports rows/s and the largest heap seen on the way.
func BenchmarkPortalCDRExport(b *testing.B) {
	db, acc := storetest.OpenBench(b)
	want := 1_000_000
	if s := os.Getenv("PORTICO_BENCH_EXPORT_ROWS"); s != "" {
		want, _ = strconv.Atoi(s)
	}
	// The start time of the call `want` rows before the newest bounds the
	// export from below.
	aq := db.Read().ForAccount(acc)
	var cursor int64
	var from time.Time
	for seen := 0; seen < want; {
		page, err := aq.CDRPage(ctx, store.PortalCDRFilter{After: cursor, Limit: 500})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		n := min(len(page), want-seen)
		cursor, from, seen = page[n-1].ID, page[n-1].StartTime, seen+n
	}
	for b.Loop() {
		var peak uint64
		var ms runtime.MemStats
		rows := 0
		start, cpu := time.Now(), cpuTime()
		w := billing.NewCSVWriter(io.Discard)
		err := db.Read().ForAccount(acc).EachCDR(ctx, store.PortalCDRFilter{From: from}, func(c *portico.CDR) error {
			w.Time(c.StartTime)
			w.Text(c.CallID)
			w.Text(c.Switch)
			w.Text(c.SourceNumber)
			w.Text(c.DestinationNumber)
			w.Text(c.DestinationName)
			w.Text(c.Direction)
			w.Int(int64(c.Duration))
			w.Int(int64(c.BilledDuration))
			w.Money(c.Rate)
			w.Money(c.Charge)
			w.Int(int64(c.SIPCode))
			w.Text(c.SIPReason)
			w.Text("USD")
			rows++
			if rows%100_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return w.EndRow()
		})
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(rows)/(cpuTime()-cpu).Seconds(), "rows/cpu-s")
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}

// BenchmarkPortalSummary measures what /summary reads for the big account:
// its quarter-hour buckets of the twelve months up to the current one.
func BenchmarkPortalSummary(b *testing.B) {
	db, acc := storetest.OpenBench(b)
	now := time.Now().UTC()
	to := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, -12, 0)
	var calls int64
	for b.Loop() {
		buckets, err := db.Read().ForAccount(acc).SummaryBuckets(ctx, false, from, to)
		if err != nil || len(buckets) == 0 {
			b.Fatal(len(buckets), err)
		}
		calls = 0
		for _, k := range buckets {
			calls += k.Attempts
		}
	}
	b.ReportMetric(float64(calls), "calls")
}
