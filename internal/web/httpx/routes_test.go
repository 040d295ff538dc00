package httpx

import (
	"net/http"
	"testing"

	"portico/internal/portico"
)

// The route table rejects what the route test must catch: a route with no
// policy, or one nobody defined.
func TestPolicies(t *testing.T) {
	m := NewMux()
	m.Handle("GET /a", Public, http.NotFoundHandler())
	m.Handle("GET /b/{id}/c/{x}", "", http.NotFoundHandler(), "before")
	m.Handle("POST /d", "admin", http.NotFoundHandler())
	m.Handle("GET /e", SectionPolicy(portico.SectionCDR), http.NotFoundHandler())
	m.Handle("GET /f", SectionPolicy("nonsense"), http.NotFoundHandler())
	known := map[string]bool{}
	for _, r := range m.Routes() {
		known[r.Pattern] = r.Policy.Known()
	}
	want := map[string]bool{"GET /a": true, "GET /b/{id}/c/{x}": false, "POST /d": false, "GET /e": true, "GET /f": false}
	for p, k := range want {
		if known[p] != k {
			t.Errorf("%s: known %v, want %v", p, known[p], k)
		}
	}
	r := m.Routes()[1]
	if w := r.Wildcards(); len(w) != 2 || w[0] != "id" || w[1] != "x" || r.Method() != "GET" || r.Path() != "/b/{id}/c/{x}" || r.Cursors[0] != "before" {
		t.Errorf("route %+v: wildcards %v", r, w)
	}
	if SectionPolicy(portico.SectionCDR).Section() != portico.SectionCDR || Operator.Section() != "" {
		t.Error("Section() of policies")
	}
}
