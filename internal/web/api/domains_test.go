package api_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

func pngOfWidth(t *testing.T, width int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, width, 10))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload PUTs a raw body with a Content-Type as the owner.
func (e *env) upload(path, contentType string, data []byte) response {
	req := httptest.NewRequest("PUT", path, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+e.owner)
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func TestDomainLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Only domain and brand_name are required; the rest start off/zero/empty.
		d := e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example"))
		domID := id(t, d)
		for k, want := range map[string]any{"customer_signup": false, "carrier_signup": false, "signup_credit_limit": "0.00",
			"smtp_host": "", "smtp_port": float64(0), "footer": ""} {
			if d[k] != want {
				t.Errorf("default %s = %#v, want %#v", k, d[k], want)
			}
		}
		if len(d["access"].([]any)) != 0 || len(d["currencies"].([]any)) != 0 {
			t.Errorf("default lists not empty: %v", d)
		}
		if got := e.must(200, "GET", pathf("/api/v1/domains/%d", domID), nil); got["domain"] != "portal.acme.example" {
			t.Errorf("GET = %v", got)
		}

		r := e.request(e.owner, "POST", "/api/v1/domains", domainBody("PORTAL.acme.example."))
		if code, fields := r.errorFields(t); r.Status != http.StatusConflict || code != "conflict" || fields["domain"] == nil {
			t.Errorf("duplicate domain: %d %s", r.Status, r.Body)
		}
		other := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.other.example")))
		r = e.request(e.owner, "PATCH", pathf("/api/v1/domains/%d", other), map[string]any{"domain": "portal.acme.example"})
		if _, fields := r.errorFields(t); r.Status != http.StatusConflict || fields["domain"] == nil {
			t.Errorf("renaming onto a taken domain: %d %s", r.Status, r.Body)
		}

		for _, p := range []string{"/api/v1/domains/9999", "/api/v1/domains/abc", "/api/v1/domains/0", "/api/v1/domains/-1", "/api/v1/domains/1.5"} {
			for _, m := range []string{"GET", "PATCH", "DELETE"} {
				if r := e.request(e.owner, m, p, map[string]any{"footer": "x"}); r.Status != http.StatusNotFound {
					t.Errorf("%s %s = %d, want 404", m, p, r.Status)
				}
			}
		}

		// A domain that a customer uses cannot go; once free it can.
		cust := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": domID}))
		if got := e.must(200, "PATCH", pathf("/api/v1/domains/%d", domID), map[string]any{"template_account_id": cust}); got["template_account_id"] != float64(cust) {
			t.Errorf("template_account_id = %v, want %d", got["template_account_id"], cust)
		}
		if r := e.request(e.owner, "DELETE", pathf("/api/v1/domains/%d", domID), nil); r.Status != http.StatusConflict {
			t.Errorf("deleting a domain in use: %d %s", r.Status, r.Body)
		}
		e.must(200, "PATCH", pathf("/api/v1/customers/%d", cust), map[string]any{"domain_id": nil})
		if r := e.request(e.owner, "DELETE", pathf("/api/v1/domains/%d", domID), nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
			t.Errorf("delete: %d %s", r.Status, r.Body)
		}
		if r := e.request(e.owner, "GET", pathf("/api/v1/domains/%d", domID), nil); r.Status != http.StatusNotFound {
			t.Errorf("GET deleted domain: %d", r.Status)
		}
	})
}

func TestDomainPatchKeepsWhatItDoesNotMention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		full := map[string]any{
			"domain": "portal.acme.example", "brand_name": "Acme", "customer_signup": true, "signup_credit_limit": "25.125",
			"currencies": []string{"USD"}, "access": []string{"balance", "cdr"}, "primary_color": "#112233", "footer": "Foot",
			"custom_css": "a{}", "smtp_host": "smtp.acme.example", "smtp_port": 465, "smtp_username": "u",
			"smtp_password": "first-secret", "smtp_from": "noreply@acme.example", "smtp_insecure": true,
		}
		before := e.must(201, "POST", "/api/v1/domains", full)
		domID := id(t, before)
		smtpPassword := func() string {
			t.Helper()
			enc, err := db.Read().DomainSMTPPassword(ctx, domID)
			if err != nil {
				t.Fatal(err)
			}
			if enc == nil {
				return ""
			}
			pw, err := e.box.Open(enc)
			if err != nil {
				t.Fatal(err)
			}
			return pw
		}
		if got := smtpPassword(); got != "first-secret" {
			t.Fatalf("stored SMTP password = %q", got)
		}

		after := e.must(200, "PATCH", pathf("/api/v1/domains/%d", domID), map[string]any{"brand_name": "Acme Two"})
		if after["brand_name"] != "Acme Two" {
			t.Errorf("brand_name not changed: %v", after)
		}
		for k, v := range before {
			if k == "brand_name" || k == "updated_at" {
				continue
			}
			if pathf("%v", after[k]) != pathf("%v", v) {
				t.Errorf("PATCH of brand_name changed %s: %v -> %v", k, v, after[k])
			}
		}
		if got := smtpPassword(); got != "first-secret" {
			t.Errorf("SMTP password after a PATCH without it = %q, want it kept", got)
		}

		// Lists are replaced, not merged.
		after = e.must(200, "PATCH", pathf("/api/v1/domains/%d", domID), map[string]any{"access": []string{"summary"}})
		if pathf("%v", after["access"]) != "[summary]" {
			t.Errorf("access = %v, want [summary]", after["access"])
		}

		e.must(200, "PATCH", pathf("/api/v1/domains/%d", domID), map[string]any{"smtp_password": "second-secret"})
		if got := smtpPassword(); got != "second-secret" {
			t.Errorf("SMTP password = %q, want second-secret", got)
		}
		e.must(200, "PATCH", pathf("/api/v1/domains/%d", domID), map[string]any{"smtp_password": ""})
		if enc, _ := db.Read().DomainSMTPPassword(ctx, domID); enc != nil {
			t.Errorf("an empty smtp_password did not clear the stored one")
		}
	})
}

func TestDomainLogo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		domID := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		path := pathf("/api/v1/domains/%d/logo", domID)

		bad := []struct {
			name, contentType string
			data              []byte
		}{
			{"declared as text", "text/plain", pngOfWidth(t, 10)},
			{"no type", "", pngOfWidth(t, 10)},
			{"SVG", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
			{"too wide", "image/png", pngOfWidth(t, 400)},
			{"empty", "image/png", nil},
		}
		for _, c := range bad {
			r := e.upload(path, c.contentType, c.data)
			if _, fields := r.errorFields(t); r.Status != http.StatusUnprocessableEntity || fields["logo"] == nil {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			}
		}
		if d := e.must(200, "GET", pathf("/api/v1/domains/%d", domID), nil); d["has_logo"] != false {
			t.Errorf("a refused logo was stored")
		}

		r := e.upload(path, "image/png", pngOfWidth(t, 120))
		if r.Status != http.StatusOK || r.object(t)["has_logo"] != true {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if r := e.upload("/api/v1/domains/9999/logo", "image/png", pngOfWidth(t, 10)); r.Status != http.StatusNotFound {
			t.Errorf("upload to unknown domain: %d", r.Status)
		}
		e.must(204, "DELETE", path, nil)
		if d := e.must(200, "GET", pathf("/api/v1/domains/%d", domID), nil); d["has_logo"] != false {
			t.Errorf("logo still there after DELETE")
		}
	})
}
