// Package httpx holds what every HTTP surface shares: handlers that return
// errors, the one mapping from error codes to statuses, JSON output, the
// client address and security headers.
package httpx

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"

	"portico/internal/portico"
)

// Status maps a portico error code to an HTTP status.
func Status(code string) int {
	switch code {
	case portico.EINVALID:
		return http.StatusUnprocessableEntity
	case portico.ECONFLICT:
		return http.StatusConflict
	case portico.ENOTFOUND:
		return http.StatusNotFound
	case portico.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case portico.EFORBIDDEN:
		return http.StatusForbidden
	case portico.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// LogIfInternal logs err when it is an internal error (the only kind worth
// an operator's attention); user errors are not logged.
func LogIfInternal(log *slog.Logger, r *http.Request, err error) {
	if portico.ErrorCode(err) == portico.EINTERNAL {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// SetRetryAfter sets Retry-After for throttling errors.
func SetRetryAfter(w http.ResponseWriter, err error) {
	if e, ok := err.(*portico.Error); ok && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// ErrorBody is the JSON error shape: {"error": {"code", "message", "fields"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// WriteJSONError writes err in the JSON error shape with its status.
func WriteJSONError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	LogIfInternal(log, r, err)
	SetRetryAfter(w, err)
	code := portico.ErrorCode(err)
	WriteJSON(w, Status(code), ErrorBody{Error: ErrorDetail{Code: code, Message: portico.ErrorMessage(err), Fields: portico.ErrorFields(err)}})
}

// ClientIP returns the address of the peer. Proxy headers are not read
// here: a header anyone can set must not decide allowlists or throttling.
// Behind a configured trusted proxy, TrustedProxies has already put the
// forwarded client address in RemoteAddr.
func ClientIP(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ap.Addr().Unmap().String()
}

// SecurityHeaders sets the headers every response carries, errors
// included, before any handler runs: a CSP with no inline script, no
// framing, no sniffing, a strict referrer policy, and HSTS when the client
// is on HTTPS (directly, or through a trusted proxy).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if IsHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
