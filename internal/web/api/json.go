package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// readInto reads the request's JSON object and sets the fields of the view
// *v that it names (see applyJSON).
func readInto(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readObject(w, r)
	if err != nil {
		return err
	}
	return applyJSON(v, body)
}

// readObject reads the body as one JSON object, keeping each value raw so
// that fields can be checked one by one.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, portico.Errorf(portico.EINVALID, "Request body is larger than 1 MiB.")
		}
		return nil, portico.Errorf(portico.EINVALID, "Request body could not be read.")
	}
	if strings.TrimSpace(string(b)) == "" {
		return nil, portico.Errorf(portico.EINVALID, "Request body is empty; send a JSON object.")
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(b, &body); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return nil, portico.Errorf(portico.EINVALID, "Request body is not valid JSON: %v (at byte %d).", se, se.Offset)
		}
		return nil, portico.Errorf(portico.EINVALID, "Request body must be a JSON object.")
	}
	if body == nil { // the literal null
		return nil, portico.Errorf(portico.EINVALID, "Request body must be a JSON object.")
	}
	return body, nil
}

// applyJSON sets the fields of the struct *view that body names and leaves
// the others alone, which is what makes PATCH change only what it mentions.
// Fields match their json tag exactly (encoding/json would also match other
// cases, hiding typos). Every problem is reported at once, keyed by field:
//   - a name the view does not have is unknown; one tagged api:"readonly" is
//     refused rather than ignored, so nothing a client sends is dropped silently;
//   - null clears a field of pointer type and is refused for any other, since
//     an absent field already means "unchanged";
//   - a value of the wrong JSON type is refused with the type expected. Money
//     must be a decimal string: a JSON number is refused, not converted,
//     because clients that send numbers usually computed them in floating
//     point, and "50.00" in and out is the one form the API speaks.
//
// Each value is decoded into a fresh variable, so a list or map is replaced
// (never merged) and a bad value leaves the view untouched.
func applyJSON(view any, body map[string]json.RawMessage) error {
	v := reflect.ValueOf(view).Elem()
	fields := jsonFields(v.Type())
	bad := portico.FieldErrors{}
	for name, raw := range body {
		f, ok := fields[name]
		switch {
		case !ok:
			bad.Add(name, fmt.Sprintf("Unknown field %q.", name))
		case f.Tag.Get("api") == "readonly":
			bad.Add(name, name+" is read-only; leave it out.")
		default:
			if msg := decodeField(v.FieldByIndex(f.Index), name, raw); msg != "" {
				bad.Add(name, msg)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	names := make([]string, 0, len(bad))
	for name := range bad {
		names = append(names, name)
	}
	slices.Sort(names)
	msg := bad[names[0]]
	if len(names) > 1 {
		msg = "Please correct these fields: " + strings.Join(names, ", ") + "."
	}
	return &portico.Error{Code: portico.EINVALID, Message: msg, Fields: bad}
}

// jsonFields maps json tag names to the fields of struct type t, including
// those of embedded structs (flattened, as encoding/json does).
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

var moneyType = reflect.TypeFor[portico.Money]()

// decodeField decodes raw into the settable field fv and returns "" or a
// message naming the field and the type it takes.
func decodeField(fv reflect.Value, name string, raw json.RawMessage) string {
	t := fv.Type()
	if string(raw) == "null" {
		if t.Kind() != reflect.Pointer {
			return name + " cannot be null; leave it out to keep the current value."
		}
		fv.SetZero()
		return ""
	}
	if t == moneyType {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return name + ` must be a decimal string like "50.00" (JSON numbers are not accepted for money, to keep amounts exact).`
		}
		m, err := portico.ParseMoney(s)
		if err != nil {
			return fmt.Sprintf("%s %q %v.", name, s, err)
		}
		fv.SetInt(int64(m))
		return ""
	}
	p := reflect.New(t)
	if json.Unmarshal(raw, p.Interface()) != nil {
		return name + " must be " + describe(t) + "."
	}
	fv.Set(p.Elem())
	return ""
}

// describe names the JSON a field of type t takes, for error messages.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem()) + " or null"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Slice:
		return "a list of strings"
	case reflect.Map:
		return "an object whose values are true or false"
	}
	return "a " + t.String()
}

// pathID reads the {id} path value; anything but a positive integer names
// nothing, so it is a 404 like an id that does not exist.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portico.Errorf(portico.ENOTFOUND, "%s not found.", what)
	}
	return id, nil
}

// pageParams reads ?limit= and ?after= (a next_cursor from an earlier page).
func pageParams(r *http.Request) (cursor int64, limit int, err error) {
	bad := portico.FieldErrors{}
	limit = app.DefaultPageSize
	if s := r.URL.Query().Get("limit"); s != "" {
		var err error
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > app.MaxPageSize {
			bad.Add("limit", fmt.Sprintf("limit must be a whole number from 1 to %d.", app.MaxPageSize))
		}
	}
	if s := r.URL.Query().Get("after"); s != "" {
		var err error
		if cursor, err = strconv.ParseInt(s, 10, 64); err != nil || cursor < 1 {
			bad.Add("after", "after must be the next_cursor of a previous page.")
		}
	}
	return cursor, limit, bad.Err()
}

// list is the JSON shape of every list: a page of items and the cursor of
// the next page, null on the last one.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// writeList writes a page, each item through view.
func writeList[T, V any](w http.ResponseWriter, p app.Page[T], view func(T) V) {
	out := list[V]{Items: make([]V, 0, len(p.Items))}
	for _, item := range p.Items {
		out.Items = append(out.Items, view(item))
	}
	if p.Next != 0 {
		// The cursor is the id; it is a string so clients treat it as opaque.
		next := strconv.FormatInt(p.Next, 10)
		out.NextCursor = &next
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// timestamp is a time written as RFC 3339 in UTC to the second: the same on
// both databases (which keep different sub-second precision) and readable by
// any client's date parser.
type timestamp time.Time

// MarshalText writes the time as 2006-01-02T15:04:05Z.
func (t timestamp) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format(time.RFC3339)), nil
}

// optionalTime turns a nullable time into a nullable timestamp.
func optionalTime(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	ts := timestamp(*t)
	return &ts
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
