// Package portal serves the white-label customer portal: every host that is
// not a control-panel host is resolved to a brand by exact match on its
// normalised name, and gets that brand's login, signup, dashboard and the
// sections its access settings allow. Nothing of the operator or of other
// brands is shown. Pages are server-rendered with no inline script or
// style, so the CSP can forbid both.
package portal

import (
	"log/slog"
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// Handler is the portal for every brand. It needs no background goroutine:
// the brand map checks the store's change counter on each request.
type Handler struct {
	svc    *app.Service
	log    *slog.Logger
	brands *app.Brands
	mux    *httpx.Mux
}

// New returns the portal handler. The caller wraps it with
// http.CrossOriginProtection and httpx.SecurityHeaders and answers
// /healthz before it.
func New(svc *app.Service, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, log: log, brands: svc.NewBrands(), mux: httpx.NewMux()}
	h.routes()
	return h
}

// Routes lists every portal route with its policy (for the route table
// and two-account tests).
func (h *Handler) Routes() []httpx.Route { return h.mux.Routes() }

func (h *Handler) routes() {
	m := h.mux
	// The helpers declare each route's policy and apply it.
	public := func(pattern string, fn handlerFunc) { m.Handle(pattern, httpx.Public, h.public(fn)) }
	private := func(pattern string, fn handlerFunc, cursors ...string) {
		m.Handle(pattern, httpx.Contact, h.private(fn), cursors...)
	}
	public("GET /static/", serveStatic)
	public("GET /brand.css", h.brandCSS)
	public("GET /logo", h.logo)

	public("GET /login", h.loginForm)
	public("POST /login", h.login)
	m.Handle("GET /login/2fa", httpx.Pending, h.public(h.mfaForm))
	m.Handle("POST /login/2fa", httpx.Pending, h.public(h.mfa))
	public("POST /logout", h.logout)
	public("GET /forgot", h.forgotForm)
	public("POST /forgot", h.forgot)
	public("GET /reset", h.resetForm)
	public("POST /reset", h.reset)
	public("GET /signup", h.signupForm(portico.KindCustomer))
	public("POST /signup", h.signup(portico.KindCustomer))
	public("GET /signup/carrier", h.signupForm(portico.KindCarrier))
	public("POST /signup/carrier", h.signup(portico.KindCarrier))
	public("GET /verify", h.verifyForm)
	public("POST /verify", h.verify)
	public("GET /support-session", h.supportForm)
	public("POST /support-session", h.support)

	private("GET /{$}", h.dashboard)
	private("GET /profile", h.profileForm)
	private("POST /profile", h.profile)
	private("GET /password", h.passwordForm)
	private("POST /password", h.password)
	private("GET /security", h.securityPage)
	private("POST /security/totp", h.totpBegin)
	private("POST /security/totp/confirm", h.totpConfirm)
	private("POST /security/totp/disable", h.totpDisable)
	private("POST /security/recovery-codes", h.recoveryCodes)
	private("GET /sessions", h.sessions)
	private("POST /sessions/{session}/end", h.sessionEnd)
	private("POST /sessions/end-others", h.sessionsEndOthers)
	private("GET /activity", h.activity, "before")
	h.sectionRoutes()
	public("/", func(http.ResponseWriter, *http.Request, *visit) error {
		return portico.Errorf(portico.ENOTFOUND, "Page not found.")
	})
}

// ServeHTTP resolves the request's brand from its Host, then routes it. An
// unknown host gets a plain 404 that names no brand.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	brand, err := h.brands.Lookup(r.Context(), r.Host)
	if err != nil {
		status := http.StatusNotFound
		if portico.ErrorCode(err) != portico.ENOTFOUND {
			h.log.Error("resolve portal brand", "host", r.Host, "err", err)
			status = http.StatusInternalServerError
		}
		plainError(w, status)
		return
	}
	r = httpx.WithClient(r)
	h.mux.ServeHTTP(w, r.WithContext(withBrand(r.Context(), brand)))
}
