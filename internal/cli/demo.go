package cli

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
)

// DemoHost is the brand the demo creates. Browsers send every *.localhost
// name to the local machine, so it needs no DNS.
const DemoHost = "demo.localhost"

// prepareDemo points the demo at a throwaway data folder: a new temporary
// one when --data was left at its default, or the given one only if it
// holds no database yet. The demo never writes into a real installation.
func prepareDemo(c *ServeConfig, stdout io.Writer) error {
	if c.DB.DatabaseURL != "" {
		return errors.New("--demo runs on SQLite in a throwaway data folder; drop --database-url")
	}
	if c.DB.Data == "" || c.DB.Data == "./data" {
		dir, err := os.MkdirTemp("", "portico-demo-")
		if err != nil {
			return err
		}
		c.DB.Data = dir
		fmt.Fprintf(stdout, "Demo data folder (delete it when done): %s\n", dir)
		return nil
	}
	if _, err := os.Stat(filepath.Join(c.DB.Data, "portico.db")); err == nil {
		return fmt.Errorf("--demo needs a new, empty data folder, and %s already holds a database", c.DB.Data)
	}
	return nil
}

// demoPassword is a random password for a demo login, printed once.
func demoPassword() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// demoDestinations are the destinations of the demo's rate cards.
var demoDestinations = []struct {
	prefix, name string
	rate         portico.Money // retail, per minute
}{
	{"1", "USA and Canada", 8_000}, {"1212", "USA New York", 7_000}, {"44", "United Kingdom", 12_000},
	{"447", "United Kingdom Mobile", 45_000}, {"49", "Germany", 15_000}, {"4915", "Germany Mobile", 60_000},
	{"33", "France", 14_000}, {"336", "France Mobile", 55_000}, {"34", "Spain", 13_000}, {"39", "Italy", 16_000},
	{"31", "Netherlands", 17_000}, {"91", "India", 25_000}, {"86", "China", 20_000}, {"81", "Japan", 40_000},
	{"61", "Australia", 30_000}, {"55", "Brazil", 35_000}, {"234", "Nigeria", 150_000}, {"27", "South Africa", 80_000},
}

func demoDeck(markup int64, effective string) []portico.Rate {
	eff, _ := portico.ParseDate(effective)
	rows := make([]portico.Rate, 0, len(demoDestinations))
	for _, d := range demoDestinations {
		rows = append(rows, portico.Rate{Prefix: d.prefix, Name: d.name, Rate: d.rate * portico.Money(markup) / 100,
			MCD: 30, Pulse: 6, Effective: eff})
	}
	return rows
}

// demoCall makes one plausible call to a destination of the demo cards.
func demoCall(rng *mrand.Rand, id string, start time.Time, customer, carrier int64) portico.CDR {
	d := demoDestinations[rng.IntN(len(demoDestinations))]
	number := d.prefix + fmt.Sprintf("%09d", rng.IntN(1_000_000_000))
	dur, code, reason := 0, 486, "Busy Here"
	if rng.IntN(100) < 62 { // ASR about 62 %
		dur, code, reason = 5+int(rng.ExpFloat64()*150), 200, "OK"
	} else if rng.IntN(2) == 0 {
		code, reason = 487, "Request Terminated"
	}
	return portico.CDR{Switch: "demo-sbc", CallID: id, StartTime: start, SourceNumber: fmt.Sprintf("+1555%07d", rng.IntN(10_000_000)),
		DestinationNumber: number, Duration: dur, SIPCode: code, SIPReason: reason, CustomerID: customer, CarrierID: carrier}
}

