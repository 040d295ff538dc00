// Package panel serves the operator's control panel: server-rendered HTML
// pages for portal domains, customers, carriers, their contacts, rate
// cards, CDRs, payments and the ledger, the email log and the audit log.
// Every rule (roles, validation, mail, audit) lives in app; this package
// turns forms into calls and errors into pages.
package panel

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// handler is a page handler: it writes a response or returns an error,
// which serve turns into an error page.
type handler func(w http.ResponseWriter, r *http.Request) error

type panel struct {
	svc   *app.Service
	log   *slog.Logger
	pages map[string]*template.Template
}

// New returns the control panel, serving its routes at root paths. The
// caller wraps it with cross-origin protection and security headers, so
// forms carry no CSRF tokens; no route changes state on GET.
func New(svc *app.Service, log *slog.Logger) http.Handler {
	p := &panel{svc: svc, log: log, pages: parsePages()}
	mux := httpx.NewMux()
	// Each helper declares the route's policy and applies it, so what the
	// route table says is what the route does.
	public := func(pattern string, h handler) { mux.Handle(pattern, httpx.Public, p.serve(h)) }
	private := func(pattern string, h handler) { mux.Handle(pattern, httpx.Operator, p.serve(p.requireUser(h))) }
	// write routes are writes (every POST) or forms that exist only to make
	// one; read-only roles get 403 before any parsing, whatever they send.
	write := func(pattern string, h handler) {
		mux.Handle(pattern, httpx.OperatorWrite, p.serve(p.requireUser(requireWrite(h))))
	}
	// owner routes manage operator users: admin and support get 403.
	owner := func(pattern string, h handler) {
		mux.Handle(pattern, httpx.OperatorOwner, p.serve(p.requireUser(requireOwner(h))))
	}

	mux.Handle("GET /static/", httpx.Public, staticHandler())
	public("/", func(http.ResponseWriter, *http.Request) error {
		return portico.Errorf(portico.ENOTFOUND, "There is no such page.")
	})
	public("GET /login", p.handleLoginForm)
	public("POST /login", p.handleLogin)
	mux.Handle("GET /login/2fa", httpx.Pending, p.serve(p.handleMFAForm))
	mux.Handle("POST /login/2fa", httpx.Pending, p.serve(p.handleMFA))
	public("POST /logout", p.handleLogout)
	public("GET /setup", p.handleSetupForm)
	public("POST /setup", p.handleSetup)

	private("GET /{$}", p.handleDashboard)
	private("GET /pending", p.handlePending)

	private("GET /domains", p.handleDomainList)
	write("GET /domains/new", p.handleDomainNew)
	write("POST /domains", p.handleDomainCreate)
	private("GET /domains/{id}", p.handleDomainView)
	write("POST /domains/{id}", p.handleDomainUpdate)
	private("GET /domains/{id}/logo", p.handleDomainLogo)
	write("GET /domains/{id}/delete", p.handleDomainDeleteConfirm)
	write("POST /domains/{id}/delete", p.handleDomainDelete)
	write("POST /domains/{id}/verify", p.handleDomainVerify)
	write("POST /domains/{id}/certificate", p.handleCertificateUpload)
	write("POST /domains/{id}/certificate/delete", p.handleCertificateDelete)
	private("GET /domains/{id}/security", p.handleDomainSecurity)
	write("POST /domains/{id}/require-2fa", p.handleDomainRequire2FA)

	for _, k := range kinds {
		a := accountPages{panel: p, kindInfo: k}
		private("GET "+k.Path, a.handleList)
		write("GET "+k.Path+"/new", a.handleNew)
		write("POST "+k.Path, a.handleCreate)
		private("GET "+k.Path+"/{id}", a.handleView)
		write("POST "+k.Path+"/{id}", a.handleUpdate)
		write("GET "+k.Path+"/{id}/delete", a.handleDeleteConfirm)
		write("POST "+k.Path+"/{id}/delete", a.handleDelete)
		write("POST "+k.Path+"/{id}/approve", a.handleApprove)
		write("POST "+k.Path+"/{id}/reject", a.handleReject)
		write("GET "+k.Path+"/{id}/contacts/new", a.handleContactNew)
		write("POST "+k.Path+"/{id}/contacts", a.handleContactCreate)
		private("GET "+k.Path+"/{id}/security", a.handleSecurity)
		private("GET "+k.Path+"/{id}/traffic", a.handleTraffic)
		write("POST "+k.Path+"/{id}/require-2fa", a.handleRequire2FA)
		write("POST "+k.Path+"/{id}/payments", a.handlePaymentCreate)
		write("POST "+k.Path+"/{id}/adjustments", a.handleAdjustmentCreate)
	}

	private("GET /ratecards", p.handleRateCardList)
	write("GET /ratecards/new", p.handleRateCardNew)
	write("POST /ratecards", p.handleRateCardCreate)
	private("GET /ratecards/{id}", p.handleRateCardView)
	write("POST /ratecards/{id}", p.handleRateCardUpdate)
	write("GET /ratecards/{id}/import", p.handleRateImportForm)
	write("POST /ratecards/{id}/import", p.handleRateImport)
	write("GET /ratecards/{id}/delete", p.handleRateCardDeleteConfirm)
	write("POST /ratecards/{id}/delete", p.handleRateCardDelete)

	private("GET /traffic", p.handleTrafficAll)
	private("GET /cdrs", p.handleCDRList)
	// Any role may download what it may list.
	private("GET /cdrs/export.csv", p.handleCDRExport)
	write("POST /cdrs/rate-unrated", p.handleRateUnrated)
	private("GET /payments", p.handlePaymentList)
	write("POST /payments/{id}/status", p.handlePaymentStatus)

	private("GET /contacts/{id}", p.handleContactView)
	write("POST /contacts/{id}", p.handleContactUpdate)
	write("GET /contacts/{id}/password", p.handleContactPasswordForm)
	write("POST /contacts/{id}/password", p.handleContactPassword)
	write("GET /contacts/{id}/delete", p.handleContactDeleteConfirm)
	write("POST /contacts/{id}/delete", p.handleContactDelete)
	private("GET /contacts/{id}/security", p.handleContactSecurity)
	write("POST /contacts/{id}/sessions/end", p.handleContactSessionsEnd)
	write("POST /contacts/{id}/mfa/reset", p.handleContactMFAReset)
	// Any role may look at the portal as a contact does; a read-only role
	// gets a read-only support session.
	private("POST /contacts/{id}/impersonate", p.handleContactImpersonate)

	owner("GET /users", p.handleUserList)
	owner("GET /users/new", p.handleUserNew)
	owner("POST /users", p.handleUserCreate)
	owner("GET /users/{id}", p.handleUserView)
	owner("POST /users/{id}", p.handleUserUpdate)
	owner("GET /users/{id}/password", p.handleUserPasswordForm)
	owner("POST /users/{id}/password", p.handleUserPassword)
	owner("POST /users/{id}/mfa/reset", p.handleUserMFAReset)
	owner("POST /users/{id}/tokens/{token}/revoke", p.handleTokenRevoke)

	// Every role changes its own password.
	private("GET /password", p.handleOwnPasswordForm)
	private("POST /password", p.handleOwnPassword)
	private("GET /security", p.handleSecurity)
	private("POST /security/totp", p.handleTOTPBegin)
	private("POST /security/totp/confirm", p.handleTOTPConfirm)
	private("POST /security/totp/disable", p.handleTOTPDisable)
	private("POST /security/recovery-codes", p.handleRecoveryCodes)
	private("POST /security/ip-allowlist", p.handleIPAllowlist)

	private("GET /emails", p.handleEmails)
	mux.Handle("GET /audit", httpx.Operator, p.serve(p.requireUser(p.handleAudit)), "before")
	return mux
}

