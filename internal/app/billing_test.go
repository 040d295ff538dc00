package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var (
	ctx     = context.Background()
	owner   = app.Actor{UserID: 1, Email: "owner@operator.example", Role: portico.RoleOwner, IP: "127.0.0.1"}
	support = app.Actor{UserID: 2, Email: "support@operator.example", Role: portico.RoleSupport, IP: "127.0.0.1"}
)

func mustMoney(t testing.TB, s string) portico.Money {
	t.Helper()
	m, err := portico.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func moneyPtr(t testing.TB, s string) *portico.Money {
	m := mustMoney(t, s)
	return &m
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// newCard creates a card and loads each CSV as a version, in order.
func newCard(t *testing.T, svc *app.Service, name, currency string, csvs ...string) *portico.RateCard {
	t.Helper()
	c := portico.NewRateCard(name, currency)
	if err := svc.CreateRateCard(ctx, owner, c); err != nil {
		t.Fatal(err)
	}
	for _, csv := range csvs {
		if _, created, err := svc.ImportRates(ctx, owner, c.ID, strings.NewReader(csv), billing.RatesOptions{}, "test.csv"); err != nil || !created {
			t.Fatalf("load %s: created %v, %v", name, created, err)
		}
	}
	return c
}

func newAccount(t *testing.T, svc *app.Service, kind portico.AccountKind, name string, card *portico.RateCard) *portico.Account {
	t.Helper()
	acc := &portico.Account{Kind: kind, Name: name, CreditLimit: mustMoney(t, "10")}
	if card != nil {
		acc.RateCardID = &card.ID
	}
	if err := svc.CreateAccount(ctx, owner, acc); err != nil {
		t.Fatal(err)
	}
	return acc
}

func balance(t *testing.T, svc *app.Service, acc *portico.Account) portico.Money {
	t.Helper()
	b, err := svc.AccountBalance(ctx, acc.Kind, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Available != b.Balance+acc.CreditLimit {
		t.Fatalf("available %s != balance %s + limit %s", b.Available, b.Balance, acc.CreditLimit)
	}
	return b.Balance
}

func cdrsOf(t *testing.T, svc *app.Service, f portico.CDRFilter) map[string]*portico.CDR {
	t.Helper()
	f.Limit = 500
	p, err := svc.ListCDRs(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*portico.CDR{}
	for _, c := range p.Items {
		out[c.CallID] = c
	}
	return out
}

const (
	deckV1 = billing.RatesHeader + "\n" +
		"44,United Kingdom,0.012,0,30,6,2026-01-01\n" +
		"447,UK Mobile,0.05,0.02,1,1,2026-01-01\n" +
		"4479,UK Mobile Vodafone,0.06,0,60,60,2026-01-01\n" +
		"1,USA,0.005,0,6,6,2026-01-01\n"
	// Version 2: UK mobile dearer from March; France new from March.
	deckV2 = billing.RatesHeader + "\n" +
		"447,UK Mobile,0.07,0.02,1,1,2026-03-01\n" +
		"33,France,0.03,0,1,1,2026-03-01\n"
)

func call(id, start, dest string, seconds int, customer int64) portico.CDR {
	return portico.CDR{CallID: id, Switch: "sw1", StartTime: ts(start), SourceNumber: "442071234567", DestinationNumber: dest,
		Duration: seconds, SIPCode: 200, SIPReason: "OK", CustomerID: customer}
}

// TestRatingOnIngest covers increments, MCD, connection fees, effective
// dates across versions, longest prefix, no match, calls that arrive
// priced, and what lands in the ledger.
func TestRatingOnIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1, deckV2)
		supplier := newCard(t, svc, "Supplier", "USD", billing.RatesHeader+"\n44,UK,0.006,0,1,1,2026-01-01\n")
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		bare := newAccount(t, svc, portico.KindCustomer, "No card", nil)
		carr := newAccount(t, svc, portico.KindCarrier, "Carrier", supplier)

		priced := call("priced", "2026-02-10T10:00:00Z", "4930123456", 100, cust.ID)
		priced.Charge, priced.Rate, priced.DestinationName = moneyPtr(t, "0.123"), moneyPtr(t, "0.07"), "Germany"
		viaCarrier := call("carrier", "2026-02-10T10:00:00Z", "442071234567", 37, cust.ID)
		viaCarrier.CarrierID = carr.ID
		// Rated for the customer, but the supplier card has no France.
		carrierUnrated := call("fr-carrier", "2026-03-02T00:00:00Z", "33123456789", 60, cust.ID)
		carrierUnrated.CarrierID = carr.ID
		cdrs := []portico.CDR{
			call("uk-37s", "2026-02-10T10:00:00Z", "442071234567", 37, cust.ID),   // 30/6: 42 s × 0.012/60 = 0.0084
			call("uk-10s", "2026-02-10T10:00:00Z", "442071234567", 10, cust.ID),   // MCD 30: 0.006
			call("uk-0s", "2026-02-10T10:00:00Z", "442071234567", 0, cust.ID),     // free
			call("mob-feb", "2026-02-10T10:00:00Z", "+447712345678", 61, cust.ID), // v1: 0.02 + 61 × 0.05/60 = 0.070833…
			call("mob-mar", "2026-03-01T00:00:00Z", "447712345678", 61, cust.ID),  // v2: 0.02 + 61 × 0.07/60 = 0.091167
			call("voda", "2026-03-05T10:00:00Z", "447912345678", 61, cust.ID),     // longest prefix, 60/60: 120 s × 0.06/60 = 0.12
			call("fr-feb", "2026-02-28T23:59:59Z", "33123456789", 60, cust.ID),    // France not yet in force: unrated
			call("fr-mar", "2026-03-02T00:00:00Z", "33123456789", 60, cust.ID),    // 0.03
			call("nowhere", "2026-03-02T00:00:00Z", "8613800000000", 60, cust.ID), // no prefix: unrated
			call("no-card", "2026-03-02T00:00:00Z", "442071234567", 60, bare.ID),  // no card: unrated
			call("us-before", "2025-12-31T23:59:59Z", "12125551234", 60, cust.ID), // before any row: unrated
			priced, viaCarrier, carrierUnrated,
		}
		r, err := svc.IngestCDRs(ctx, owner, cdrs, "test")
		if err != nil {
			t.Fatal(err)
		}
		if r != (portico.IngestResult{Accepted: 14, Duplicates: 0, Unrated: 4}) {
			t.Fatalf("result = %+v, want 14 accepted, 4 unrated", r)
		}
		got := cdrsOf(t, svc, portico.CDRFilter{})
		want := map[string]struct {
			billed     int
			charge     string // "" = unrated
			name, rate string
		}{
			"uk-37s": {42, "0.0084", "United Kingdom", "0.012"}, "uk-10s": {30, "0.006", "United Kingdom", "0.012"},
			"uk-0s": {0, "0.00", "United Kingdom", "0.012"}, "mob-feb": {61, "0.070833", "UK Mobile", "0.05"},
			"mob-mar": {61, "0.091167", "UK Mobile", "0.07"}, "voda": {120, "0.12", "UK Mobile Vodafone", "0.06"},
			"fr-feb": {0, "", "", ""}, "fr-mar": {60, "0.03", "France", "0.03"}, "nowhere": {0, "", "", ""},
			"no-card": {0, "", "", ""}, "us-before": {0, "", "", ""},
			"priced": {100, "0.123", "Germany", "0.07"}, "carrier": {42, "0.0084", "United Kingdom", "0.012"},
			"fr-carrier": {60, "0.03", "France", "0.03"},
		}
		for id, w := range want {
			c := got[id]
			if c == nil {
				t.Errorf("%s not stored", id)
				continue
			}
			charge, rate := "", ""
			if c.Charge != nil {
				charge, rate = c.Charge.String(), c.Rate.String()
			}
			if c.BilledDuration != w.billed || charge != w.charge || c.DestinationName != w.name || rate != w.rate || c.Unrated != (w.charge == "") {
				t.Errorf("%s: billed %d charge %q name %q rate %q unrated %v; want %+v", id, c.BilledDuration, charge, c.DestinationName, rate, c.Unrated, w)
			}
		}
		if c := got["carrier"]; c.CarrierCost == nil || c.CarrierCost.String() != "0.0037" || c.CarrierRate.String() != "0.006" {
			t.Errorf("carrier side = %v %v, want 0.0037 at 0.006 (37 s per second)", c.CarrierCost, c.CarrierRate)
		}
		if c := got["fr-carrier"]; c.CarrierCost != nil || c.Unrated {
			t.Errorf("carrier side with no rate = %v, unrated %v; want a null cost, the CDR rated", c.CarrierCost, c.Unrated)
		}
		// 0.0084+0.006+0+0.070833+0.091167+0.12+0.03+0.123+0.0084+0.03 = 0.4878
		if b := balance(t, svc, cust); b.String() != "-0.4878" {
			t.Errorf("customer balance = %s, want -0.4878", b)
		}
		if b := balance(t, svc, carr); b.String() != "-0.0037" {
			t.Errorf("carrier balance = %s, want -0.0037", b)
		}
		if b := balance(t, svc, bare); b != 0 {
			t.Errorf("unrated calls changed a balance: %s", b)
		}
		// Listing by account.
		if n := len(cdrsOf(t, svc, portico.CDRFilter{CustomerID: bare.ID})); n != 1 {
			t.Errorf("CDRs of the cardless customer = %d, want 1", n)
		}
		if n := len(cdrsOf(t, svc, portico.CDRFilter{CarrierID: carr.ID})); n != 2 {
			t.Errorf("CDRs of the carrier = %d, want 2", n)
		}
		if got := cdrsOf(t, svc, portico.CDRFilter{CarrierUnrated: true}); len(got) != 1 || got["fr-carrier"] == nil {
			t.Errorf("CDRs without a carrier cost = %v, want fr-carrier", got)
		}
		if n := len(cdrsOf(t, svc, portico.CDRFilter{Unrated: true})); n != 4 {
			t.Errorf("unrated CDRs = %d, want 4", n)
		}
	})
}

func TestIngestRefusesBadItemsAndUnknownAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", nil)
		carr := newAccount(t, svc, portico.KindCarrier, "Carrier", nil)
		good := call("ok", "2026-02-10T10:00:00Z", "44", 1, cust.ID)
		wrongKind := call("k", "2026-02-10T10:00:00Z", "44", 1, carr.ID)
		wrongKind.CarrierID = cust.ID
		missing := call("m", "2026-02-10T10:00:00Z", "44", 1, 999)
		negative := call("n", "2026-02-10T10:00:00Z", "44", -1, cust.ID)
		negative.Charge = moneyPtr(t, "-1")
		_, err := svc.IngestCDRs(ctx, owner, []portico.CDR{good, wrongKind, missing, negative}, "test")
		f := portico.ErrorFields(err)
		if portico.ErrorCode(err) != portico.EINVALID || f["item 1"] != "" || !strings.Contains(f["item 2"], "Customer") ||
			!strings.Contains(f["item 2"], "Carrier") || !strings.Contains(f["item 3"], "Customer 999 does not exist") ||
			!strings.Contains(f["item 4"], "Duration") || !strings.Contains(f["item 4"], "Charge cannot be negative") {
			t.Fatalf("errors = %v", f)
		}
		if n, _ := db.Read().CountCDRs(ctx); n != 0 {
			t.Fatalf("%d CDRs stored from a refused list", n)
		}
		if _, err := svc.IngestCDRs(ctx, support, []portico.CDR{good}, "test"); portico.ErrorCode(err) != portico.EFORBIDDEN {
			t.Fatalf("support ingest: %v", err)
		}
	})
}

