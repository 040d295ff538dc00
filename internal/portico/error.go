// Package portico holds Portico's domain types, validation rules and error
// codes. It imports only the standard library and small x/ packages, so every
// other layer can depend on it without pulling in adapters.
package portico

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web layer.
const (
	EINVALID      = "invalid"           // 422: input failed validation
	ECONFLICT     = "conflict"          // 409: unique value already taken
	ENOTFOUND     = "not_found"         // 404
	EUNAUTHORIZED = "unauthorized"      // 401: no or bad credentials
	EFORBIDDEN    = "forbidden"         // 403: role not allowed
	ETOOMANY      = "too_many_requests" // 429
	EINTERNAL     = "internal"          // 500: never shown in detail to users
)

// Error is an error meant for users: a code, a plain message and, for
// validation, a message per field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// RetryAfter is set on ETOOMANY errors (seconds).
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects validation messages keyed by field name.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message, so the
// first (most basic) problem is the one reported.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no field errors, else an EINVALID *Error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: f}
}

// FieldError is a shortcut for a validation error on one field.
func FieldError(field, msg string) error {
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that no SQL or stack ever reaches a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field messages of a validation error, or nil.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
