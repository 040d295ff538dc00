package panel

import (
	"net/http"
	"net/url"

	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// cookieName is the panel session cookie. It is host-only (no Domain), so
// it never reaches brand domains that share a parent domain.
const cookieName = "portico_panel"

// sessionUser returns the user behind the request's session cookie.
func (p *panel) sessionUser(r *http.Request) (*portico.User, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Your session has ended; please log in again.")
	}
	return p.svc.PanelUser(r.Context(), c.Value, httpx.ClientIP(r))
}

func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	return ""
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: httpx.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
}

func (p *panel) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := p.sessionUser(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return p.render(w, r, http.StatusOK, "login", &view{Title: "Log in", Form: url.Values{"next": {next}}})
}

// handleLogin answers every failed login with the one message app gives,
// whatever the cause; throttling (429 with Retry-After) shows the form too.
func (p *panel) handleLogin(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	email, next := r.PostForm.Get("email"), safeNext(r.PostForm.Get("next"))
	login, err := p.svc.LoginUser(r.Context(), email, r.PostForm.Get("password"), httpx.ClientIP(r), sessionToken(r))
	if err != nil {
		code := portico.ErrorCode(err)
		if code != portico.EUNAUTHORIZED && code != portico.ETOOMANY {
			return err
		}
		httpx.SetRetryAfter(w, err)
		v := &view{Title: "Log in", Error: portico.ErrorMessage(err), Form: url.Values{"email": {email}, "next": {next}}}
		return p.render(w, r, httpx.Status(code), "login", v)
	}
	setSessionCookie(w, r, login.Token, 0)
	if login.NeedsMFA {
		http.Redirect(w, r, "/login/2fa?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleMFAForm asks for the second factor of a login whose password was
// right; the session it finishes is in the cookie.
func (p *panel) handleMFAForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if sessionToken(r) == "" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	return p.render(w, r, http.StatusOK, "login_2fa", &view{Title: "Two-factor authentication", Form: url.Values{"next": {next}}})
}

// handleMFA checks the code and swaps the waiting session for a full one.
func (p *panel) handleMFA(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	next := safeNext(r.PostForm.Get("next"))
	token, err := p.svc.CompleteUserMFA(r.Context(), sessionToken(r), r.PostForm.Get("code"), httpx.ClientIP(r))
	if err != nil {
		code := portico.ErrorCode(err)
		if code == portico.EUNAUTHORIZED {
			setSessionCookie(w, r, "", -1)
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		if code != portico.EINVALID && code != portico.ETOOMANY {
			return err
		}
		httpx.SetRetryAfter(w, err)
		v := &view{Title: "Two-factor authentication", Error: portico.ErrorMessage(err), Fields: portico.ErrorFields(err),
			Form: url.Values{"next": {next}}}
		return p.render(w, r, httpx.Status(code), "login_2fa", v)
	}
	setSessionCookie(w, r, token, 0)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (p *panel) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if err := p.svc.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// handleSetupForm shows the first-owner form for a live setup link. Only
// the POST consumes the link, so a mail or chat preview fetching the URL
// does not use it up.
func (p *panel) handleSetupForm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if err := p.svc.CheckSetupToken(r.Context(), token); err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "setup", &view{Title: "Create the first owner", Form: url.Values{"token": {token}}})
}

// handleSetup creates the first owner and logs them straight in.
func (p *panel) handleSetup(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := r.PostForm
	u := &portico.User{Email: f.Get("email"), Name: f.Get("name")}
	password := f.Get("password")
	// The form carries the token; a POST to the link itself works too.
	if err := p.svc.CompleteSetup(r.Context(), r.FormValue("token"), u, password); err != nil {
		return p.formError(w, r, err, "setup", &view{Title: "Create the first owner"})
	}
	login, err := p.svc.LoginUser(r.Context(), u.Email, password, httpx.ClientIP(r), sessionToken(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, r, login.Token, 0)
	return seeOther(w, r, "/", "welcome")
}