// TestReimportAddsNothing: the same CDRs again, alone or mixed with new
// ones, store and book only what is new.
func TestReimportAddsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1)
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		batch := func(from, to int) []portico.CDR {
			var out []portico.CDR
			for i := from; i < to; i++ {
				out = append(out, call(fmt.Sprintf("c%d", i), "2026-02-10T10:00:00Z", "442071234567", 37, cust.ID))
			}
			return out
		}
		if r, err := svc.IngestCDRs(ctx, owner, batch(0, 10), "first"); err != nil || r.Accepted != 10 {
			t.Fatalf("first: %+v %v", r, err)
		}
		first := balance(t, svc, cust)
		entries, _ := svc.ListLedger(ctx, cust.ID, 0, 100)
		if r, err := svc.IngestCDRs(ctx, owner, batch(0, 10), "again"); err != nil || r != (portico.IngestResult{Duplicates: 10}) {
			t.Fatalf("again: %+v %v", r, err)
		}
		again, _ := svc.ListLedger(ctx, cust.ID, 0, 100)
		if balance(t, svc, cust) != first || len(again.Items) != len(entries.Items) {
			t.Fatalf("re-import changed the ledger: %d entries, balance %s", len(again.Items), balance(t, svc, cust))
		}
		// Overlapping: 5 old, 5 new, and one repeated inside the list.
		mixed := append(batch(5, 15), batch(14, 15)...)
		if r, err := svc.IngestCDRs(ctx, owner, mixed, "mixed"); err != nil || r != (portico.IngestResult{Accepted: 5, Duplicates: 6}) {
			t.Fatalf("mixed: %+v %v", r, err)
		}
		if b, want := balance(t, svc, cust), first*15/10; b != want {
			t.Fatalf("balance after mixed = %s, want %s", b, want)
		}
	})
}

func TestRateCardVersionsAndCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1)
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		ingestOne := func(id string) *portico.CDR {
			t.Helper()
			if _, err := svc.IngestCDRs(ctx, owner, []portico.CDR{call(id, "2026-03-10T10:00:00Z", "33123456789", 1, cust.ID)}, "t"); err != nil {
				t.Fatal(err)
			}
			return cdrsOf(t, svc, portico.CDRFilter{})[id]
		}
		if c := ingestOne("a"); !c.Unrated {
			t.Fatalf("France rated before it was loaded: %+v", c)
		}
		// The same deck again is not a new version.
		v, created, err := svc.ImportRates(ctx, owner, card.ID, strings.NewReader(deckV1), billing.RatesOptions{}, "again.csv")
		if err != nil || created || v.Version != 1 {
			t.Fatalf("same deck: version %+v created %v %v", v, created, err)
		}
		// A new version is seen by the next ingest (the cache is checked).
		v, created, err = svc.ImportRates(ctx, owner, card.ID, strings.NewReader(deckV2), billing.RatesOptions{}, "v2.csv")
		if err != nil || !created || v.Version != 2 || v.Rows != 2 {
			t.Fatalf("v2: %+v %v %v", v, created, err)
		}
		if c := ingestOne("b"); c.Unrated || c.Charge.String() != "0.0005" {
			t.Fatalf("after v2: %+v", c)
		}
		// So is a change of precision and rounding.
		card, _, _ = svc.FindRateCard(ctx, card.ID)
		card.Precision, card.Rounding = 2, portico.RoundUp
		if err := svc.UpdateRateCard(ctx, owner, card); err != nil {
			t.Fatal(err)
		}
		if c := ingestOne("c"); c.Charge.String() != "0.01" {
			t.Fatalf("after precision 2, up: %s", c.Charge)
		}
		_, versions, err := svc.FindRateCard(ctx, card.ID)
		if err != nil || len(versions) != 2 || versions[0].Version != 2 || versions[1].Rows != 4 {
			t.Fatalf("versions = %+v %v", versions, err)
		}
		// A bad deck loads nothing.
		_, _, err = svc.ImportRates(ctx, owner, card.ID, strings.NewReader(billing.RatesHeader+"\n44,UK,x,0,0,1,2026-01-01\n"), billing.RatesOptions{}, "bad.csv")
		if portico.ErrorCode(err) != portico.EINVALID || !strings.Contains(portico.ErrorFields(err)["line 2"], "Rate") {
			t.Fatalf("bad deck: %v", err)
		}
		if _, versions, _ := svc.FindRateCard(ctx, card.ID); len(versions) != 2 {
			t.Fatalf("a bad deck made a version")
		}
	})
}

func TestRateCardAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		eur := newCard(t, svc, "Euro card", "EUR")
		usd := newCard(t, svc, "Dollar card", "USD")
		acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", Currency: "USD", RateCardID: &eur.ID}
		if err := svc.CreateAccount(ctx, owner, acc); !strings.Contains(portico.ErrorFields(err)["ratecard_id"], "prices in EUR") {
			t.Fatalf("currency mismatch: %v", err)
		}
		missing := int64(999)
		acc.RateCardID = &missing
		if err := svc.CreateAccount(ctx, owner, acc); !strings.Contains(portico.ErrorFields(err)["ratecard_id"], "does not exist") {
			t.Fatalf("missing card: %v", err)
		}
		acc.RateCardID = &usd.ID
		if err := svc.CreateAccount(ctx, owner, acc); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.FindAccount(ctx, portico.KindCustomer, acc.ID); got.RateCardID == nil || *got.RateCardID != usd.ID {
			t.Fatalf("stored card = %v", got.RateCardID)
		}
		if err := svc.DeleteRateCard(ctx, owner, usd.ID); portico.ErrorCode(err) != portico.ECONFLICT {
			t.Fatalf("deleting a card in use: %v", err)
		}
		usd.Currency = "EUR"
		if err := svc.UpdateRateCard(ctx, owner, usd); portico.ErrorFields(err)["currency"] == "" {
			t.Fatalf("currency change under a USD account: %v", err)
		}
		// A form that does not show the card (UpdateAccount) keeps it;
		// UpdateAccountAndRateCard clears it.
		acc.RateCardID = nil
		if err := svc.UpdateAccount(ctx, owner, acc); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.FindAccount(ctx, portico.KindCustomer, acc.ID); got.RateCardID == nil {
			t.Fatal("UpdateAccount without a card cleared the account's card")
		}
		acc.RateCardID = nil
		if err := svc.UpdateAccountAndRateCard(ctx, owner, acc); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.FindAccount(ctx, portico.KindCustomer, acc.ID); got.RateCardID != nil {
			t.Fatal("UpdateAccountAndRateCard did not clear the card")
		}
		if err := svc.DeleteRateCard(ctx, owner, usd.ID); err != nil {
			t.Fatalf("deleting an unused card: %v", err)
		}
	})
}

func TestPaymentsAdjustmentsAndReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", nil)
		pay := func(key, amount, status string) (*portico.Payment, bool, error) {
			p := &portico.Payment{AccountID: cust.ID, Amount: mustMoney(t, amount), Status: status, Description: "wire"}
			replayed, err := svc.CreatePayment(ctx, owner, p, key)
			return p, replayed, err
		}
		p1, replayed, err := pay("k1", "50", "completed")
		if err != nil || replayed || balance(t, svc, cust).String() != "50.00" {
			t.Fatalf("first payment: %v %v %s", replayed, err, balance(t, svc, cust))
		}
		again, replayed, err := pay("k1", "50", "completed")
		if err != nil || !replayed || again.ID != p1.ID || !again.CreatedAt.Equal(p1.CreatedAt) {
			t.Fatalf("replay = %+v %v %v, want payment %d again", again, replayed, err, p1.ID)
		}
		if _, _, err := pay("k1", "51", "completed"); portico.ErrorCode(err) != portico.EINVALID || portico.ErrorFields(err)["idempotency_key"] == "" {
			t.Fatalf("same key, other body: %v", err)
		}
		if b := balance(t, svc, cust); b.String() != "50.00" {
			t.Fatalf("replays changed the balance: %s", b)
		}
		// A pending payment counts once completed; cancelling a completed
		// one reverses it; cancelled is final.
		p2, _, err := pay("", "20", "pending")
		if err != nil || balance(t, svc, cust).String() != "50.00" {
			t.Fatalf("pending payment counted: %v %s", err, balance(t, svc, cust))
		}
		if _, err := svc.SetPaymentStatus(ctx, owner, p2.ID, "completed"); err != nil || balance(t, svc, cust).String() != "70.00" {
			t.Fatalf("completing: %v %s", err, balance(t, svc, cust))
		}
		if _, err := svc.SetPaymentStatus(ctx, owner, p2.ID, "completed"); err != nil || balance(t, svc, cust).String() != "70.00" {
			t.Fatalf("completing twice: %v %s", err, balance(t, svc, cust))
		}
		if got, err := svc.SetPaymentStatus(ctx, owner, p2.ID, "cancelled"); err != nil || got.Status != "cancelled" || balance(t, svc, cust).String() != "50.00" {
			t.Fatalf("cancelling: %v %s", err, balance(t, svc, cust))
		}
		if _, err := svc.SetPaymentStatus(ctx, owner, p2.ID, "completed"); portico.ErrorCode(err) != portico.EINVALID {
			t.Fatalf("reviving a cancelled payment: %v", err)
		}
		// Adjustments either way, credits positive only, replayable.
		adj := &portico.LedgerEntry{AccountID: cust.ID, Amount: mustMoney(t, "-7.25"), Description: "correction"}
		if _, err := svc.AddLedgerEntry(ctx, owner, adj, "a1"); err != nil {
			t.Fatal(err)
		}
		adj2 := &portico.LedgerEntry{AccountID: cust.ID, Amount: mustMoney(t, "-7.25"), Description: "correction"}
		if replayed, err := svc.AddLedgerEntry(ctx, owner, adj2, "a1"); err != nil || !replayed || adj2.ID != adj.ID {
			t.Fatalf("adjustment replay: %v %v", replayed, err)
		}
		bad := &portico.LedgerEntry{AccountID: cust.ID, Kind: portico.LedgerCredit, Amount: mustMoney(t, "-1"), Description: "x"}
		if _, err := svc.AddLedgerEntry(ctx, owner, bad, ""); portico.ErrorFields(err)["amount"] == "" {
			t.Fatalf("negative credit: %v", err)
		}
		if b := balance(t, svc, cust); b.String() != "42.75" {
			t.Fatalf("balance = %s, want 42.75", b)
		}
		// Payments to a missing account, and by a read-only role.
		p := &portico.Payment{AccountID: 999, Amount: mustMoney(t, "1")}
		if _, err := svc.CreatePayment(ctx, owner, p, ""); portico.ErrorFields(err)["account_id"] == "" {
			t.Fatalf("payment to a missing account: %v", err)
		}
		if _, err := svc.CreatePayment(ctx, support, &portico.Payment{AccountID: cust.ID, Amount: 1}, ""); portico.ErrorCode(err) != portico.EFORBIDDEN {
			t.Fatalf("support payment: %v", err)
		}
		// An account with money history is archived, not deleted.
		archived, err := svc.DeleteAccount(ctx, owner, portico.KindCustomer, cust.ID)
		if err != nil || !archived {
			t.Fatalf("delete with a ledger: archived %v, %v", archived, err)
		}
	})
}

