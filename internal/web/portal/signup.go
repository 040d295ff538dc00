package portal

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// signupPage is the data of the signup form.
type signupPage struct {
	Kind       portico.AccountKind
	Currencies []string // a choice is shown only when there are several
}

var signupFields = []string{"company_name", "name", "email", "currency", "accept_terms"}

func signupTitle(kind portico.AccountKind) string {
	if kind == portico.KindCarrier {
		return "Sign up as a carrier"
	}
	return "Sign up"
}

// signupPageFor builds the form page, or ENOTFOUND when the brand takes no
// signups of kind: the page then does not exist at all.
func (h *Handler) signupPageFor(r *http.Request, v *visit, kind portico.AccountKind, f *form) (*page, error) {
	if !app.SignupOpen(v.Brand, kind) {
		return nil, portico.Errorf(portico.ENOTFOUND, "Page not found.")
	}
	offered, def, err := h.svc.SignupCurrencies(r.Context(), v.Brand)
	if err != nil {
		return nil, err
	}
	if f.Values.Get("currency") == "" {
		f.Values.Set("currency", def)
	}
	return h.page(v, signupTitle(kind), signupPage{Kind: kind, Currencies: offered}).withForm(f), nil
}

func (h *Handler) signupForm(kind portico.AccountKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		p, err := h.signupPageFor(r, v, kind, formFrom(r))
		if err != nil {
			return err
		}
		h.render(w, r, http.StatusOK, "signup", p)
		return nil
	}
}

// signup answers "check your email" both when it created the account and
// when the address already had a login (which only its owner is told).
func (h *Handler) signup(kind portico.AccountKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		p, err := h.signupPageFor(r, v, kind, formFrom(r, signupFields...))
		if err != nil {
			return err
		}
		err = h.svc.Signup(r.Context(), v.Brand, app.SignupInput{Kind: kind,
			CompanyName: r.PostFormValue("company_name"), Name: r.PostFormValue("name"),
			Email: r.PostFormValue("email"), Password: r.PostFormValue("password"),
			Currency: r.PostFormValue("currency"), AcceptTerms: r.PostFormValue("accept_terms") != ""}, httpx.ClientIP(r))
		if err != nil {
			return h.formError(w, r, p, "signup", err)
		}
		h.render(w, r, http.StatusOK, "message", h.page(v, "Check your email", message{
			Text: "Thank you. We have sent a message to " + portico.NormalizeEmail(r.PostFormValue("email")) +
				". Confirm your address with the link in it. We review every new account and will email you as soon as yours is approved; you can log in from then on."}))
		return nil
	}
}

// verifyForm shows a button without using the link: mail scanners fetch
// links, and only the POST consumes it.
func (h *Handler) verifyForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.URL.Query().Get("token")
	if err := h.svc.CheckVerifyLink(r.Context(), v.Brand, token); err != nil {
		return h.badLink(w, r, v, err, "/login", "Go to log in")
	}
	h.render(w, r, http.StatusOK, "verify", h.page(v, "Confirm your email address", nil).withForm(&form{Action: "/verify?token=" + token}))
	return nil
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := h.svc.VerifyEmail(r.Context(), v.Brand, r.FormValue("token"), httpx.ClientIP(r)); err != nil {
		return h.badLink(w, r, v, err, "/login", "Go to log in")
	}
	h.render(w, r, http.StatusOK, "message", h.page(v, "Email address confirmed", message{
		Text: "Thank you: your email address is confirmed.", LinkURL: "/login", LinkText: "Go to log in"}))
	return nil
}
