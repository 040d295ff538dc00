package portal

import (
	"net/http"

	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// passwordPage carries whether the change is forced (a generated password).
type passwordPage struct{ Forced bool }

func (h *Handler) passwordPageFor(v *visit) *page {
	return h.page(v, "Change password", passwordPage{Forced: v.User.Contact().MustChangePassword})
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	h.render(w, r, http.StatusOK, "password", h.passwordPageFor(v).withForm(&form{}))
	return nil
}

// password changes the contact's password; every other session ends and
// this one is replaced by a new cookie.
func (h *Handler) password(w http.ResponseWriter, r *http.Request, v *visit) error {
	token, err := h.svc.ChangeContactPassword(r.Context(), v.User, r.PostFormValue("current_password"),
		r.PostFormValue("new_password"), httpx.ClientIP(r))
	if err != nil {
		return h.formError(w, r, h.passwordPageFor(v).withForm(&form{}), "password", err)
	}
	setSession(w, r, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	h.render(w, r, http.StatusOK, "forgot", h.page(v, "Reset your password", nil).withForm(&form{}))
	return nil
}

// forgot gives the same answer whether or not the address has a login here.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := formFrom(r, "email")
	p := h.page(v, "Reset your password", nil).withForm(f)
	if err := h.svc.RequestPasswordReset(r.Context(), v.Brand, r.PostFormValue("email"), httpx.ClientIP(r)); err != nil {
		return h.formError(w, r, p, "forgot", err)
	}
	h.render(w, r, http.StatusOK, "message", h.page(v, "Check your email", message{
		Text:    "If " + portico.NormalizeEmail(r.PostFormValue("email")) + " has a login here, we have sent it a link to choose a new password. The link works once, within 30 minutes.",
		LinkURL: "/login", LinkText: "Back to log in"}))
	return nil
}

// resetPage is the reset form; the token stays in the URL the form posts to.
func (h *Handler) resetPage(v *visit, token string) *page {
	return h.page(v, "Choose a new password", nil).withForm(&form{Action: "/reset?token=" + token})
}

// resetForm shows the form without using the link: mail scanners fetch
// links, and only the POST consumes it.
func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.URL.Query().Get("token")
	if err := h.svc.CheckResetLink(r.Context(), v.Brand, token); err != nil {
		return h.badLink(w, r, v, err, "/forgot", "Ask for a new password link")
	}
	h.render(w, r, http.StatusOK, "reset", h.resetPage(v, token))
	return nil
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.FormValue("token")
	err := h.svc.ResetPassword(r.Context(), v.Brand, token, r.PostFormValue("password"), httpx.ClientIP(r))
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return h.badLink(w, r, v, err, "/forgot", "Ask for a new password link")
	} else if err != nil {
		return h.formError(w, r, h.resetPage(v, token), "reset", err)
	}
	h.render(w, r, http.StatusOK, "message", h.page(v, "Password changed", message{
		Text: "Your new password is set. Use it to log in.", LinkURL: "/login", LinkText: "Log in"}))
	return nil
}

// badLink explains a used or expired emailed link and points onward.
func (h *Handler) badLink(w http.ResponseWriter, r *http.Request, v *visit, err error, onward, onwardText string) error {
	if portico.ErrorCode(err) != portico.ENOTFOUND {
		return err
	}
	h.render(w, r, http.StatusNotFound, "message", h.page(v, "Link not usable", message{
		Text: portico.ErrorMessage(err), LinkURL: onward, LinkText: onwardText}))
	return nil
}
