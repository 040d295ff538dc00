// Package api serves the operator JSON API v1 under /api/v1/: portal
// domains, customers, carriers, their contacts and the email log. Callers
// authenticate with an API token (Authorization: Bearer …); every use case
// runs through app.Service, so the API and the control panel share one set
// of rules, roles and audit entries.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// api holds what every handler needs.
type api struct {
	svc *app.Service
	log *slog.Logger
	mux *httpx.Mux
}

// handlerFunc is an API handler: it gets the authenticated operator and
// returns an error instead of writing one, so that errors are mapped to a
// status and a JSON body in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request, actor app.Actor) error

// New returns the handler for every /api/v1 route, at its full path.
func New(svc *app.Service, log *slog.Logger) http.Handler {
	a := &api{svc: svc, log: log, mux: httpx.NewMux()}

	a.handle("GET /api/v1/domains", a.listDomains)
	a.handle("POST /api/v1/domains", a.createDomain)
	a.handle("GET /api/v1/domains/{id}", a.getDomain)
	a.handle("PATCH /api/v1/domains/{id}", a.updateDomain)
	a.handle("DELETE /api/v1/domains/{id}", a.deleteDomain)
	a.handle("PUT /api/v1/domains/{id}/logo", a.putDomainLogo)
	a.handle("DELETE /api/v1/domains/{id}/logo", a.deleteDomainLogo)
	a.handle("POST /api/v1/domains/{id}/verify", a.verifyDomain)
	a.handle("PUT /api/v1/domains/{id}/certificate", a.putDomainCertificate)
	a.handle("DELETE /api/v1/domains/{id}/certificate", a.deleteDomainCertificate)

	for _, acc := range []accounts{{a, portico.KindCustomer, "customers"}, {a, portico.KindCarrier, "carriers"}} {
		base := "/api/v1/" + acc.plural
		a.handle("GET "+base, acc.list)
		a.handle("POST "+base, acc.create)
		a.handle("GET "+base+"/{id}", acc.get)
		a.handle("PATCH "+base+"/{id}", acc.update)
		a.handle("DELETE "+base+"/{id}", acc.delete)
		a.handle("POST "+base+"/{id}/approve", acc.approve)
		a.handle("POST "+base+"/{id}/reject", acc.reject)
		a.handle("GET "+base+"/{id}/contacts", acc.listContacts)
		a.handle("POST "+base+"/{id}/contacts", acc.createContact)
	}

	a.handle("GET /api/v1/contacts/{id}", a.getContact)
	a.handle("PATCH /api/v1/contacts/{id}", a.updateContact)
	a.handle("DELETE /api/v1/contacts/{id}", a.deleteContact)
	a.handle("POST /api/v1/contacts/{id}/password", a.setContactPassword)

	a.handle("GET /api/v1/emails", a.listEmails)

	a.billingRoutes()

	// Anything else under the prefix answers in JSON like the rest of the
	// API rather than with the mux's plain-text 404/405, and only after
	// authentication so that the route list is not probed anonymously.
	a.handle("/api/v1/", func(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
		return portico.Errorf(portico.ENOTFOUND, "No such API endpoint: %s %s.", r.Method, r.URL.Path)
	})
	return a.mux
}

// handle registers h for pattern behind authentication and the one error
// writer.
func (a *api) handle(pattern string, h handlerFunc) {
	// Every API route authenticates; reads take any role and every other
	// method owner or admin (authenticate enforces both).
	policy := httpx.APIWrite
	if m, _, _ := strings.Cut(pattern, " "); m == http.MethodGet || m == http.MethodHead || !strings.Contains(pattern, " ") {
		policy = httpx.APIRead
	}
	a.mux.Handle(pattern, policy, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = httpx.WithClient(r)
		// Responses carry customer data; no cache along the way may keep them.
		w.Header().Set("Cache-Control", "no-store")
		actor, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, actor)
		}
		if err != nil {
			if portico.ErrorCode(err) == portico.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="portico"`)
			}
			httpx.WriteJSONError(a.log, w, r, err)
		}
	}))
}

// authenticate resolves the bearer token to an operator. A read-only role is
// refused every non-GET request here, before the body is read, so that it
// gets 403 whatever it sends (app checks the role again for each write).
func (a *api) authenticate(r *http.Request) (app.Actor, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		token = ""
	}
	u, err := a.svc.APIUser(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return app.Actor{}, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !u.CanWrite() {
		return app.Actor{}, portico.Errorf(portico.EFORBIDDEN, "Your role (%s) is read-only.", u.Role)
	}
	return app.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, IP: httpx.ClientIP(r)}, nil
}
