package portal

import (
	"net/http"

	"portico/internal/portico"
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
	switch {
	case res.NeedsMFA:
		next = "/login/2fa"
	case res.MustChange:
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) mfaForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if sessionToken(r) == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	h.render(w, r, http.StatusOK, "login_2fa", h.page(v, "Two-factor authentication", nil).withForm(&form{}))
	return nil
}

// mfa checks the second factor and swaps the waiting session for a full
// one; an expired or unknown waiting session starts the login over.
func (h *Handler) mfa(w http.ResponseWriter, r *http.Request, v *visit) error {
	res, err := h.svc.CompleteContactMFA(r.Context(), v.Brand, sessionToken(r), r.PostFormValue("code"), httpx.ClientIP(r))
	if portico.ErrorCode(err) == portico.EUNAUTHORIZED {
		clearSession(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	} else if err != nil {
		return h.formError(w, r, h.page(v, "Two-factor authentication", nil).withForm(&form{}), "login_2fa", err)
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
