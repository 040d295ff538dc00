package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var sectionPaths = map[portico.Section]string{
	portico.SectionBalance: "/balance", portico.SectionCDR: "/cdr", portico.SectionRateCard: "/rates",
	portico.SectionPayments: "/payments", portico.SectionSummary: "/summary", portico.SectionCarrierPortal: "/carrier",
}

// checkSections asserts that exactly the sections in shown are served
// (200) and linked, and every other is 404 and unlinked.
func checkSections(t *testing.T, b *browser, who string, shown ...portico.Section) {
	t.Helper()
	dash := b.get("/").want(t, http.StatusOK, who+": dashboard")
	on := map[portico.Section]bool{}
	for _, s := range shown {
		on[s] = true
	}
	for s, path := range sectionPaths {
		p := b.get(path)
		switch {
		case on[s] && p.Status != http.StatusOK:
			t.Errorf("%s: %s answered %d, want 200", who, path, p.Status)
		case !on[s] && p.Status != http.StatusNotFound:
			t.Errorf("%s: hidden %s answered %d, want 404", who, path, p.Status)
		}
		if linked := strings.Contains(dash.Body, `href="`+path+`"`); linked != on[s] {
			t.Errorf("%s: dashboard links %s: %v, want %v", who, path, linked, on[s])
		}
	}
	for _, path := range []string{"/invoices", "/alerts"} {
		b.get(path).want(t, http.StatusNotFound, who+": "+path+" has no page yet")
	}
}

func TestSectionsFollowAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil) // every section on
		cust := e.account(portico.KindCustomer, "Globex", acme, func(a *portico.Account) {
			a.AccessOverrides = map[portico.Section]bool{portico.SectionCDR: false}
		})
		carrier := e.account(portico.KindCarrier, "Transit Co", acme, nil)
		e.contact(cust, "ann@globex.example", nil)
		e.contact(carrier, "cat@transit.example", nil)

		b := e.browser("acme.localhost")
		for _, path := range []string{"/balance", "/cdr", "/carrier"} {
			b.get(path).redirect(t, "/login", path+" before login")
		}
		b.login("ann@globex.example", goodPassword)
		// CDR hidden by the account's override; the Carrier Portal is
		// never a customer's, whatever the brand says.
		checkSections(t, b, "customer", portico.SectionBalance, portico.SectionRateCard, portico.SectionPayments,
			portico.SectionSummary)

		cb := e.browser("acme.localhost")
		cb.login("cat@transit.example", goodPassword)
		checkSections(t, cb, "carrier", portico.SectionBalance, portico.SectionCDR, portico.SectionRateCard,
			portico.SectionPayments, portico.SectionSummary, portico.SectionCarrierPortal)

		// Panel changes apply on the very next request: the brand drops
		// the rate card and summary, the customer's override shows CDR.
		acme.Access = []portico.Section{portico.SectionBalance, portico.SectionCDR, portico.SectionPayments, portico.SectionCarrierPortal}
		if err := e.svc.UpdateDomain(ctx, e.owner, acme); err != nil {
			t.Fatal(err)
		}
		cust.AccessOverrides = map[portico.Section]bool{portico.SectionCDR: true, portico.SectionPayments: false}
		if err := e.svc.UpdateAccount(ctx, e.owner, cust); err != nil {
			t.Fatal(err)
		}
		checkSections(t, b, "customer after changes", portico.SectionBalance, portico.SectionCDR)
		checkSections(t, cb, "carrier after changes", portico.SectionBalance, portico.SectionCDR,
			portico.SectionPayments, portico.SectionCarrierPortal)

		// An override can show what the brand hides.
		cust.AccessOverrides = map[portico.Section]bool{portico.SectionSummary: true}
		if err := e.svc.UpdateAccount(ctx, e.owner, cust); err != nil {
			t.Fatal(err)
		}
		checkSections(t, b, "customer shown summary", portico.SectionBalance, portico.SectionCDR,
			portico.SectionPayments, portico.SectionSummary)
	})
}

// Sections with no data yet say what will appear and why they are empty.
func TestSectionEmptyStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		e.contact(e.account(portico.KindCustomer, "Globex", acme, func(a *portico.Account) {
			a.Currency, a.CreditLimit = "EUR", 250*portico.MoneyScale
		}), "ann@globex.example", nil)
		b := e.browser("acme.localhost")
		b.login("ann@globex.example", goodPassword)
		b.get("/balance").want(t, http.StatusOK, "balance").has(t,
			"Balance</dt><dd>0.00 EUR", "Credit limit</dt><dd>250.00 EUR", "Available credit</dt><dd>250.00 EUR",
			"No payments or charges yet.")
		b.get("/cdr").want(t, http.StatusOK, "cdr").has(t, "Destination name",
			"Calls appear here once our switch sends the call records for your account.")
		b.get("/rates").want(t, http.StatusOK, "rates").has(t, "Prefix", "once a rate card is assigned")
	})
}
