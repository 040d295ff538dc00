package panel

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := e.svc.CreateUser(ctx, &portico.User{Email: "ops@example.com", Role: portico.RoleOwner}, testPassword); err != nil {
			t.Fatal(err)
		}
		c := e.client()

		// Pages need a session: a GET goes to the login page and comes back.
		c.get("/customers?status=active").wantRedirect("/login?next=" + url.QueryEscape("/customers?status=active"))
		c.post("/customers", url.Values{"name": {"Acme"}}).want(http.StatusUnauthorized).wantText("Log in")

		form := c.get("/login?next=/domains").want(http.StatusOK)
		if form.value("next") != "/domains" {
			t.Errorf("next not carried in the form: %q", form.value("next"))
		}

		// A wrong password and an unknown user get the same one message.
		for _, email := range []string{"ops@example.com", "nobody@example.com"} {
			p := c.post("/login", url.Values{"email": {email}, "password": {"wrong password!"}, "next": {"/domains"}}).want(http.StatusUnauthorized)
			p.wantText("Email or password is incorrect.")
			if p.value("email") != email || p.value("password") != "" {
				t.Errorf("after a failed login the form shows email %q password %q", p.value("email"), p.value("password"))
			}
		}

		p := c.post("/login", url.Values{"email": {"OPS@example.com"}, "password": {testPassword}, "next": {"/domains"}}).wantRedirect("/domains")
		var cookie *http.Cookie
		for _, ck := range (&http.Response{Header: p.Header}).Cookies() {
			if ck.Name == "portico_panel" {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Domain != "" || cookie.Secure {
			t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, host-only, not Secure over plain HTTP", cookie)
		}
		c.get("/").want(http.StatusOK).wantText("Dashboard", "Portico control panel", "ops@example.com")
		c.get("/login").wantRedirect("/")

		// next may only name a page of this panel.
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			p := e.client().post("/login", url.Values{"email": {"ops@example.com"}, "password": {testPassword}, "next": {next}})
			if p.Status != http.StatusSeeOther || p.Location != "/" {
				t.Errorf("login with next=%q: %d to %q, want 303 to /", next, p.Status, p.Location)
			}
		}

		c.post("/logout", nil).wantRedirect("/login")
		c.get("/").wantRedirect("/login")
		// The old cookie is dead on the server too, not only dropped by the browser.
		replay := e.client()
		replay.hc.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "portico_panel", Value: cookie.Value}})
		replay.get("/").wantRedirect("/login")
	})
}

func TestUnknownPageIsAPlainNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		c.get("/no/such/page").want(http.StatusNotFound).wantText("Not found")
		c.get("/customers/999").want(http.StatusNotFound).wantText("Not found", "Log out")
		c.get("/customers/abc").want(http.StatusNotFound)
	})
}

func TestSetupLinkWorksOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token, err := e.svc.NewSetupToken(ctx)
		if err != nil || token == "" {
			t.Fatalf("setup token %q, %v", token, err)
		}
		c := e.client()
		c.get("/setup?token=wrong").want(http.StatusNotFound).wantText("invalid, used or expired")
		// Viewing the page twice (a mail scanner, then the person) uses nothing.
		c.get("/setup?token=" + token).want(http.StatusOK)
		c.get("/setup?token=" + token).want(http.StatusOK).wantText("Create the first owner")

		p := c.post("/setup", url.Values{"token": {token}, "email": {"owner@example.com"}, "name": {"Olive"}, "password": {"short"}}).
			want(http.StatusUnprocessableEntity)
		if msg := p.fieldError("password"); !strings.Contains(msg, "at least 8") {
			t.Errorf("password error = %q", msg)
		}
		if p.value("email") != "owner@example.com" || p.value("name") != "Olive" || p.value("password") != "" {
			t.Errorf("typed values not kept (or password echoed)")
		}

		c.post("/setup", url.Values{"token": {token}, "email": {"owner@example.com"}, "name": {"Olive"}, "password": {testPassword}}).
			wantRedirect("/?flash=welcome")
		c.get("/?flash=welcome").want(http.StatusOK).wantText("Welcome to the Portico control panel.", "owner@example.com")

		c.get("/setup?token=" + token).want(http.StatusNotFound)
		e.client().post("/setup", url.Values{"token": {token}, "email": {"second@example.com"}, "password": {testPassword}}).
			want(http.StatusNotFound)
		if _, err := db.Read().FindUserByEmail(ctx, "second@example.com"); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("a used setup link created a second user: %v", err)
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
