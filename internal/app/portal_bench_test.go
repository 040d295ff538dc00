package app_test

import (
	"testing"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/store/storetest"
)

// BenchmarkPortalRates measures the Rate Card section of the account
// `portico seed` made (its card has 50,000 prefixes): the first page, a
// search by prefix, searches by destination name (one that matches half
// way down the card, one that matches nothing), a page 40,000 prefixes
// deep, and the whole card as the downloads read it. "cold" is the first
// page on a fresh Service, as after a version load or on a new node.
func BenchmarkPortalRates(b *testing.B) {
	db, acc := storetest.OpenBench(b)
	svc := apptest.NewService(b, db)
	u, err := svc.PortalUserForTest(ctx, acc)
	if err != nil {
		b.Fatal(err)
	}
	all, err := svc.PortalRatesExport(ctx, u, "")
	if err != nil {
		b.Fatal(err)
	}
	if len(all.Current) < 50_000 {
		b.Fatalf("the account's card has %d prefixes in force; seed a 50k-prefix card", len(all.Current))
	}
	deep := all.Current[40_000].Prefix
	page := func(svc *app.Service, q, after string) int {
		v, err := svc.PortalRates(ctx, u, q, after)
		if err != nil {
			b.Fatal(err)
		}
		return len(v.Current)
	}
	for _, c := range []struct {
		name, q, after string
		want           int
	}{
		{"first", "", "", app.PortalPageSize},
		{"q=44", "44", "", app.PortalPageSize},
		{"q=germ", "germ", "", app.PortalPageSize},
		{"q=nowhere", "nowhere", "", 0},
		{"deep", "", deep, app.PortalPageSize},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if n := page(svc, c.q, c.after); n != c.want {
					b.Fatalf("%d rows, want %d", n, c.want)
				}
			}
		})
	}
	b.Run("export", func(b *testing.B) {
		for b.Loop() {
			x, err := svc.PortalRatesExport(ctx, u, "")
			if err != nil {
				b.Fatal(err)
			}
			if len(x.Current) != len(all.Current) {
				b.Fatalf("%d rows, want %d", len(x.Current), len(all.Current))
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if n := page(apptest.NewService(b, db), "", ""); n != app.PortalPageSize {
				b.Fatalf("%d rows", n)
			}
		}
	})
}
