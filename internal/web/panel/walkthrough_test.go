package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// domainForm is a complete domain form as the operator fills it in.
func domainForm(domain string) url.Values {
	return url.Values{
		"domain": {domain}, "brand_name": {"Acme Voice"}, "customer_signup": {"1"}, "carrier_signup": {"1"},
		"signup_credit_limit": {"25.50"}, "currencies": {"usd, EUR"}, "template_account_id": {""},
		"access":        {"balance", "cdr", "rate_card", "carrier_portal"},
		"primary_color": {"#1A73E8"}, "footer": {"© Acme Voice"}, "custom_css": {".brand { font-weight: 700 }"},
		"smtp_host": {"smtp.acme.example"}, "smtp_port": {"587"}, "smtp_username": {"mailer"},
		"smtp_password": {"smtp-s3cret-value"}, "smtp_from": {"noreply@acme.example"},
	}
}

// TestSeedWalkthrough is the operator's half of seed.txt, through the
// forms: add a portal domain with every setting, a customer on it, and
// contacts with a generated and a typed password.
func TestSeedWalkthrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)

		// Portal → +
		form := c.get("/domains/new").want(http.StatusOK)
		if !form.checked("access", "balance") || form.checked("access", "alerts") || form.value("currencies") != "USD" {
			t.Errorf("new domain form defaults: balance %v alerts %v currencies %q",
				form.checked("access", "balance"), form.checked("access", "alerts"), form.value("currencies"))
		}
		loc := c.postMultipart("/domains", domainForm("Portal.Acme-Voice.example"), pngOf(200)).wantRedirect("/domains/").Location
		p := c.get(loc).want(http.StatusOK)
		p.wantText("Created.", "Not checked yet", "CNAME your portal host", "HTTPS is off")
		for name, want := range map[string]string{
			"domain": "portal.acme-voice.example", "brand_name": "Acme Voice", "signup_credit_limit": "25.50",
			"currencies": "USD, EUR", "primary_color": "#1a73e8", "footer": "© Acme Voice",
			"custom_css": ".brand { font-weight: 700 }", "smtp_host": "smtp.acme.example", "smtp_port": "587",
			"smtp_username": "mailer", "smtp_from": "noreply@acme.example", "smtp_password": "",
		} {
			if got := p.value(name); got != want {
				t.Errorf("saved domain field %s shows %q, want %q", name, got, want)
			}
		}
		for s, want := range map[string]bool{"balance": true, "cdr": true, "rate_card": true, "carrier_portal": true, "payments": false, "alerts": false} {
			if p.checked("access", s) != want {
				t.Errorf("access %s checked = %v, want %v", s, !want, want)
			}
		}
		if !p.checked("customer_signup", "") || !p.checked("carrier_signup", "") || p.checked("smtp_insecure", "") {
			t.Error("signup and TLS checkboxes not as saved")
		}
		if p.contains("smtp-s3cret-value") {
			t.Fatal("the SMTP password is shown on the domain page")
		}
		if !p.contains(`alt="Current logo"`) {
			t.Error("no logo preview")
		}
		domainID := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/domains/")
		logo := c.get("/domains/" + domainID + "/logo").want(http.StatusOK)
		if logo.Header.Get("Content-Type") != "image/png" || logo.Body != string(pngOf(200)) {
			t.Errorf("logo served as %q, %d bytes", logo.Header.Get("Content-Type"), len(logo.Body))
		}
		c.get("/domains?q=acme").want(http.StatusOK).wantText("portal.acme-voice.example", "Acme Voice")
		c.get("/domains?q=nothing-like-it").want(http.StatusOK).wantText("No portal domains match your search.")

		// Management → Customers → +
		form = c.get("/customers/new").want(http.StatusOK)
		if form.value("currency") != "USD" || form.value("status") != portico.StatusActive {
			t.Errorf("new customer defaults: currency %q status %q", form.value("currency"), form.value("status"))
		}
		loc = c.post("/customers", url.Values{"name": {"Globex"}, "status": {"active"}, "currency": {"eur"},
			"credit_limit": {"100.5"}, "domain_id": {domainID}, "access_cdr": {"hide"}, "access_alerts": {"show"},
			"tax_id": {"GB123"}, "tax_percent": {"20"}, "notes": {"Met at ITW"}}).wantRedirect("/customers/").Location
		acct := c.get(loc).want(http.StatusOK)
		acct.wantText("Created.", "No contacts yet.")
		for name, want := range map[string]string{"name": "Globex", "currency": "EUR", "credit_limit": "100.50", "domain_id": domainID,
			"access_cdr": "hide", "access_alerts": "show", "access_balance": "", "tax_percent": "20.00", "notes": "Met at ITW"} {
			if got := acct.value(name); got != want {
				t.Errorf("saved customer field %s shows %q, want %q", name, got, want)
			}
		}
		accountPath := strings.SplitN(loc, "?", 2)[0]
		c.get("/customers?q=glob").want(http.StatusOK).wantText("Globex", "portal.acme-voice.example")
		c.get("/carriers").want(http.StatusOK).wantText("No carriers match.")

		// The customer → Add contact, auto generate password (ticked by default).
		form = c.get(accountPath + "/contacts/new").want(http.StatusOK)
		if !form.checked("auto_generate_password", "") {
			t.Error("Auto generate password is not ticked by default")
		}
		form.wantText("Public notes (shown in the portal)", "Private notes (control panel only)")
		c.post(accountPath+"/contacts", url.Values{"name": {"Wile E"}, "email": {"Wile@Globex.example"}, "phone": {"+44 20 7946 0000"},
			"contact_type": {"billing"}, "auto_generate_password": {"1"}, "public_notes": {"Welcome aboard"},
			"private_notes": {"Pays late"}, "ip_allowlist": {"203.0.113.7\n198.51.100.0/24"}, "time_zone": {"Europe/London"}, "language": {"en"}}).
			wantRedirect(accountPath + "?flash=contact_emailed")
		acct = c.get(accountPath + "?flash=contact_emailed").want(http.StatusOK)
		acct.wantText("welcome email with a generated password is queued", "Wile E", "wile@globex.example", "Must change password")

		// The welcome email is in the log; the generated password is nowhere.
		emails, err := db.Read().FindEmails(ctx, portico.EmailFilter{})
		if err != nil || len(emails) != 1 || emails[0].Kind != "welcome" || emails[0].To != "wile@globex.example" {
			t.Fatalf("outbox = %+v, %v; want one welcome email", emails, err)
		}
		sealed, err := db.Read().EmailSecret(ctx, emails[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		generated, err := e.svc.Box.Open(sealed)
		if err != nil || len(generated) < 12 {
			t.Fatalf("generated password %q, %v", generated, err)
		}
		log := c.get("/emails").want(http.StatusOK)
		log.wantText("wile@globex.example", "Your Acme Voice login", "Acme Voice", "welcome", "queued")
		contact, err := db.Read().FindContactByEmail(ctx, "wile@globex.example")
		if err != nil {
			t.Fatal(err)
		}
		cp := c.get(fmt.Sprintf("/contacts/%d", contact.ID)).want(http.StatusOK)
		for _, pg := range []*page{log, cp, acct} {
			if pg.contains(generated) || pg.contains(portico.SecretPlaceholder) || pg.contains("Password:") || pg.contains("argon2") {
				t.Fatal("a password, its placeholder, the email body or a hash shows in the panel")
			}
		}
		for name, want := range map[string]string{"email": "wile@globex.example", "contact_type": "billing", "public_notes": "Welcome aboard",
			"private_notes": "Pays late", "ip_allowlist": "203.0.113.7/32\n198.51.100.0/24", "time_zone": "Europe/London"} {
			if got := cp.value(name); got != want {
				t.Errorf("saved contact field %s shows %q, want %q", name, got, want)
			}
		}

		// Add contact with a typed password: too common, then too short,
		// then good. Refusals keep everything but the password.
		typed := url.Values{"name": {"Road Runner"}, "email": {"rr@globex.example"}, "public_notes": {"Beep"}, "time_zone": {"UTC"}, "language": {"en"}}
		for pw, msg := range map[string]string{"password123": "too common", "short": "at least 8 characters"} {
			typed.Set("password", pw)
			p := c.post(accountPath+"/contacts", typed).want(http.StatusUnprocessableEntity)
			if got := p.fieldError("password"); !strings.Contains(got, msg) {
				t.Errorf("password %q: field error %q, want %q", pw, got, msg)
			}
			if p.value("name") != "Road Runner" || p.value("email") != "rr@globex.example" || p.value("public_notes") != "Beep" ||
				p.value("password") != "" || p.checked("auto_generate_password", "") {
				t.Errorf("password %q: typed values not kept, or password echoed", pw)
			}
			p.wantText("Please correct the highlighted fields")
		}
		typed.Set("password", "a sturdy passphrase")
		c.post(accountPath+"/contacts", typed).wantRedirect(accountPath + "?flash=contact_created")
		rr, err := db.Read().FindContactByEmail(ctx, "rr@globex.example")
		if err != nil || rr.MustChangePassword {
			t.Fatalf("typed-password contact: %+v, %v", rr, err)
		}
		if ok, _, _ := e.svc.Hasher.Verify(ctx, rr.PasswordHash, "a sturdy passphrase"); !ok {
			t.Error("the typed password is not the contact's password")
		}
		if emails, _ := db.Read().FindEmails(ctx, portico.EmailFilter{}); len(emails) != 1 {
			t.Errorf("a typed password sent an email: %d emails", len(emails))
		}

		// The audit log tells the story, without secrets.
		audit := c.get("/audit").want(http.StatusOK)
		audit.wantText("domain.create", "customer.create", "contact.create", "ops@example.com")
		if audit.contains(generated) || audit.contains("a sturdy passphrase") || audit.contains("smtp-s3cret-value") {
			t.Fatal("the audit log shows a secret")
		}
	})
}

func TestContactEditPasswordAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleAdmin)
		acc := &portico.Account{Kind: portico.KindCarrier, Name: "Carrier One"}
		if err := e.svc.CreateAccount(ctx, actorFor(t, db, "ops@example.com"), acc); err != nil {
			t.Fatal(err)
		}
		accountPath := fmt.Sprintf("/carriers/%d", acc.ID)
		// No portal domain: there is no login page to email, so generating is refused on its field.
		p := c.post(accountPath+"/contacts", url.Values{"name": {"Nick"}, "email": {"nick@carrier.example"}, "auto_generate_password": {"1"}}).
			want(http.StatusUnprocessableEntity)
		if !strings.Contains(p.fieldError("auto_generate_password"), "no portal domain") {
			t.Errorf("auto-generate without a domain: %q", p.fieldError("auto_generate_password"))
		}
		c.post(accountPath+"/contacts", url.Values{"name": {"Nick"}, "email": {"nick@carrier.example"}, "password": {"a sturdy passphrase"}}).
			wantRedirect(accountPath)
		ct, err := db.Read().FindContactByEmail(ctx, "nick@carrier.example")
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/contacts/%d", ct.ID)

		edit := c.get(path).want(http.StatusOK)
		if edit.control("auto_generate_password", "") != nil || edit.control("password", "") != nil {
			t.Error("the edit form has password fields; passwords change on their own page")
		}
		f := url.Values{"name": {"Nick Fury"}, "email": {"nick@carrier.example"}, "time_zone": {"Mars/Olympus"}, "language": {"en"},
			"disabled": {"1"}, "email_verified": {"1"}, "ip_allowlist": {"not-an-ip"}}
		p = c.post(path, f).want(http.StatusUnprocessableEntity)
		if !strings.Contains(p.fieldError("time_zone"), "IANA") || !strings.Contains(p.fieldError("ip_allowlist"), "not-an-ip") {
			t.Errorf("field errors: time_zone %q ip_allowlist %q", p.fieldError("time_zone"), p.fieldError("ip_allowlist"))
		}
		if p.value("name") != "Nick Fury" || !p.checked("disabled", "") || p.value("ip_allowlist") != "not-an-ip" {
			t.Error("typed values not kept")
		}
		f.Set("time_zone", "Asia/Tokyo")
		f.Set("ip_allowlist", "")
		c.post(path, f).wantRedirect(path + "?flash=saved")
		got, _ := db.Read().FindContactByID(ctx, ct.ID)
		if got.Name != "Nick Fury" || !got.Disabled || !got.EmailVerified || got.TimeZone != "Asia/Tokyo" {
			t.Errorf("saved contact = %+v", got)
		}

		c.get(path + "/password").want(http.StatusOK)
		p = c.post(path+"/password", url.Values{"password": {"12345678"}}).want(http.StatusUnprocessableEntity)
		if !strings.Contains(p.fieldError("password"), "too common") {
			t.Errorf("common password: %q", p.fieldError("password"))
		}
		c.post(path+"/password", url.Values{"password": {"another sturdy one"}}).wantRedirect(path + "?flash=password_set")
		got, _ = db.Read().FindContactByID(ctx, ct.ID)
		if ok, _, _ := e.svc.Hasher.Verify(ctx, got.PasswordHash, "another sturdy one"); !ok {
			t.Error("password not changed")
		}

		c.get(path + "/delete").want(http.StatusOK).wantText("Delete the contact Nick Fury")
		c.post(path+"/delete", nil).wantRedirect(accountPath + "?flash=deleted")
		c.get(path).want(http.StatusNotFound)
	})
}

// actorFor is the app.Actor of an existing user, for arranging data
// directly through app.
func actorFor(t *testing.T, db *store.DB, email string) appActor {
	t.Helper()
	u, err := db.Read().FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return appActor{UserID: u.ID, Email: u.Email, Role: u.Role, IP: "127.0.0.1"}
}
