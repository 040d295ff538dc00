package portal

import (
	"context"
	"net/http"
	"strings"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// visit is what a handler knows about the request beyond net/http: the
// brand of its host and, on pages behind login, the contact.
type visit struct {
	Brand *portico.Domain
	User  *app.PortalUser // nil on public pages
	Path  string
}

// handlerFunc is a portal handler; a returned error is rendered by fail.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v *visit) error

type brandKey struct{}

func withBrand(ctx context.Context, d *portico.Domain) context.Context {
	return context.WithValue(ctx, brandKey{}, d)
}

// public serves fn to anyone on the brand's host.
func (h *Handler) public(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{Brand: r.Context().Value(brandKey{}).(*portico.Domain), Path: r.URL.Path}
		if err := fn(w, r, v); err != nil {
			h.fail(w, r, v, err)
		}
	})
}

// private serves fn to a contact logged in on this brand; others are sent
// to the login page. While a password change is forced, every page but
// /password (and POST /logout, which is public) leads there; while the
// brand or account requires two-factor the contact has not set up, every
// page but /security does. A read-only support session may only look.
func (h *Handler) private(fn handlerFunc) http.Handler {
	return h.public(func(w http.ResponseWriter, r *http.Request, v *visit) error {
		u, err := h.svc.PortalSession(r.Context(), v.Brand, sessionToken(r), httpx.ClientIP(r))
		if err == app.ErrMFAPending {
			http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
			return nil
		}
		if portico.ErrorCode(err) == portico.EUNAUTHORIZED {
			clearSession(w, r)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		} else if err != nil {
			return err
		}
		v.User = u
		if u.ReadOnly() && r.Method != http.MethodGet && r.Method != http.MethodHead {
			return portico.Errorf(portico.EFORBIDDEN, "This support session is read-only.")
		}
		if u.Contact().MustChangePassword && u.Support() == nil && r.URL.Path != "/password" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return nil
		}
		if u.MustEnrolMFA() && !u.Contact().MustChangePassword && !strings.HasPrefix(r.URL.Path, "/security") {
			http.Redirect(w, r, "/security", http.StatusSeeOther)
			return nil
		}
		return fn(w, r, v)
	})
}

// fail renders err: a branded page with the error's status and plain
// message. Internal errors are logged and shown only as "Internal error."
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	httpx.LogIfInternal(h.log, r, err)
	httpx.SetRetryAfter(w, err)
	code := portico.ErrorCode(err)
	title := "Something went wrong"
	switch code {
	case portico.ENOTFOUND:
		title = "Not found"
	case portico.EFORBIDDEN:
		title = "Not allowed"
	case portico.ETOOMANY:
		title = "Please wait"
	}
	h.render(w, r, httpx.Status(code), "message", h.page(v, title, message{Text: portico.ErrorMessage(err)}))
}

// plainError answers without any brand: for hosts that name none.
func plainError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	text := "Not found"
	if status != http.StatusNotFound {
		text = "Internal error"
	}
	w.Write([]byte("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + text +
		"</title></head><body><main><h1>" + text + "</h1></main></body></html>\n"))
}
