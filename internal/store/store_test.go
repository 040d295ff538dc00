package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var ctx = context.Background()

func newDomain(name string) *portico.Domain {
	return &portico.Domain{Domain: name, BrandName: "Acme", Access: []portico.Section{portico.SectionBalance},
		Currencies: []string{"USD", "EUR"}, SignupCreditLimit: 25 * portico.MoneyScale}
}

func TestDomainRoundTripAndConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDomain("portal.acme.example")
		if err := db.Write(ctx, func(q *store.Q) error { return q.CreateDomain(ctx, d, []byte("enc")) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().FindDomainByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Domain != d.Domain || got.SignupCreditLimit != d.SignupCreditLimit || !slices.Equal(got.Currencies, d.Currencies) ||
			!slices.Equal(got.Access, d.Access) || got.DNSStatus != portico.DNSUnchecked {
			t.Fatalf("round trip changed the domain: %+v", got)
		}
		if time.Since(got.CreatedAt) > time.Minute || got.CreatedAt.Location() != time.UTC {
			t.Fatalf("created_at not a recent UTC time: %v", got.CreatedAt)
		}
		err = db.Write(ctx, func(q *store.Q) error { return q.CreateDomain(ctx, newDomain("portal.acme.example"), nil) })
		if portico.ErrorCode(err) != portico.ECONFLICT || portico.ErrorFields(err)["domain"] == "" {
			t.Fatalf("duplicate domain: got %v, want conflict on field domain", err)
		}
		// The write-only password survives an update that keeps it.
		got.BrandName = "Acme Two"
		if err := db.Write(ctx, func(q *store.Q) error { return q.UpdateDomain(ctx, got, nil, true) }); err != nil {
			t.Fatal(err)
		}
		enc, err := db.Read().DomainSMTPPassword(ctx, d.ID)
		if err != nil || string(enc) != "enc" {
			t.Fatalf("kept SMTP password = %q, %v", enc, err)
		}
		_, err = db.Read().FindDomainByID(ctx, 9999)
		if portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("missing domain: got %v, want not_found", err)
		}
	})
}

func TestAccountsContactsAndForeignKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDomain("portal.acme.example")
		missing := int64(4242)
		a := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", Status: portico.StatusPendingApproval,
			Currency: "USD", CreditLimit: 10 * portico.MoneyScale, DomainID: &missing}
		err := db.Write(ctx, func(q *store.Q) error { return q.CreateAccount(ctx, a) })
		if portico.ErrorCode(err) != portico.ECONFLICT {
			t.Fatalf("account on missing domain: got %v, want conflict", err)
		}
		err = db.Write(ctx, func(q *store.Q) error {
			if err := q.CreateDomain(ctx, d, nil); err != nil {
				return err
			}
			a.DomainID = &d.ID
			a.AccessOverrides = map[portico.Section]bool{portico.SectionCDR: true}
			if err := q.CreateAccount(ctx, a); err != nil {
				return err
			}
			return q.CreateContact(ctx, &portico.Contact{AccountID: a.ID, Name: "Ann", Email: "ann@globex.example",
				TimeZone: "UTC", Language: "en", IPAllowlist: []string{"10.0.0.0/8"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.Read().FindAccounts(ctx, portico.AccountFilter{Kind: portico.KindCustomer, Status: portico.StatusPendingApproval})
		if err != nil || len(list) != 1 || list[0].Name != "Globex" || !list[0].AccessOverrides[portico.SectionCDR] {
			t.Fatalf("pending list = %+v, %v", list, err)
		}
		if n, _ := db.Read().CountAccountsByStatus(ctx, portico.KindCarrier, portico.StatusPendingApproval); n != 0 {
			t.Fatalf("carrier count leaked customers: %d", n)
		}
		err = db.Write(ctx, func(q *store.Q) error {
			return q.CreateContact(ctx, &portico.Contact{AccountID: a.ID, Name: "Dup", Email: "ann@globex.example"})
		})
		if portico.ErrorCode(err) != portico.ECONFLICT || portico.ErrorFields(err)["email"] == "" {
			t.Fatalf("duplicate email: got %v", err)
		}
		err = db.Write(ctx, func(q *store.Q) error { return q.DeleteDomain(ctx, d.ID) })
		if portico.ErrorCode(err) != portico.ECONFLICT {
			t.Fatalf("deleting a domain in use: got %v, want conflict", err)
		}
		c, err := db.Read().FindContactByEmail(ctx, " ANN@Globex.example ")
		if err != nil || c.IPAllowlist[0] != "10.0.0.0/8" {
			t.Fatalf("find by email: %+v, %v", c, err)
		}
		if err := db.Write(ctx, func(q *store.Q) error { return q.DeleteAccount(ctx, a.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Read().FindContactByID(ctx, c.ID); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("contact outlived its account: %v", err)
		}
	})
}

func TestOneTimeTokenIsSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tok := &store.OneTimeToken{Purpose: "setup", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.Write(ctx, func(q *store.Q) error { return q.CreateOneTimeToken(ctx, "h1", tok) }); err != nil {
			t.Fatal(err)
		}
		consume := func() error {
			return db.Write(ctx, func(q *store.Q) error { _, err := q.ConsumeOneTimeToken(ctx, "h1", "setup"); return err })
		}
		if err := consume(); err != nil {
			t.Fatal(err)
		}
		if err := consume(); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("second use: got %v, want not_found", err)
		}
	})
}

func TestReadPoolRefusesWrites(t *testing.T) {
	db := storetest.Open(t, store.Config{DataDir: t.TempDir()})
	if err := db.Read().CreateDomain(ctx, newDomain("x.example"), nil); err == nil {
		t.Fatal("a write through the read pool succeeded; it must go through Write")
	}
}

// TestSchemasMatch proves both dialects' migrations end with the same tables
// and columns.
func TestSchemasMatch(t *testing.T) {
	engines := storetest.Engines()
	if len(engines) < 2 {
		t.Skip("PostgreSQL not configured; CI sets " + storetest.EnvDatabaseURL)
	}
	lite := columns(t, storetest.Open(t, engines[0].Config(t)))
	pg := columns(t, storetest.Open(t, engines[1].Config(t)))
	if !slices.Equal(lite, pg) {
		t.Fatalf("schemas differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
	if len(lite) < 50 {
		t.Fatalf("suspiciously few columns: %d", len(lite))
	}
}

func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	cols, err := db.Read().SchemaColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cols {
		cols[i] = strings.ToLower(cols[i])
	}
	slices.Sort(cols)
	return cols
}

func TestRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Write(ctx, func(q *store.Q) error { return q.ForceSchemaVersionForTest(ctx, 9999) }); err != nil {
			t.Fatal(err)
		}
		err := db.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "upgrade portico") {
			t.Fatalf("migrate on a newer schema: %v", err)
		}
	})
}
