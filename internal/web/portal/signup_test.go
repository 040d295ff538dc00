package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

func signupForm(company, email string) url.Values {
	return url.Values{"company_name": {company}, "name": {"Sam Signer"}, "email": {email},
		"password": {goodPassword}, "currency": {"EUR"}, "accept_terms": {"yes"}}
}

// pending returns the accounts of kind awaiting approval.
func (e *env) pending(kind portico.AccountKind) []*portico.Account {
	e.t.Helper()
	accs, err := e.db.Read().FindAccounts(ctx, portico.AccountFilter{Kind: kind, Status: portico.StatusPendingApproval})
	if err != nil {
		e.t.Fatal(err)
	}
	return accs
}

func TestSignupOnlyWhereAllowed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.brand("closed.localhost", "Closed Co", nil)
		e.brand("custonly.localhost", "Cust Only", func(d *portico.Domain) { d.CustomerSignup = true })
		e.brand("carronly.localhost", "Carr Only", func(d *portico.Domain) { d.CarrierSignup = true })
		for host, open := range map[string][2]bool{ // [customer, carrier]
			"closed.localhost": {false, false}, "custonly.localhost": {true, false}, "carronly.localhost": {false, true},
		} {
			b := e.browser(host)
			for i, path := range []string{"/signup", "/signup/carrier"} {
				want := http.StatusNotFound
				if open[i] {
					want = http.StatusOK
				}
				b.get(path).want(t, want, host+" GET "+path)
				if !open[i] {
					b.post(path, signupForm("Sneaky Ltd", "sneak@example.com")).want(t, http.StatusNotFound, host+" POST "+path)
				}
			}
			login := b.get("/login")
			if open[0] != strings.Contains(login.Body, `href="/signup"`) || open[1] != strings.Contains(login.Body, `href="/signup/carrier"`) {
				t.Errorf("%s: login page signup links do not match the brand's settings", host)
			}
		}
		if n := len(e.pending(portico.KindCustomer)) + len(e.pending(portico.KindCarrier)); n != 0 {
			t.Fatalf("%d accounts created through closed signups", n)
		}
	})
}

func TestSignupValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.CustomerSignup = true })
		b := e.browser("acme.localhost")
		p := b.post("/signup", url.Values{"company_name": {"Globex"}, "name": {""}, "email": {"not-an-email"},
			"password": {"password123"}, "currency": {"JPY"}})
		p.want(t, http.StatusUnprocessableEntity, "invalid signup")
		p.has(t, `id="f-name-error"`, "Name is required.", `id="f-email-error"`, "plain address",
			`id="f-password-error"`, "too common", `id="f-currency-error"`, "Choose one of USD, EUR.",
			`id="f-accept_terms-error"`, "accept the terms", `value="Globex"`, `value="not-an-email"`)
		p.lacks(t, "password123", `id="f-company_name-error"`)
		if len(e.pending(portico.KindCustomer)) != 0 {
			t.Fatal("an invalid signup created an account")
		}
	})
}

