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
	"time"

	"portico/internal/app"
	"portico/internal/portico"
)

// Handler is the portal for every brand. It needs no background goroutine:
// the brand map checks the store's change counter on each request.
type Handler struct {
	svc    *app.Service
	log    *slog.Logger
	brands *app.Brands
	mux    *http.ServeMux
	// Forms that send email to a typed address are throttled per client
	// address, so the portal cannot be used to flood a mailbox.
	signups, resets *ipLimiter
}

// New returns the portal handler. The caller wraps it with
// http.CrossOriginProtection and httpx.SecurityHeaders and answers
// /healthz before it.
func New(svc *app.Service, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, log: log, brands: svc.NewBrands(), mux: http.NewServeMux(),
		signups: newIPLimiter(5, 10*time.Minute), resets: newIPLimiter(5, 10*time.Minute)}
	h.routes()
	return h
}

func (h *Handler) routes() {
	m := h.mux
	m.Handle("GET /static/", h.public(serveStatic))
	m.Handle("GET /brand.css", h.public(h.brandCSS))
	m.Handle("GET /logo", h.public(h.logo))

	m.Handle("GET /login", h.public(h.loginForm))
	m.Handle("POST /login", h.public(h.login))
	m.Handle("POST /logout", h.public(h.logout))
	m.Handle("GET /forgot", h.public(h.forgotForm))
	m.Handle("POST /forgot", h.public(h.forgot))
	m.Handle("GET /reset", h.public(h.resetForm))
	m.Handle("POST /reset", h.public(h.reset))
	m.Handle("GET /signup", h.public(h.signupForm(portico.KindCustomer)))
	m.Handle("POST /signup", h.public(h.signup(portico.KindCustomer)))
	m.Handle("GET /signup/carrier", h.public(h.signupForm(portico.KindCarrier)))
	m.Handle("POST /signup/carrier", h.public(h.signup(portico.KindCarrier)))
	m.Handle("GET /verify", h.public(h.verifyForm))
	m.Handle("POST /verify", h.public(h.verify))

	m.Handle("GET /{$}", h.private(h.dashboard))
	m.Handle("GET /profile", h.private(h.profileForm))
	m.Handle("POST /profile", h.private(h.profile))
	m.Handle("GET /password", h.private(h.passwordForm))
	m.Handle("POST /password", h.private(h.password))
	for _, s := range sectionPages {
		m.Handle("GET "+s.Path, h.section(s))
	}
	m.Handle("/", h.public(func(http.ResponseWriter, *http.Request, *visit) error {
		return portico.Errorf(portico.ENOTFOUND, "Page not found.")
	}))
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
	h.mux.ServeHTTP(w, r.WithContext(withBrand(r.Context(), brand)))
}
