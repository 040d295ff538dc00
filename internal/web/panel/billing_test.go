package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// customerForm is the account form of a USD customer with a credit limit.
func customerForm(name, ratecard string) url.Values {
	return url.Values{"name": {name}, "status": {portico.StatusActive}, "currency": {"USD"}, "credit_limit": {"100"},
		"tax_percent": {"0"}, "ratecard_id": {ratecard}}
}

func TestAccountRateCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		usd := newRateCard(t, e, "Retail", "USD")
		eur := newRateCard(t, e, "Euro retail", "EUR")

		c.post("/customers", customerForm("Globex", fmt.Sprint(usd.ID))).wantRedirect("/customers/1?flash=created")
		p := c.get("/customers/1").want(http.StatusOK)
		if p.value("ratecard_id") != fmt.Sprint(usd.ID) {
			t.Errorf("the account form shows rate card %q, want %d", p.value("ratecard_id"), usd.ID)
		}
		p.wantText("Retail (USD, termination)", "None (calls stay unrated)")

		// A card in another currency is refused next to the select, and kept.
		p = c.post("/customers/1", customerForm("Globex", fmt.Sprint(eur.ID))).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"ratecard_id": "prices in EUR but the account bills in USD"})
		if p.value("ratecard_id") != fmt.Sprint(eur.ID) {
			t.Error("the refused choice is not kept")
		}
		c.post("/customers/1", customerForm("Globex", "")).wantRedirect("/customers/1?flash=saved")
		if got, _ := db.Read().FindAccountByID(ctx, 1); got.RateCardID != nil {
			t.Errorf("choosing None kept card %d", *got.RateCardID)
		}
		c.post("/carriers", url.Values{"name": {"Transit"}, "currency": {"EUR"}, "ratecard_id": {fmt.Sprint(eur.ID)}}).wantRedirect("/carriers/2")
		if got, _ := db.Read().FindAccountByID(ctx, 2); got.RateCardID == nil || *got.RateCardID != eur.ID {
			t.Error("a new carrier did not keep its rate card")
		}
	})
}

// formKey is the idempotency key rendered into a money form.
func formKey(t *testing.T, p *page, name string) string {
	t.Helper()
	n := p.control(name, "")
	if n == nil || attr(n, "value") == "" {
		t.Fatalf("the page has no %s", name)
	}
	return attr(n, "value")
}

func TestPaymentsAdjustmentsAndBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		c.post("/customers", customerForm("Globex", "")).wantRedirect("/customers/1")
		balance := func(want ...string) {
			t.Helper()
			p := c.get("/customers/1").want(http.StatusOK)
			p.wantText(want...)
		}
		balance("Balance 0.00 USD Credit limit 100.00 USD Available credit 100.00 USD", "Nothing in the ledger yet.")

		// One rendered form is one payment, however often it is sent.
		p := c.get("/customers/1").want(http.StatusOK)
		key := formKey(t, p, "payment_idempotency_key")
		if formKey(t, c.get("/customers/1"), "payment_idempotency_key") == key {
			t.Fatal("two renderings of the payment form share an idempotency key")
		}
		pay := url.Values{"payment_amount": {"50"}, "payment_status": {"completed"}, "payment_description": {"Bank transfer"},
			"payment_idempotency_key": {key}}
		c.post("/customers/1/payments", pay).wantRedirect("/customers/1?flash=payment_recorded")
		c.post("/customers/1/payments", pay).wantRedirect("/customers/1?flash=payment_replayed")
		c.get("/customers/1?flash=payment_replayed").want(http.StatusOK).wantText("it was not recorded twice")
		if ps, _ := db.Read().FindPayments(ctx, portico.PaymentFilter{AccountID: 1}); len(ps) != 1 {
			t.Fatalf("a double submit recorded %d payments", len(ps))
		}
		balance("Balance 50.00 USD Credit limit 100.00 USD Available credit 150.00 USD", "payment Payment #1: Bank transfer 50.00 USD")

		// Errors sit next to the money fields; what was typed stays, and so
		// does the account's own form.
		p = c.post("/customers/1/payments", url.Values{"payment_amount": {"12.3456789"}, "payment_status": {"pending"},
			"payment_description": {"Cheque"}, "payment_idempotency_key": {formKey(t, p, "payment_idempotency_key")}}).
			want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"payment_amount": "Amount has more than 6 decimals"})
		for name, want := range map[string]string{"payment_amount": "12.3456789", "payment_status": "pending",
			"payment_description": "Cheque", "name": "Globex", "credit_limit": "100.00"} {
			if got := p.value(name); got != want {
				t.Errorf("%s shows %q after the error, want %q", name, got, want)
			}
		}
		p = c.post("/customers/1/payments", url.Values{"payment_amount": {"-5"}}).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"payment_amount": "greater than zero"})
		p = c.post("/customers/1/adjustments", url.Values{"adjustment_amount": {"-20"}}).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"adjustment_description": "Description"})
		if p.value("adjustment_amount") != "-20" {
			t.Error("the adjustment amount is not kept")
		}

		// A negative adjustment, sent twice with its key, counts once.
		adj := url.Values{"adjustment_amount": {"-20"}, "adjustment_description": {"Goodwill reversed"},
			"adjustment_idempotency_key": {formKey(t, p, "adjustment_idempotency_key")}}
		c.post("/customers/1/adjustments", adj).wantRedirect("/customers/1?flash=adjusted")
		c.post("/customers/1/adjustments", adj).wantRedirect("/customers/1?flash=adjust_replayed")
		balance("Balance 30.00 USD", "Available credit 130.00 USD", "adjustment Goodwill reversed -20.00 USD")

		// A pending payment counts once completed; a completed one cancelled
		// is reversed.
		c.post("/customers/1/payments", url.Values{"payment_amount": {"25"}, "payment_status": {"pending"},
			"payment_description": {"Card"}}).wantRedirect("/customers/1?flash=payment_recorded")
		p = c.get("/customers/1").want(http.StatusOK)
		p.wantText("Balance 30.00 USD", "Pending payments", "2 ", "25.00 USD Card Complete payment #2 Cancel payment #2")
		c.post("/payments/2/status", url.Values{"status": {"completed"}, "next": {"/customers/1"}}).
			wantRedirect("/customers/1?flash=payment_status")
		balance("Balance 55.00 USD", "Available credit 155.00 USD")
		c.post("/payments/1/status", url.Values{"status": {"cancelled"}}).wantRedirect("/payments?flash=payment_status")
		balance("Balance 5.00 USD", "Cancelled payment #1: Bank transfer -50.00 USD")
		c.post("/payments/1/status", url.Values{"status": {"completed"}}).want(http.StatusUnprocessableEntity).
			wantText("A cancelled payment cannot become completed.")

		// Payments of every account, filtered.
		c.post("/customers", customerForm("Initech", "")).wantRedirect("/customers/2")
		c.post("/customers/2/payments", url.Values{"payment_amount": {"7"}}).wantRedirect("/customers/2")
		ids := func(query string) []string {
			return c.get("/payments?"+query).want(http.StatusOK).column("payments-title", 0)
		}
		for query, want := range map[string]string{"": "1 2 3", "status=cancelled": "1", "status=completed": "2 3",
			"account=2": "3", "account=1&status=completed": "2"} {
			if got := fmt.Sprint(ids(query)); got != "["+want+"]" {
				t.Errorf("/payments?%s lists %s, want [%s]", query, got, want)
			}
		}
		c.get("/payments").want(http.StatusOK).wantText("Globex 50.00 USD cancelled Bank transfer", "Initech 7.00 USD completed")
		p = c.get("/payments?status=lost&account=x").want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"status": "Status must be", "account": "not a valid choice"})
	})
}

func TestLedgerPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		a := actorFor(t, db, "ops@example.com")
		acc := &portico.Account{Kind: portico.KindCarrier, Name: "Transit"}
		if err := e.svc.CreateAccount(ctx, a, acc); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= pageSize+2; i++ {
			if _, err := e.svc.AddLedgerEntry(ctx, a, &portico.LedgerEntry{AccountID: acc.ID, Amount: portico.Money(i * portico.MoneyScale),
				Description: fmt.Sprint("Entry ", i)}, ""); err != nil {
				t.Fatal(err)
			}
		}
		first := c.get(fmt.Sprintf("/carriers/%d", acc.ID)).want(http.StatusOK)
		got := first.column("ledger-title", 2)
		if len(got) != pageSize || got[0] != "Entry 52" || got[pageSize-1] != "Entry 3" {
			t.Fatalf("the first ledger page runs %q … %q (%d entries), want newest first", got[0], got[len(got)-1], len(got))
		}
		next := first.nextLink()
		if u, _ := url.Parse(next); u.Path != fmt.Sprintf("/carriers/%d", acc.ID) || u.Query().Get("ledger_before") == "" {
			t.Fatalf("ledger Next link %q", next)
		}
		if got := c.get(next).want(http.StatusOK).column("ledger-title", 2); fmt.Sprint(got) != "[Entry 2 Entry 1]" {
			t.Errorf("the second ledger page lists %v", got)
		}
	})
}

// TestBillingSupportIsReadOnly: support sees the money pages without a
// write form, can still filter, and every money write answers 403 and
// changes nothing.
func TestBillingSupportIsReadOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.user("ops@example.com", portico.RoleOwner)
		card := newRateCard(t, e, "Retail", "USD")
		owner.post("/customers", customerForm("Globex", fmt.Sprint(card.ID))).wantRedirect("/customers/1")
		owner.post("/customers/1/payments", url.Values{"payment_amount": {"10"}, "payment_status": {"pending"}}).wantRedirect("/customers/1")

		support := e.user("help@example.com", portico.RoleSupport)
		for _, path := range []string{"/ratecards", "/ratecards/1", "/ratecards/1?q=44", "/cdrs", "/cdrs?unrated=1", "/payments", "/customers/1"} {
			p := support.get(path).want(http.StatusOK)
			if forms := p.postForms(); len(forms) != 1 || forms[0] != "/logout" {
				t.Errorf("%s: support sees write forms %v", path, forms)
			}
			for _, s := range []string{"Import rates", "+ Add", "Record payment", "Add adjustment", "Complete payment", "Cancel payment", "Delete…"} {
				if p.contains(s) {
					t.Errorf("%s: support sees %q", path, s)
				}
			}
		}
		support.get("/customers/1").wantText("Balance 0.00 USD", "Pending payments")
		// Filters only read, so they stay usable.
		if n := support.get("/cdrs").control("from", ""); n == nil || hasAttr(n, "disabled") {
			t.Error("support cannot use the CDR filter")
		}
		for _, path := range []string{"/ratecards/new", "/ratecards/1/import", "/ratecards/1/delete"} {
			support.get(path).want(http.StatusForbidden)
		}
		for path, form := range map[string]url.Values{
			"/ratecards":               {"name": {"Sneaky"}, "currency": {"USD"}},
			"/ratecards/1":             {"name": {"Renamed"}, "currency": {"USD"}},
			"/ratecards/1/import":      {"csv": {goodDeck}},
			"/ratecards/1/delete":      nil,
			"/customers/1/payments":    {"payment_amount": {"99"}},
			"/customers/1/adjustments": {"adjustment_amount": {"99"}, "adjustment_description": {"x"}},
			"/payments/1/status":       {"status": {"completed"}},
		} {
			support.post(path, form).want(http.StatusForbidden).wantText("Your role (support) is read-only")
		}
		if b, _ := e.svc.AccountBalance(ctx, portico.KindCustomer, 1); b.Balance != 0 {
			t.Errorf("support changed the balance to %s", b.Balance)
		}
		if p, _ := db.Read().FindPaymentByID(ctx, 1); p.Status != portico.PaymentPending {
			t.Errorf("support changed the payment to %s", p.Status)
		}
		if c, _ := db.Read().FindRateCardByID(ctx, 1); c.Name != "Retail" || c.LatestVersion != 1 {
			t.Errorf("support changed the card: %+v", c)
		}
	})
}