// The seed walkthrough's customer half: sign up, wait in Pending Approval,
// verify the address, get approved by the operator, log in.
func TestSignupApproveLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tmpl := e.account(portico.KindCustomer, "Template", e.brand("tmpl.localhost", "Tmpl", nil), func(a *portico.Account) {
			a.AccessOverrides = map[portico.Section]bool{portico.SectionCDR: false}
			a.TaxID, a.TaxPercent = "VAT-TEMPLATE", 20*portico.MoneyScale
		})
		acme := e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) {
			d.CustomerSignup, d.CarrierSignup = true, true
			d.SignupCreditLimit = 42 * portico.MoneyScale
			d.TemplateAccountID = &tmpl.ID
		})
		b := e.browser("acme.localhost")
		b.get("/signup").want(t, http.StatusOK, "signup form").has(t, "<option selected>USD</option>", "<option>EUR</option>")
		b.post("/signup", signupForm("Globex Corp", "Sam@Globex.example")).want(t, http.StatusOK, "signup").
			has(t, "Check your email", "sam@globex.example")
		accs := e.pending(portico.KindCustomer)
		if len(accs) != 1 {
			t.Fatalf("%d pending customers, want 1", len(accs))
		}
		acc := accs[0]
		if acc.Name != "Globex Corp" || acc.Currency != "EUR" || acc.CreditLimit != 42*portico.MoneyScale ||
			acc.DomainID == nil || *acc.DomainID != acme.ID || acc.TaxID != "VAT-TEMPLATE" ||
			acc.TaxPercent != 20*portico.MoneyScale || acc.AccessOverrides[portico.SectionCDR] != false ||
			len(acc.AccessOverrides) != 1 {
			t.Fatalf("signup account = %+v", acc)
		}
		signal := e.emails(mail.KindSignupReceived, "owner@operator.example")
		if len(signal) != 1 || len(e.emails(mail.KindSignupReceived, "admin@operator.example")) != 1 ||
			len(e.emails(mail.KindSignupReceived, "support@operator.example")) != 0 {
			t.Fatal("owners and admins (only) must be told of the signup")
		}
		if !strings.Contains(signal[0].Text, "http://panel.localhost:8080/customers/") || !strings.Contains(signal[0].Text, "Globex Corp") {
			t.Errorf("signup notice lacks the account or its panel link:\n%s", signal[0].Text)
		}
		if !e.audited("customer.signup", "ok") {
			t.Error("signup not in the audit log")
		}

		// Pending: the signer cannot log in yet, and is not told why.
		b.post("/login", url.Values{"email": {"sam@globex.example"}, "password": {goodPassword}}).
			want(t, http.StatusUnauthorized, "login while pending").has(t, "Email or password is incorrect.")

		verify := e.link(mail.KindVerifyEmail, "sam@globex.example")
		if verify.Host != "acme.localhost:8080" {
			t.Fatalf("verify link %s is not on the brand's domain", verify)
		}
		b.get(verify.RequestURI()).want(t, http.StatusOK, "verify GET").has(t, "Confirm my email address")
		b.get(verify.RequestURI()).want(t, http.StatusOK, "verify GET again: not consumed")
		b.post(verify.RequestURI(), nil).want(t, http.StatusOK, "verify POST").has(t, "confirmed")
		b.post(verify.RequestURI(), nil).want(t, http.StatusNotFound, "verify link used twice")
		signer, err := e.db.Read().FindContactByEmail(ctx, "sam@globex.example")
		if err != nil || !signer.EmailVerified || signer.AccountID != acc.ID || signer.Name != "Sam Signer" {
			t.Fatalf("signer = %+v, %v", signer, err)
		}

		if _, err := e.svc.ApproveAccount(ctx, e.owner, portico.KindCustomer, acc.ID); err != nil {
			t.Fatal(err)
		}
		if len(e.emails(mail.KindAccountApproved, "sam@globex.example")) != 1 {
			t.Fatal("the signer was not told of the approval")
		}
		b.login("sam@globex.example", goodPassword).redirect(t, "/", "login after approval")
		// The template's override hides CDR for the new account too.
		b.get("/cdr").want(t, http.StatusNotFound, "cdr hidden by the copied override")
		b.get("/balance").want(t, http.StatusOK, "balance").has(t, "42.00 EUR")

		// Carrier signup lands under Carriers.
		e.browser("acme.localhost").post("/signup/carrier", signupForm("Transit Co", "tom@transit.example")).
			want(t, http.StatusOK, "carrier signup")
		if c := e.pending(portico.KindCarrier); len(c) != 1 || c[0].Name != "Transit Co" {
			t.Fatalf("pending carriers = %v", c)
		}
	})
}

func TestSignupRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.CustomerSignup = true })
		b := e.browser("acme.localhost")
		b.post("/signup", signupForm("Globex Corp", "sam@globex.example")).want(t, http.StatusOK, "signup")
		acc := e.pending(portico.KindCustomer)[0]
		if _, err := e.svc.RejectAccount(ctx, e.owner, portico.KindCustomer, acc.ID); err != nil {
			t.Fatal(err)
		}
		if len(e.emails(mail.KindAccountRejected, "sam@globex.example")) != 1 {
			t.Fatal("the signer was not told of the rejection")
		}
		b.post("/login", url.Values{"email": {"sam@globex.example"}, "password": {goodPassword}}).
			want(t, http.StatusUnauthorized, "login after rejection")
	})
}

// An address that already logs in gets the same answer as any other;
// nothing is created and only the address's owner hears of it.
func TestSignupWithExistingLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.CustomerSignup = true })
		e.contact(e.account(portico.KindCustomer, "Globex", acme, nil), "ann@globex.example", nil)
		b := e.browser("acme.localhost")
		existing := b.post("/signup", signupForm("Evil Corp", "ANN@globex.example")).want(t, http.StatusOK, "signup with an existing login")
		fresh := b.post("/signup", signupForm("Fresh Corp", "fresh@fresh.example")).want(t, http.StatusOK, "signup with a new address")
		if normalise(existing.Body, "ann@globex.example") != normalise(fresh.Body, "fresh@fresh.example") {
			t.Errorf("answers differ:\n%s\n---\n%s", existing.Body, fresh.Body)
		}
		accs := e.pending(portico.KindCustomer)
		if len(accs) != 1 || accs[0].Name != "Fresh Corp" {
			t.Fatalf("pending accounts = %v, want only Fresh Corp", accs)
		}
		if len(e.emails(mail.KindSignupExistingLogin, "ann@globex.example")) != 1 {
			t.Fatal("the address's owner was not told of the signup attempt")
		}
		if len(e.emails(mail.KindVerifyEmail, "ann@globex.example")) != 0 {
			t.Fatal("a verification link went to an existing login")
		}
		if c, _ := e.db.Read().FindContactByEmail(ctx, "ann@globex.example"); c.Name != "Ann Contact" {
			t.Fatalf("the existing contact changed: %+v", c)
		}
	})
}

func TestSignupRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.CustomerSignup = true })
		b := e.browser("acme.localhost")
		for i := range 5 {
			b.post("/signup", url.Values{"company_name": {"Try"}}).want(t, http.StatusUnprocessableEntity, fmt.Sprint("attempt ", i+1))
		}
		p := b.post("/signup", signupForm("Globex Corp", "sam@globex.example")).want(t, http.StatusTooManyRequests, "sixth attempt")
		if p.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		p.has(t, "Too many attempts", `value="Globex Corp"`)
		if len(e.pending(portico.KindCustomer)) != 0 {
			t.Fatal("a throttled signup created an account")
		}
	})
}
