package cli

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
)

// runSeed fills a database with a large, realistic data set for
// measurements: a brand (seed.localhost), accounts with contacts, one big
// rate card, and many CDRs, one account holding a large share of them.
// It is for benchmarks and load tests, never for a real installation.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	var d DBConfig
	d.register(fs)
	accounts := fs.Int("accounts", 1000, "customer accounts (plus 10 carriers)")
	prefixes := fs.Int("prefixes", 50_000, "prefixes on the rate card")
	cdrs := fs.Int("cdrs", 10_000_000, "CDRs in all")
	big := fs.Int("big-account-cdrs", 2_000_000, "of them, CDRs of the first account (big@seed.localhost)")
	days := fs.Int("days", 60, "the CDRs' start times spread over this many days up to now")
	batch := fs.Int("batch", 20_000, "CDRs per transaction")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *big > *cdrs || *accounts < 2 || *prefixes < 10 || *days < 1 {
		return fmt.Errorf("need --accounts ≥ 2, --prefixes ≥ 10, --days ≥ 1 and --big-account-cdrs ≤ --cdrs")
	}
	db, err := openDB(ctx, d)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := newService(db, d, "USD", app.Links{Scheme: "http", Port: "8080", PanelHost: "localhost"})
	if err != nil {
		return err
	}
	owner := &portico.User{Email: "seed-owner@seed.localhost", Name: "Seed Owner", Role: portico.RoleOwner}
	pw := demoPassword()
	if err := svc.CreateUser(ctx, owner, pw); err != nil {
		return fmt.Errorf("seed wants a fresh database: %w", err)
	}
	a := app.Actor{UserID: owner.ID, Email: owner.Email, Role: portico.RoleOwner, IP: "127.0.0.1"}
	brand := &portico.Domain{Domain: "seed.localhost", BrandName: "Seed Telecom", Access: append([]portico.Section(nil), portico.Sections...),
		Currencies: []string{"USD"}}
	if err := svc.CreateDomain(ctx, a, brand); err != nil {
		return err
	}
	rng := mrand.New(mrand.NewPCG(10, 1))
	// Prefixes: country codes of the demo plus random longer ones below them.
	eff, _ := portico.ParseDate("2020-01-01")
	seen := map[string]bool{}
	var rows []portico.Rate
	for len(rows) < *prefixes {
		dst := demoDestinations[rng.IntN(len(demoDestinations))]
		p := dst.prefix
		if len(rows) >= len(demoDestinations) {
			p += strconv.Itoa(rng.IntN(1_000_000))
		} else {
			dst = demoDestinations[len(rows)]
			p = dst.prefix
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		rows = append(rows, portico.Rate{Prefix: p, Name: dst.name, Rate: dst.rate + portico.Money(rng.IntN(5000)), MCD: 30, Pulse: 6, Effective: eff})
	}
	card := portico.NewRateCard("Seed Retail", "USD")
	if err := svc.CreateRateCard(ctx, a, card); err != nil {
		return err
	}
	if _, _, err := svc.LoadRates(ctx, a, card.ID, rows, "seed"); err != nil {
		return err
	}
	var customers, carriers []int64
	for i := range *accounts + 10 {
		kind, name := portico.KindCustomer, fmt.Sprintf("Customer %04d", i)
		if i >= *accounts {
			kind, name = portico.KindCarrier, fmt.Sprintf("Carrier %02d", i-*accounts)
		}
		acc := &portico.Account{Kind: kind, Name: name, DomainID: &brand.ID, Currency: "USD", CreditLimit: 100 * portico.MoneyScale,
			RateCardID: &card.ID}
		if err := svc.CreateAccount(ctx, a, acc); err != nil {
			return err
		}
		if kind == portico.KindCarrier {
			carriers = append(carriers, acc.ID)
		} else {
			customers = append(customers, acc.ID)
		}
		if i == 0 {
			c := &portico.Contact{AccountID: acc.ID, Name: "Big Customer", Email: "big@seed.localhost"}
			if err := svc.CreateContact(ctx, a, c, app.PasswordChoice{Password: pw}); err != nil {
				return err
			}
		}
	}
	// Calls in time order (as a switch sends them), time-ordered ids; the
	// first account gets one in every cdrs/big.
	start := time.Now().UTC().Add(-time.Duration(*days) * 24 * time.Hour).Truncate(time.Second)
	step := time.Duration(*days) * 24 * time.Hour / time.Duration(*cdrs)
	began := time.Now()
	buf := make([]portico.CDR, 0, *batch)
	var total portico.IngestResult
	bigEvery := float64(*cdrs) / float64(max(*big, 1))
	nextBig := 0.0
	for i := range *cdrs {
		cust := customers[1+rng.IntN(len(customers)-1)]
		if *big > 0 && float64(i) >= nextBig {
			cust, nextBig = customers[0], nextBig+bigEvery
		}
		c := demoCall(rng, fmt.Sprintf("%d.%d", start.Unix(), i), start.Add(time.Duration(i)*step), cust, carriers[rng.IntN(len(carriers))])
		c.DestinationNumber = rows[rng.IntN(len(rows))].Prefix + c.DestinationNumber[len(c.DestinationNumber)-6:]
		buf = append(buf, c)
		if len(buf) == *batch || i == *cdrs-1 {
			r, err := svc.IngestCDRs(ctx, a, buf, "seed")
			if err != nil {
				return err
			}
			total.Add(r)
			buf = buf[:0]
			if (i+1)%(*batch*25) == 0 || i == *cdrs-1 {
				el := time.Since(began)
				fmt.Fprintf(stdout, "%d CDRs stored in %s (%.0f rows/s)\n", total.Accepted, el.Round(time.Second), float64(total.Accepted)/el.Seconds())
			}
		}
	}
	fmt.Fprintf(stdout, "\nSeeded %d customers, %d carriers, %d prefixes, %d CDRs (%d of account %d).\n",
		len(customers), len(carriers), len(rows), total.Accepted, *big, customers[0])
	fmt.Fprintf(stdout, "Big account's contact: http://seed.localhost:8080/login big@seed.localhost / %s\n", pw)
	return nil
}
