package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"portico/internal/secret"
	"strings"
	"testing"

	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web/api"
)

var ctx = context.Background()

// env is one API over a fresh database, with an owner and a support user.
type env struct {
	t       *testing.T
	db      *store.DB
	box     *secret.Box
	handler http.Handler
	owner   string // API token of an owner
	support string // API token of a read-only support user
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	svc := apptest.NewService(t, db)
	var err error
	e := &env{t: t, db: db, box: svc.Box, handler: api.New(svc, slog.New(slog.DiscardHandler))}
	for _, u := range []struct {
		role  string
		token *string
	}{{portico.RoleOwner, &e.owner}, {portico.RoleSupport, &e.support}} {
		email := u.role + "@operator.example"
		if err := svc.CreateUser(ctx, &portico.User{Email: email, Role: u.role}, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
		if *u.token, err = svc.CreateAPIToken(ctx, email, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// response is what the API answered.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// object decodes the body as a JSON object.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// errorFields returns the code and the fields of a JSON error body.
func (r response) errorFields(t *testing.T) (string, map[string]any) {
	t.Helper()
	e, ok := r.object(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.Body)
	}
	fields, _ := e["fields"].(map[string]any)
	return e["code"].(string), fields
}

// request sends method path as token with body: nil for none, a string as
// raw bytes, anything else as JSON.
func (e *env) request(token, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// must sends a request as the owner and fails the test unless the status
// is want; it returns the decoded object (nil for an empty body).
func (e *env) must(want int, method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.request(e.owner, method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.object(e.t)
}

// items returns the items of a list response.
func items(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("no items list in %v", m)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

// id returns an object's id, which must be a JSON integer.
func id(t *testing.T, m map[string]any) int64 {
	t.Helper()
	f, ok := m["id"].(float64)
	if !ok || f != float64(int64(f)) || f <= 0 {
		t.Fatalf("id is not a positive JSON integer: %#v", m["id"])
	}
	return int64(f)
}

// Fixtures with every required field.
func domainBody(host string) map[string]any {
	return map[string]any{"domain": host, "brand_name": "Acme Voice"}
}

func customerBody(name string) map[string]any { return map[string]any{"name": name} }

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name, header string
			want         int
		}{
			{"no header", "", http.StatusUnauthorized},
			{"unknown token", "Bearer pt_not-a-real-token", http.StatusUnauthorized},
			{"empty bearer", "Bearer ", http.StatusUnauthorized},
			{"wrong scheme", "Basic " + e.owner, http.StatusUnauthorized},
			{"valid token", "Bearer " + e.owner, http.StatusOK},
			{"scheme in any case", "bearer " + e.owner, http.StatusOK},
		}
		for _, c := range cases {
			for _, path := range []string{"/api/v1/domains", "/api/v1/customers", "/api/v1/emails"} {
				req := httptest.NewRequest("GET", path, nil)
				if c.header != "" {
					req.Header.Set("Authorization", c.header)
				}
				rec := httptest.NewRecorder()
				e.handler.ServeHTTP(rec, req)
				if rec.Code != c.want {
					t.Errorf("%s: GET %s = %d, want %d: %s", c.name, path, rec.Code, c.want, rec.Body)
				}
				if c.want == http.StatusUnauthorized {
					r := response{Status: rec.Code, Body: rec.Body.Bytes()}
					if code, _ := r.errorFields(t); code != portico.EUNAUTHORIZED {
						t.Errorf("%s: error code %q", c.name, code)
					}
					if rec.Header().Get("WWW-Authenticate") == "" {
						t.Errorf("%s: 401 without WWW-Authenticate", c.name)
					}
				}
			}
		}
		// A write without a token is refused before anything is read or stored.
		if r := e.request("", "POST", "/api/v1/domains", domainBody("portal.anon.example")); r.Status != http.StatusUnauthorized {
			t.Errorf("anonymous create: %d", r.Status)
		}
		if got := items(t, e.must(200, "GET", "/api/v1/domains", nil)); len(got) != 0 {
			t.Errorf("anonymous create stored %v", got)
		}
		// Unknown endpoints answer JSON 404, but only to a caller with a token.
		r := e.request(e.owner, "GET", "/api/v1/nothing-here", nil)
		if code, _ := r.errorFields(t); r.Status != http.StatusNotFound || code != portico.ENOTFOUND {
			t.Errorf("unknown endpoint: %d %s", r.Status, r.Body)
		}
		if r := e.request("", "GET", "/api/v1/nothing-here", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("unknown endpoint without token: %d", r.Status)
		}
	})
}

func TestSupportRoleReadsButCannotWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		cust := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": dom, "status": "pending_approval"}))
		carr := id(t, e.must(201, "POST", "/api/v1/carriers", customerBody("Initech Carrier")))
		con := id(t, e.must(201, "POST", pathf("/api/v1/customers/%d/contacts", cust),
			map[string]any{"name": "Ann", "email": "ann@globex.example", "auto_generate_password": true}))

		reads := []string{
			"/api/v1/domains", pathf("/api/v1/domains/%d", dom),
			"/api/v1/customers", pathf("/api/v1/customers/%d", cust), pathf("/api/v1/customers/%d/contacts", cust),
			"/api/v1/carriers", pathf("/api/v1/carriers/%d", carr), pathf("/api/v1/carriers/%d/contacts", carr),
			pathf("/api/v1/contacts/%d", con), "/api/v1/emails",
		}
		before := map[string]string{}
		for _, p := range reads {
			r := e.request(e.support, "GET", p, nil)
			if r.Status != http.StatusOK {
				t.Errorf("support GET %s = %d: %s", p, r.Status, r.Body)
			}
			before[p] = string(r.Body)
		}

		writes := []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/domains", domainBody("portal.other.example")},
			{"PATCH", pathf("/api/v1/domains/%d", dom), map[string]any{"brand_name": "Hacked"}},
			{"DELETE", pathf("/api/v1/domains/%d", dom), nil},
			{"PUT", pathf("/api/v1/domains/%d/logo", dom), string(pngOfWidth(t, 10))},
			{"DELETE", pathf("/api/v1/domains/%d/logo", dom), nil},
			{"POST", "/api/v1/customers", customerBody("Umbrella")},
			{"PATCH", pathf("/api/v1/customers/%d", cust), map[string]any{"name": "Hacked"}},
			{"POST", pathf("/api/v1/customers/%d/approve", cust), nil},
			{"POST", pathf("/api/v1/customers/%d/reject", cust), nil},
			{"DELETE", pathf("/api/v1/customers/%d", cust), nil},
			{"POST", "/api/v1/carriers", customerBody("Hooli")},
			{"PATCH", pathf("/api/v1/carriers/%d", carr), map[string]any{"notes": "x"}},
			{"DELETE", pathf("/api/v1/carriers/%d", carr), nil},
			{"POST", pathf("/api/v1/customers/%d/contacts", cust), map[string]any{"name": "Bob", "email": "bob@globex.example", "password": "a fine long password"}},
			{"POST", pathf("/api/v1/carriers/%d/contacts", carr), map[string]any{"name": "Bob", "email": "bob@initech.example", "password": "a fine long password"}},
			{"PATCH", pathf("/api/v1/contacts/%d", con), map[string]any{"name": "Hacked"}},
			{"POST", pathf("/api/v1/contacts/%d/password", con), map[string]any{"auto_generate_password": true}},
			{"DELETE", pathf("/api/v1/contacts/%d", con), nil},
			// Even a malformed body gets 403: the role is checked first.
			{"POST", "/api/v1/domains", "{not json"},
		}
		for _, w := range writes {
			r := e.request(e.support, w.method, w.path, w.body)
			if code, _ := r.errorFields(t); r.Status != http.StatusForbidden || code != portico.EFORBIDDEN {
				t.Errorf("support %s %s = %d, want 403: %s", w.method, w.path, r.Status, r.Body)
			}
		}
		for _, p := range reads {
			if r := e.request(e.support, "GET", p, nil); string(r.Body) != before[p] {
				t.Errorf("GET %s changed after refused writes:\nbefore %s\nafter  %s", p, before[p], r.Body)
			}
		}
	})
}
