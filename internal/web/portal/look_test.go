package portal_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

func TestBrandLook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) {
			d.PrimaryColor = "#0a7d4f"
			d.Footer = "Acme Voice Ltd"
			d.CustomCSS = `@import url(https://evil.example/x.css); .top { border-color: red; background: url(https://evil.example/t.png) }`
		})
		e.brand("plain.localhost", "Plain Telecom", nil)
		b := e.browser("acme.localhost")

		login := b.get("/login").want(t, http.StatusOK, "login page")
		login.has(t, `href="/static/portal.css"`, `href="/brand.css"`, "Acme Voice Ltd", "Log in to Acme Voice")
		login.lacks(t, "Plain Telecom", "style=", "<script", "<style")
		if csp := login.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("CSP = %q", csp)
		}
		css := b.get("/brand.css").want(t, http.StatusOK, "brand.css")
		if ct := css.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
			t.Errorf("brand.css content type %q", ct)
		}
		css.has(t, "--brand-primary: #0a7d4f;", "--brand-on-primary: #ffffff;", ".top { border-color: red;")
		css.lacks(t, "evil", "@import")
		plain := e.browser("plain.localhost").get("/brand.css").want(t, http.StatusOK, "default brand.css")
		plain.has(t, "--brand-primary: #2563eb;")
		plain.lacks(t, "#0a7d4f", "border-color: red")
		b.get("/static/portal.css").want(t, http.StatusOK, "portal.css").has(t, "var(--brand-primary)")

		// A logo, once uploaded, replaces the brand name in the header.
		b.get("/logo").want(t, http.StatusNotFound, "logo before upload")
		var img bytes.Buffer
		png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 20, 10)))
		if err := e.svc.SetDomainLogo(ctx, e.owner, acme.ID, img.Bytes()); err != nil {
			t.Fatal(err)
		}
		logo := b.get("/logo").want(t, http.StatusOK, "logo")
		if logo.Header.Get("Content-Type") != "image/png" || logo.Body != img.String() {
			t.Errorf("logo served as %q, %d bytes", logo.Header.Get("Content-Type"), len(logo.Body))
		}
		b.get("/login").has(t, `<img src="/logo" alt="Acme Voice">`)
		e.browser("plain.localhost").get("/logo").want(t, http.StatusNotFound, "another brand's logo")
	})
}

func TestProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		c := e.contact(e.account(portico.KindCustomer, "Globex", acme, nil), "ann@globex.example", func(c *portico.Contact) {
			c.PrivateNotes = "internal"
		})
		b := e.browser("acme.localhost")
		b.login(c.Email, goodPassword)
		b.get("/profile").want(t, http.StatusOK, "profile").has(t, `value="Ann Contact"`, `value="UTC"`, "ann@globex.example")
		bad := b.post("/profile", url.Values{"name": {"Ann B"}, "phone": {"call me"}, "time_zone": {"Mars/Olympus"}, "language": {"en"}})
		bad.want(t, http.StatusUnprocessableEntity, "invalid profile")
		bad.has(t, `id="f-phone-error"`, `id="f-time_zone-error"`, `value="Mars/Olympus"`, `value="Ann B"`)
		b.post("/profile", url.Values{"name": {"Ann B"}, "phone": {"+44 20 7946 0000"}, "time_zone": {"Europe/London"},
			"language": {"pt-BR"}, "email": {"hijack@evil.example"}, "private_notes": {"x"}}).redirect(t, "/profile?saved", "save profile")
		b.get("/profile?saved").want(t, http.StatusOK, "saved profile").has(t, "Your profile is saved.", `value="Europe/London"`, `lang="pt-BR"`)
		got, err := e.db.Read().FindContactByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ann B" || got.Phone != "+44 20 7946 0000" || got.TimeZone != "Europe/London" || got.Language != "pt-BR" ||
			got.Email != c.Email || got.PrivateNotes != "internal" {
			t.Fatalf("profile saved as %+v", got)
		}
	})
}