// TestLedgerUnderConcurrentWriters runs payments, adjustments, keyed
// replays and CDR ingests at once and checks the balance is the exact sum.
func TestLedgerUnderConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1)
		cust := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*3)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					p := &portico.Payment{AccountID: cust.ID, Amount: mustMoney(t, "1.000001"), Status: "completed"}
					if _, err := svc.CreatePayment(ctx, owner, p, ""); err != nil {
						errs <- err
					}
					// Every worker sends the same keyed payment: it counts once.
					p = &portico.Payment{AccountID: cust.ID, Amount: mustMoney(t, "100"), Status: "completed"}
					if _, err := svc.CreatePayment(ctx, owner, p, fmt.Sprintf("shared-%d", i)); err != nil {
						errs <- err
					}
					e := &portico.LedgerEntry{AccountID: cust.ID, Amount: mustMoney(t, "-0.5"), Description: "fee"}
					if _, err := svc.AddLedgerEntry(ctx, owner, e, ""); err != nil {
						errs <- err
					}
					c := call(fmt.Sprintf("w%d-%d", w, i), "2026-02-10T10:00:00Z", "442071234567", 37, cust.ID)
					if _, err := svc.IngestCDRs(ctx, owner, []portico.CDR{c}, "t"); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// 80 × 1.000001 + 10 × 100 − 80 × 0.5 − 80 × 0.0084
		want := mustMoney(t, "80.00008") + mustMoney(t, "1000") - mustMoney(t, "40") - mustMoney(t, "0.672")
		if b := balance(t, svc, cust); b != want {
			t.Fatalf("balance = %s, want %s", b, want)
		}
	})
}

// TestCurrencyFixedOnceUsed: an account's currency may change until money
// or calls are counted in it, and not after.
func TestCurrencyFixedOnceUsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		acc := newAccount(t, svc, portico.KindCustomer, "Globex", nil)
		acc.Currency = "EUR"
		if err := svc.UpdateAccountAndRateCard(ctx, owner, acc); err != nil {
			t.Fatalf("a new account's currency: %v", err)
		}
		if _, err := svc.IngestCDRs(ctx, owner, []portico.CDR{call("c1", "2026-03-10T10:00:00Z", "33123456789", 60, acc.ID)}, "test"); err != nil {
			t.Fatal(err)
		}
		acc.Currency = "USD"
		err := svc.UpdateAccountAndRateCard(ctx, owner, acc)
		if msg := portico.ErrorFields(err)["currency"]; !strings.Contains(msg, "The currency stays EUR") {
			t.Fatalf("changing the currency of an account with calls: %v", err)
		}
		if got, _ := svc.FindAccount(ctx, portico.KindCustomer, acc.ID); got.Currency != "EUR" {
			t.Errorf("currency = %s after a refused change", got.Currency)
		}
	})
}
