package portal

import (
	"net/http"

	"portico/internal/web/httpx"
)

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	h.render(w, r, http.StatusOK, "login", h.page(v, "Log in", nil).withForm(&form{}))
	return nil
}

// login answers every refusal with 401, the form and one message, keeping
// the typed email; success rotates the session cookie.
func (h *Handler) login(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := formFrom(r, "email")
	res, err := h.svc.LoginContact(r.Context(), v.Brand, r.PostFormValue("email"), r.PostFormValue("password"),
		httpx.ClientIP(r), sessionToken(r))
	if err != nil {
		return h.formError(w, r, h.page(v, "Log in", nil).withForm(f), "login", err)
	}
	setSession(w, r, res.Token)
	next := "/"
	if res.MustChange {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, v *visit) error {
	if token := sessionToken(r); token != "" {
		if err := h.svc.Logout(r.Context(), token); err != nil {
			return err
		}
		clearSession(w, r)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
