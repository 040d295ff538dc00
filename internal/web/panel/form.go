package panel

import (
	"net/url"
	"strconv"
	"strings"

	"portico/internal/portico"
)

// Helpers that read typed values out of a form. Each records a field error
// in the user's words when the text cannot be read, so parse problems show
// next to the field like any other validation error.

// checked reports whether a checkbox was ticked.
func checked(f url.Values, name string) bool { return f.Get(name) != "" }

// setChecked marks a checkbox ticked in a form being filled from data.
func setChecked(f url.Values, name string, on bool) {
	if on {
		f.Set(name, "1")
	}
}

// money reads a decimal amount; blank means zero.
func money(fe portico.FieldErrors, f url.Values, name, label string) portico.Money {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return 0
	}
	m, err := portico.ParseMoney(s)
	if err != nil {
		fe.Add(name, label+" "+err.Error()+".")
	}
	return m
}

// integer reads a whole number; blank means zero.
func integer(fe portico.FieldErrors, f url.Values, name, label string) int {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.Add(name, label+" must be a whole number.")
	}
	return n
}

// optionalID reads the id chosen in a select whose blank option means none.
func optionalID(fe portico.FieldErrors, f url.Values, name, label string) *int64 {
	s := f.Get(name)
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		fe.Add(name, label+" is not a valid choice.")
		return nil
	}
	return &id
}

// idString is the form value of an optional id.
func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// list splits text typed one item per line or separated by commas.
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
}

// invalid reports parse errors together with the entity's own validation,
// so the user sees every problem at once; nothing is written.
func invalid(fe portico.FieldErrors, e interface {
	Normalize()
	Validate() error
}) error {
	e.Normalize()
	for k, msg := range portico.ErrorFields(e.Validate()) {
		fe.Add(k, msg)
	}
	return fe.Err()
}