// serve adapts a handler: an error becomes a plain page with the status of
// its code; internal errors are logged and never shown in detail.
func (p *panel) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = httpx.WithClient(r)
		if err := h(w, r); err != nil {
			p.renderError(w, r, err)
		}
	})
}

type userKey struct{}

// requireUser lets only requests with a live panel session through. A GET
// without one is sent to the login page and comes back afterwards; any
// other method gets 401, since replaying a form after login is not safe.
func (p *panel) requireUser(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := p.sessionUser(r)
		if err == app.ErrMFAPending && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			http.Redirect(w, r, "/login/2fa?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		if err != nil {
			if portico.ErrorCode(err) == portico.EUNAUTHORIZED && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			return err
		}
		// Errors are rendered here, where the request knows its user, so
		// error pages keep the navigation.
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, u))
		if handled, err := mustChangeFirst(w, r, u); handled {
			if err != nil {
				p.renderError(w, r, err)
			}
			return nil
		}
		if err := h(w, r); err != nil {
			p.renderError(w, r, err)
		}
		return nil
	}
}

// userFrom returns the logged-in user, or nil on public pages.
func userFrom(ctx context.Context) *portico.User {
	u, _ := ctx.Value(userKey{}).(*portico.User)
	return u
}

// actor is who app records and authorises for this request.
func actor(r *http.Request) app.Actor {
	u := userFrom(r.Context())
	return app.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, IP: httpx.ClientIP(r)}
}

// requireWrite refuses read-only users. app refuses their writes too; this
// also keeps them from write-only forms and makes a POST answer 403 even
// when its form would not parse.
func requireWrite(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if u := userFrom(r.Context()); !u.CanWrite() {
			return portico.Errorf(portico.EFORBIDDEN, "Your role (%s) is read-only: you can look at everything but change nothing.", u.Role)
		}
		return h(w, r)
	}
}

// pathID reads the {id} of the route; anything but a positive integer names
// nothing that exists.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portico.Errorf(portico.ENOTFOUND, "There is no such page.")
	}
	return id, nil
}

// seeOther redirects after a successful POST, with a flash code the next
// page turns into a confirmation message.
func seeOther(w http.ResponseWriter, r *http.Request, path, flash string) error {
	if flash != "" {
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("flash", flash)
		u.RawQuery = q.Encode()
		path = u.String()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// safeNext returns next when it is a path on this host, else "/", so a
// crafted login link cannot send the operator to another site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') ||
		u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
