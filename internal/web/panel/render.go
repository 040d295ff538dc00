package panel

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"portico/internal/portico"
	"portico/internal/web/chart"
	"portico/internal/web/httpx"
)

//go:embed templates static
var files embed.FS

// view is what every page template gets: the layout's needs plus the
// page's own Data. Form holds the values shown in inputs: the saved values
// on GET, exactly what was typed after a failed POST.
type view struct {
	Title   string
	Nav     string // which main navigation entry is current
	User    *portico.User
	Pending int    // accounts awaiting approval, for the nav badge
	Flash   string // confirmation after a redirect
	Error   string // summary of what went wrong
	Fields  map[string]string
	Form    url.Values
	Data    any
}

// ReadOnly reports whether the viewer may look but not change anything.
func (v *view) ReadOnly() bool { return v.User != nil && !v.User.CanWrite() }

// flashes maps the codes that redirects carry to the messages shown; a code
// rather than text in the URL, so nobody can make the panel say anything.
var flashes = map[string]string{
	"created":               "Created.",
	"saved":                 "Changes saved.",
	"deleted":               "Deleted.",
	"archived":              "It has history (logins, money or calls), so it was archived instead of deleted.",
	"approved":              "Approved. Its contacts have been emailed.",
	"rejected":              "Rejected. Its contacts have been emailed.",
	"contact_created":       "Contact created with the password you typed.",
	"contact_emailed":       "Contact created. A welcome email with a generated password is queued (see the Email log).",
	"password_set":          "Password changed. The contact's sessions have ended.",
	"password_emailed":      "A new password was generated and emailed. The contact must change it at next login.",
	"welcome":               "Welcome to the Portico control panel.",
	"token_revoked":         "API token revoked: calls with it are refused from now on.",
	"cdrs_rated":            "Unrated calls were rated with the rate cards as they are now. Those listed here still match no rate.",
	"mfa_off":               "Two-factor authentication is off.",
	"sessions_ended":        "Every session of the contact has ended.",
	"mfa_reset":             "Two-factor authentication of the contact is reset.",
	"dns_checked":           "DNS checked; the result is below.",
	"cert_uploaded":         "Certificate uploaded; it is served for this domain from now on.",
	"cert_removed":          "Uploaded certificate removed; the domain goes back to automatic certificates.",
	"rates_loaded":          "Rates loaded as a new version of the card.",
	"rates_unchanged":       "These rates are the card's newest version already; nothing was added.",
	"payment_recorded":      "Payment recorded.",
	"payment_replayed":      "That payment was already recorded; it was not recorded twice.",
	"payment_status":        "Payment status changed.",
	"adjusted":              "Adjustment added to the ledger.",
	"adjust_replayed":       "That adjustment was already added; it was not added twice.",
	"user_created":          "User created with the password you typed.",
	"user_emailed":          "User created. An email with a generated password is queued (see the Email log); they must change it at first login.",
	"user_password_set":     "Password changed. The user's sessions have ended.",
	"user_password_emailed": "A new password was generated and emailed. The user's sessions have ended, and they must change it at next login.",
	"user_mfa_reset":        "Two-factor authentication of the user is reset, and their sessions have ended.",
	"own_password_changed":  "Your password is changed. Every other session of yours has ended.",
}

// parsePages parses each page under templates/pages with the shared layout
// and field partials. The templates are embedded, so a parse error is a
// programming error, caught by any test.
func parsePages() map[string]*template.Template {
	base := template.Must(template.Must(template.New("").Funcs(funcs).Parse(chart.Template)).ParseFS(files, "templates/*.html"))
	names, _ := fs.Glob(files, "templates/pages/*.html")
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t := template.Must(template.Must(base.Clone()).ParseFS(files, name))
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages
}

var funcs = template.FuncMap{
	"field":  newField,
	"choice": newChoice,
	"asset":  assetURL,
	"when":   when,
	"status": func(s string) string { return portico.StatusLabels[s] },
	"lower":  strings.ToLower,
	"dns":    func(s string) string { return dnsLabels[s] },
	// pngDataURL lets a generated PNG (the authenticator QR code) be an
	// img src: html/template rewrites data: URLs to #ZgotmplZ otherwise.
	"pngDataURL": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s)
		}
		return ""
	},
	// enabled keeps a control usable for read-only roles: filter forms
	// only read, so support uses them too.
	"enabled": func(f fieldView) fieldView { f.Disabled = false; return f },
	"yesno": func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	},
}

// when shows a time in UTC; operator users have no time zone setting yet.
func when(t any) string {
	switch t := t.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if t != nil {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	return "—"
}

// render writes a page with status. It renders into a buffer first, so a
// template error becomes an error page rather than half a page.
func (p *panel) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) error {
	v.User = userFrom(r.Context())
	if v.User != nil {
		n, err := p.pendingCount(r)
		if err != nil {
			return err
		}
		v.Pending = n
	}
	v.Flash = flashes[r.URL.Query().Get("flash")]
	if v.Form == nil {
		v.Form = url.Values{}
	}
	var b bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&b, "layout", v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show customer data: keep them out of shared and back-button caches.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
	return nil
}

