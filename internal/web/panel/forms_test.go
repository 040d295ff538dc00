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

// wantFieldErrors checks each field shows an error containing the text.
func wantFieldErrors(t *testing.T, p *page, want map[string]string) {
	t.Helper()
	for field, text := range want {
		if got := p.fieldError(field); !strings.Contains(got, text) {
			t.Errorf("field %s: error %q, want one containing %q", field, got, text)
		}
	}
	p.wantText("Please correct the highlighted fields")
}

func TestDomainFormErrorsKeepInputAndWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		f := domainForm("not a domain")
		f.Set("brand_name", " ")
		f.Set("signup_credit_limit", "lots")
		f.Set("currencies", "usd, dollars")
		f.Set("primary_color", "blue")
		f.Set("smtp_port", "five")
		f.Set("smtp_from", "not an address")
		p := c.postMultipart("/domains", f, nil).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{
			"domain": "host name", "brand_name": "Brand name is required", "signup_credit_limit": "Signup credit limit is not a number",
			"currencies": "three-letter", "primary_color": "#1a73e8", "smtp_port": "SMTP port must be a whole number",
			"smtp_from": "SMTP from address",
		})
		for name, want := range map[string]string{"domain": "not a domain", "signup_credit_limit": "lots",
			"currencies": "usd, dollars", "primary_color": "blue", "smtp_port": "five", "footer": "© Acme Voice", "smtp_password": ""} {
			if got := p.value(name); got != want {
				t.Errorf("field %s shows %q after the error, want what was typed: %q", name, got, want)
			}
		}
		if !p.checked("access", "carrier_portal") || p.checked("access", "payments") || !p.checked("customer_signup", "") {
			t.Error("ticked boxes not kept")
		}
		if ds, _ := db.Read().AllDomains(ctx); len(ds) != 0 {
			t.Fatalf("an invalid form wrote %d domains", len(ds))
		}
		// A money value typed with too many decimals is refused, not rounded.
		f = domainForm("portal.acme.example")
		f.Set("signup_credit_limit", "1.0000001")
		p = c.postMultipart("/domains", f, nil).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"signup_credit_limit": "more than 6 decimals"})
	})
}

func TestDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		c.postMultipart("/domains", domainForm("portal.acme.example"), nil).wantRedirect("/domains/")
		p := c.postMultipart("/domains", domainForm("PORTAL.acme.example."), nil).want(http.StatusConflict)
		if got := p.fieldError("domain"); got != "This domain is already configured." {
			t.Errorf("duplicate domain error = %q", got)
		}
		if p.value("domain") != "PORTAL.acme.example." || p.value("brand_name") != "Acme Voice" {
			t.Error("typed values not kept after a conflict")
		}

		acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex"}
		if err := e.svc.CreateAccount(ctx, actorFor(t, db, "ops@example.com"), acc); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/customers/%d/contacts", acc.ID)
		contact := url.Values{"name": {"Wile"}, "email": {"wile@globex.example"}, "password": {"a sturdy passphrase"}}
		c.post(path, contact).wantRedirect("/customers/")
		contact.Set("name", "Other Wile")
		contact.Set("email", " WILE@Globex.example ")
		p = c.post(path, contact).want(http.StatusConflict)
		if got := p.fieldError("email"); got != "This email is already a login." {
			t.Errorf("duplicate email error = %q", got)
		}
		if p.value("name") != "Other Wile" || p.value("password") != "" {
			t.Error("typed values not kept (or password echoed) after a conflict")
		}
	})
}

func TestAccountFormErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		f := url.Values{"name": {"Initech"}, "status": {"active"}, "currency": {"dollars"}, "credit_limit": {"12,5"},
			"tax_percent": {"150"}, "domain_id": {"999"}, "access_cdr": {"maybe"}, "notes": {"keep me"}}
		p := c.post("/carriers", f).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"credit_limit": "Credit limit is not a number", "currency": "three-letter",
			"tax_percent": "between 0 and 100"})
		if !strings.Contains(p.text(), "inherit, show or hide") {
			t.Error("bad access override not reported")
		}
		if p.value("credit_limit") != "12,5" || p.value("notes") != "keep me" || p.value("name") != "Initech" {
			t.Error("typed values not kept")
		}
		// A portal domain that does not exist is reported on its field.
		f = url.Values{"name": {"Initech"}, "status": {"active"}, "currency": {"USD"}, "domain_id": {"999"}}
		p = c.post("/carriers", f).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"domain_id": "does not exist"})
		if accs, _ := db.Read().FindAccounts(ctx, portico.AccountFilter{Kind: portico.KindCarrier}); len(accs) != 0 {
			t.Fatalf("invalid forms wrote %d carriers", len(accs))
		}

		// Carriers and customers share the pages but never each other's ids.
		f.Del("domain_id")
		loc := c.post("/carriers", f).wantRedirect("/carriers/").Location
		id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/carriers/")
		c.get("/carriers/" + id).want(http.StatusOK)
		c.get("/customers/" + id).want(http.StatusNotFound)

		// Edit: errors keep the input and leave the saved account alone.
		f.Set("name", "")
		f.Set("credit_limit", "-5")
		p = c.post("/carriers/"+id, f).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"name": "Name is required", "credit_limit": "cannot be negative"})
		f.Set("name", "Initech Telecom")
		f.Set("credit_limit", "5")
		f.Set("status", "suspended")
		c.post("/carriers/"+id, f).wantRedirect("/carriers/" + id + "?flash=saved")
		c.get("/carriers?status=suspended").want(http.StatusOK).wantText("Initech Telecom", "Suspended")
		c.get("/carriers?status=active").want(http.StatusOK).wantText("No carriers match.")
	})
}

func TestLogoUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		loc := c.postMultipart("/domains", domainForm("portal.acme.example"), nil).wantRedirect("/domains/").Location
		path := strings.SplitN(loc, "?", 2)[0]
		c.get(path + "/logo").want(http.StatusNotFound)

		f := domainForm("portal.acme.example")
		for name, tc := range map[string]struct {
			logo []byte
			msg  string
		}{
			"too wide": {pngOf(351), "351 px wide; at most 350"},
			"svg":      {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`), "SVG is not accepted"},
			"too big":  {make([]byte, 600<<10), "at most 512 KB"},
		} {
			f.Set("brand_name", "Renamed "+name)
			p := c.postMultipart(path, f, tc.logo).want(http.StatusUnprocessableEntity)
			if got := p.fieldError("logo"); !strings.Contains(got, tc.msg) {
				t.Errorf("%s logo: error %q, want %q", name, got, tc.msg)
			}
			if p.value("brand_name") != "Renamed "+name {
				t.Errorf("%s logo: typed values not kept", name)
			}
		}
		if d, _ := db.Read().FindDomainByID(ctx, 1); d.HasLogo || d.BrandName != "Acme Voice" {
			t.Fatalf("a refused logo changed the domain: logo %v brand %q", d.HasLogo, d.BrandName)
		}

		c.postMultipart(path, f, pngOf(350)).wantRedirect(path + "?flash=saved")
		if got := c.get(path + "/logo").want(http.StatusOK); got.Header.Get("Content-Type") != "image/png" {
			t.Errorf("logo content type %q", got.Header.Get("Content-Type"))
		}
		// Saving again without a file keeps the logo; the box removes it.
		c.postMultipart(path, f, nil).wantRedirect(path)
		c.get(path + "/logo").want(http.StatusOK)
		f.Set("logo_remove", "1")
		c.postMultipart(path, f, nil).wantRedirect(path)
		c.get(path + "/logo").want(http.StatusNotFound)
	})
}

func TestSMTPPasswordIsWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		loc := c.postMultipart("/domains", domainForm("portal.acme.example"), nil).wantRedirect("/domains/").Location
		path := strings.SplitN(loc, "?", 2)[0]
		stored := func() string {
			t.Helper()
			enc, err := db.Read().DomainSMTPPassword(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if enc == nil {
				return ""
			}
			pw, err := e.svc.Box.Open(enc)
			if err != nil {
				t.Fatal(err)
			}
			return pw
		}
		f := domainValuesForm(t, c.get(path).want(http.StatusOK))
		if f.Get("smtp_password") != "" {
			t.Fatal("the edit form holds the SMTP password")
		}
		c.postMultipart(path, f, nil).wantRedirect(path)
		if stored() != "smtp-s3cret-value" {
			t.Fatal("saving with a blank password did not keep the stored one")
		}
		f.Set("smtp_password", "new-secret")
		c.postMultipart(path, f, nil).wantRedirect(path)
		if stored() != "new-secret" {
			t.Fatal("a typed password was not saved")
		}
		f.Set("smtp_password", "")
		f.Set("smtp_password_clear", "1")
		c.postMultipart(path, f, nil).wantRedirect(path)
		if stored() != "" {
			t.Fatal("clear did not remove the password")
		}
	})
}

// domainValuesForm reads back the domain form a page shows, as a browser
// would submit it unchanged.
func domainValuesForm(t *testing.T, p *page) url.Values {
	t.Helper()
	f := url.Values{}
	for _, name := range []string{"domain", "brand_name", "signup_credit_limit", "currencies", "template_account_id", "primary_color",
		"footer", "custom_css", "smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_from"} {
		f.Set(name, p.value(name))
	}
	for _, s := range portico.Sections {
		if p.checked("access", string(s)) {
			f.Add("access", string(s))
		}
	}
	return f
}

func TestDeletes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		c.postMultipart("/domains", domainForm("portal.acme.example"), nil).wantRedirect("/domains/1")
		loc := c.post("/customers", url.Values{"name": {"Globex"}, "status": {"active"}, "currency": {"USD"}, "domain_id": {"1"}}).
			wantRedirect("/customers/").Location
		account := strings.SplitN(loc, "?", 2)[0]

		// A domain in use cannot go; the confirm page says why.
		c.get("/domains/1/delete").want(http.StatusOK).wantText("Delete the portal domain portal.acme.example")
		c.post("/domains/1/delete", nil).want(http.StatusConflict).wantText("Accounts still use this domain")

		c.get(account + "/delete").want(http.StatusOK).wantText("archived instead")
		c.post(account+"/delete", nil).wantRedirect("/customers?flash=deleted")
		c.get("/customers?flash=deleted").want(http.StatusOK).wantText("Deleted.")
		c.get(account).want(http.StatusNotFound)

		// An account whose contact has logged in keeps its history: archived.
		kept := pendingSignup(t, e, portico.KindCarrier, "Pied Piper", "richard@pp.example")
		ct, _ := db.Read().FindContactByEmail(ctx, "richard@pp.example")
		if err := db.Write(ctx, func(q *store.Q) error { return q.RecordContactLogin(ctx, ct.ID) }); err != nil {
			t.Fatal(err)
		}
		carrier := fmt.Sprintf("/carriers/%d", kept.ID)
		c.post(carrier+"/delete", nil).wantRedirect(carrier + "?flash=archived")
		c.get(carrier+"?flash=archived").want(http.StatusOK).wantText("it was archived instead of deleted", "Archived", "richard@pp.example")

		c.post("/domains/1/delete", nil).wantRedirect("/domains?flash=deleted")
		c.get("/domains/1").want(http.StatusNotFound)
	})
}
