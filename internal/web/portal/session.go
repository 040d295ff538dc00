package portal

import (
	"net/http"

	"portico/internal/web/httpx"
)

// cookieName holds the portal session token. The cookie is host-only (no
// Domain attribute), so it never reaches another brand's host; the server
// also checks the session's brand on every request.
const cookieName = "portico_session"

func sessionToken(r *http.Request) string {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// setSession stores a session token in a cookie that lives as long as the
// browser session; the server enforces the idle and absolute limits.
func setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
		Secure: httpx.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	if sessionToken(r) == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: httpx.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
}