// formError re-renders a form after a failed save the user can fix
// (validation or conflict), keeping what was typed and naming each field's
// problem; any other error goes to the error page.
func (p *panel) formError(w http.ResponseWriter, r *http.Request, err error, page string, v *view) error {
	code := portico.ErrorCode(err)
	if code != portico.EINVALID && code != portico.ECONFLICT {
		return err
	}
	v.Error, v.Fields = portico.ErrorMessage(err), portico.ErrorFields(err)
	if v.Form == nil {
		v.Form = r.PostForm
	}
	return p.render(w, r, httpx.Status(code), page, v)
}

// errorPage is the Data of the error page.
type errorPage struct {
	Status  int
	Message string
	Login   bool // offer a login link
}

var errorTitles = map[int]string{
	http.StatusUnprocessableEntity: "Cannot save",
	http.StatusConflict:            "Conflict",
	http.StatusNotFound:            "Not found",
	http.StatusUnauthorized:        "Please log in",
	http.StatusForbidden:           "Not allowed",
	http.StatusTooManyRequests:     "Too many requests",
}

func (p *panel) renderError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.LogIfInternal(p.log, r, err)
	httpx.SetRetryAfter(w, err)
	status := httpx.Status(portico.ErrorCode(err))
	title := errorTitles[status]
	if title == "" {
		title = "Something went wrong"
	}
	v := &view{Title: title, Data: errorPage{Status: status, Message: portico.ErrorMessage(err),
		Login: status == http.StatusUnauthorized}}
	if rerr := p.render(w, r, status, "error", v); rerr != nil {
		p.log.Error("render error page", "err", rerr)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

// fieldView is one form control as the field partials draw it.
type fieldView struct {
	ID, Name, Label, Hint, Error string
	Type                         string // input type attribute
	Mode                         string // inputmode
	Autocomplete                 string
	Accept                       string // file types a file input takes
	List                         string // id of a datalist of suggestions
	Value                        string
	Checked                      bool
	Options                      []option
	Disabled                     bool
}

// option is one choice of a select or a checkbox group.
type option struct {
	Value, Label string
	Selected     bool
}

// DescribedBy lists the ids of the hint and the error for aria-describedby.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// newField describes an input called name. kind is an input type, or one
// of money, integer, login, current-password, image, timezone (inputs with
// extra hints to browsers) or textarea/checkbox, drawn by their own
// partials. Password values are never written back into a page.
func newField(v *view, kind, name, label, hint string) fieldView {
	f := fieldView{ID: "f-" + name, Name: name, Label: label, Hint: hint, Type: kind,
		Value: v.Form.Get(name), Error: v.Fields[name], Disabled: v.ReadOnly()}
	f.Checked = f.Value != ""
	switch kind {
	case "money":
		f.Type, f.Mode = "text", "decimal"
	case "integer":
		f.Type, f.Mode = "text", "numeric"
	case "email":
		// type=email would refuse the Unicode addresses logins may use.
		f.Type, f.Mode, f.Autocomplete = "text", "email", "off"
	case "login":
		f.Type, f.Autocomplete = "email", "username"
	case "password":
		f.Value, f.Autocomplete = "", "new-password"
	case "current-password":
		f.Type, f.Value, f.Autocomplete = "password", "", "current-password"
	case "image":
		f.Type, f.Value, f.Accept = "file", "", "image/png,image/jpeg,image/gif"
	case "timezone":
		f.Type, f.List = "text", f.ID+"-list"
	}
	return f
}

// newChoice describes a select or checkbox group; options whose value is
// among the form's values for name are selected.
func newChoice(v *view, name, label, hint string, opts []option) fieldView {
	f := newField(v, "select", name, label, hint)
	f.Options = make([]option, len(opts))
	for i, o := range opts {
		for _, x := range v.Form[name] {
			o.Selected = o.Selected || x == o.Value
		}
		f.Options[i] = o
	}
	return f
}

// assets maps each static file to its URL with a content hash, so browsers
// may cache assets for long and still see a new version at once.
var assets = func() map[string]string {
	m := map[string]string{}
	names, _ := fs.Glob(files, "static/*")
	for _, name := range names {
		b, _ := files.ReadFile(name)
		sum := sha256.Sum256(b)
		m[path.Base(name)] = "/" + name + "?v=" + hex.EncodeToString(sum[:6])
	}
	return m
}()

func assetURL(name string) string { return assets[name] }

// staticHandler serves the embedded CSS and JS, and nothing else (no
// directory listings).
func staticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if _, ok := assets[name]; !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFileFS(w, r, files, "static/"+name)
	})
}