// seedDemo creates the demo brand on demo.localhost: an owner, two
// customers and a carrier with contacts, rate cards (with a change next
// month), payments and a month of calls, and prints the logins.
func seedDemo(ctx context.Context, s *Server, stdout io.Writer) error {
	svc := s.svc
	ownerPW := demoPassword()
	owner := &portico.User{Email: "owner@" + DemoHost, Name: "Demo Owner", Role: portico.RoleOwner}
	if err := svc.CreateUser(ctx, owner, ownerPW); err != nil {
		return err
	}
	a := app.Actor{UserID: owner.ID, Email: owner.Email, Role: portico.RoleOwner, IP: "127.0.0.1"}
	brand := &portico.Domain{Domain: DemoHost, BrandName: "Demo Telecom", Access: append([]portico.Section(nil), portico.Sections...),
		Currencies: []string{"USD"}, CustomerSignup: true, CarrierSignup: true, SignupCreditLimit: 10 * portico.MoneyScale,
		PrimaryColor: "#0f766e", Footer: "Demo Telecom · a Portico demo"}
	if err := svc.CreateDomain(ctx, a, brand); err != nil {
		return err
	}
	today := time.Now().UTC().Format(portico.DateLayout)
	nextMonth := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01") + "-01"
	cards := map[string]*portico.RateCard{}
	for _, c := range []struct {
		name   string
		markup int64
	}{{"Demo Retail", 100}, {"Demo Wholesale", 70}, {"Demo Carrier Buy", 45}} {
		card := portico.NewRateCard(c.name, "USD")
		if err := svc.CreateRateCard(ctx, a, card); err != nil {
			return err
		}
		if _, _, err := svc.LoadRates(ctx, a, card.ID, demoDeck(c.markup, "2020-01-01"), "demo"); err != nil {
			return err
		}
		// A price change next month, shown as upcoming in the portal.
		if _, _, err := svc.LoadRates(ctx, a, card.ID, demoDeck(c.markup*110/100, nextMonth)[:4], "demo"); err != nil {
			return err
		}
		cards[c.name] = card
	}
	type login struct{ who, email, pw string }
	var logins []login
	mk := func(kind portico.AccountKind, name, card string, credit int64, email, tz string) (*portico.Account, error) {
		acc := &portico.Account{Kind: kind, Name: name, DomainID: &brand.ID, Currency: "USD",
			CreditLimit: portico.Money(credit) * portico.MoneyScale, RateCardID: &cards[card].ID}
		if err := svc.CreateAccount(ctx, a, acc); err != nil {
			return nil, err
		}
		pw := demoPassword()
		c := &portico.Contact{AccountID: acc.ID, Name: name + " contact", Email: email, TimeZone: tz,
			PublicNotes: "This is a demo account: every call and payment here is made up."}
		if err := svc.CreateContact(ctx, a, c, app.PasswordChoice{Password: pw}); err != nil {
			return nil, err
		}
		logins = append(logins, login{name, email, pw})
		return acc, nil
	}
	retail, err := mk(portico.KindCustomer, "Globex Retail", "Demo Retail", 50, "customer@"+DemoHost, "Europe/Berlin")
	if err != nil {
		return err
	}
	wholesale, err := mk(portico.KindCustomer, "Initech Wholesale", "Demo Wholesale", 500, "wholesale@"+DemoHost, "America/New_York")
	if err != nil {
		return err
	}
	carrier, err := mk(portico.KindCarrier, "Transit Carrier", "Demo Carrier Buy", 0, "carrier@"+DemoHost, "UTC")
	if err != nil {
		return err
	}
	for _, p := range []portico.Payment{
		{AccountID: retail.ID, Amount: 100 * portico.MoneyScale, Status: portico.PaymentCompleted, Description: "Card payment"},
		{AccountID: retail.ID, Amount: 50 * portico.MoneyScale, Status: portico.PaymentPending, Description: "Bank transfer, on its way"},
		{AccountID: wholesale.ID, Amount: 2000 * portico.MoneyScale, Status: portico.PaymentCompleted, Description: "Wire transfer"},
		{AccountID: wholesale.ID, Amount: 300 * portico.MoneyScale, Status: portico.PaymentCancelled, Description: "Returned cheque"},
		{AccountID: carrier.ID, Amount: 400 * portico.MoneyScale, Status: portico.PaymentCompleted, Description: "Settlement"},
	} {
		if _, err := svc.CreatePayment(ctx, a, &p, ""); err != nil {
			return err
		}
	}
	// A month of calls, busier by day than by night.
	rng := mrand.New(mrand.NewPCG(2026, 11))
	now := time.Now().UTC().Truncate(time.Second)
	var calls []portico.CDR
	n := 0
	for _, c := range []struct {
		acc   *portico.Account
		calls int
	}{{retail, 3_000}, {wholesale, 20_000}} {
		for range c.calls {
			start := now.Add(-time.Duration(rng.IntN(30*24*3600)) * time.Second)
			if h := start.Hour(); (h < 7 || h > 21) && rng.IntN(3) > 0 {
				start = start.Add(12 * time.Hour)
				if start.After(now) {
					start = start.Add(-24 * time.Hour)
				}
			}
			n++
			calls = append(calls, demoCall(rng, fmt.Sprintf("demo-%06d", n), start, c.acc.ID, carrier.ID))
		}
	}
	if _, err := svc.IngestCDRs(ctx, a, calls, "demo"); err != nil {
		return err
	}
	url := func(host, path string) string { return s.panelLinks().URL(host, path) }
	fmt.Fprintf(stdout, "\nDemo ready (%d calls, rates as of %s). Logins:\n\n", len(calls), today)
	fmt.Fprintf(stdout, "  control panel   %-30s %s / %s\n", url(s.cfg.PanelHosts[0], "/login"), owner.Email, ownerPW)
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-15s %-30s %s / %s\n", strings.Fields(l.who)[0], url(DemoHost, "/login"), l.email, l.pw)
	}
	fmt.Fprintln(stdout)
	return nil
}
