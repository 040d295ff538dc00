package httpx

import (
	"net/http"
	"regexp"
	"strings"

	"portico/internal/portico"
)

// Policy says who may call a route. Every route of the panel, the portal
// and the API is registered with one, through Mux; the route table test
// (internal/web) fails for a route whose policy is missing or unknown, and
// checks each route behaves as its policy says.
type Policy string

// The policies.
const (
	// Public: anyone (login forms, static files, emailed links).
	Public Policy = "public"
	// Operator: a logged-in control-panel user of any role.
	Operator Policy = "operator"
	// OperatorWrite: a logged-in owner or admin; support gets 403.
	OperatorWrite Policy = "operator-write"
	// OperatorOwner: a logged-in owner (operator user management); admin
	// and support get 403.
	OperatorOwner Policy = "operator-owner"
	// APIRead: a bearer token of any role.
	APIRead Policy = "api-read"
	// APIWrite: a bearer token of an owner or admin; support gets 403.
	APIWrite Policy = "api-write"
	// Contact: a contact logged into this brand's portal.
	Contact Policy = "contact"
	// Pending: a login waiting for its second factor (the code form).
	Pending Policy = "pending"
)

// SectionPolicy is a contact logged in whose account may see section;
// others get 404, as if the route did not exist.
func SectionPolicy(s portico.Section) Policy { return Policy("section:" + string(s)) }

// Section returns the section a policy names, or "".
func (p Policy) Section() portico.Section {
	s, ok := strings.CutPrefix(string(p), "section:")
	if !ok {
		return ""
	}
	return portico.Section(s)
}

// Known reports whether p is one of the policies above.
func (p Policy) Known() bool {
	switch p {
	case Public, Operator, OperatorWrite, OperatorOwner, APIRead, APIWrite, Contact, Pending:
		return true
	}
	return portico.ValidSection(p.Section())
}

// Route is one registered route: its ServeMux pattern, its policy, and
// the query parameters that name rows (keyset cursors), which the
// two-account sweep checks along with the pattern's {wildcards}.
type Route struct {
	Pattern string
	Policy  Policy
	Cursors []string
}

// Method returns the pattern's method ("" when it has none).
func (r Route) Method() string {
	m, _, ok := strings.Cut(r.Pattern, " ")
	if !ok {
		return ""
	}
	return m
}

// Path returns the pattern without its method.
func (r Route) Path() string {
	_, p, ok := strings.Cut(r.Pattern, " ")
	if !ok {
		return r.Pattern
	}
	return p
}

var wildcardRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)(?:\.\.\.)?\}`)

// Wildcards lists the names of the pattern's path wildcards.
func (r Route) Wildcards() []string {
	var out []string
	for _, m := range wildcardRE.FindAllStringSubmatch(r.Path(), -1) {
		out = append(out, m[1])
	}
	return out
}

// Mux is an http.ServeMux whose only way to add a route is with a policy,
// and which remembers every route for the tests that sweep them.
type Mux struct {
	mux    *http.ServeMux
	routes []Route
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{mux: http.NewServeMux()} }

// Handle registers h for pattern under policy; cursors name the query
// parameters of the route that carry row ids.
func (m *Mux) Handle(pattern string, policy Policy, h http.Handler, cursors ...string) {
	m.routes = append(m.routes, Route{Pattern: pattern, Policy: policy, Cursors: cursors})
	m.mux.Handle(pattern, h)
}

// ServeHTTP dispatches to the matching route.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }

// Routes lists every registered route in registration order.
func (m *Mux) Routes() []Route { return append([]Route(nil), m.routes...) }

// RouteLister is implemented by every surface (panel, portal, API), so the
// route table test can walk all routes of the product.
type RouteLister interface {
	Routes() []Route
}
