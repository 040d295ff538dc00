package portal

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/chart"
	"portico/internal/web/httpx"
)

//go:embed templates
var templateFS embed.FS

// pages lists every template under templates/ besides the shared ones.
var pages = []string{
	"login", "forgot", "reset", "password", "signup", "verify", "message",
	"dashboard", "profile", "balance", "cdr", "rates", "payments", "summary", "carrier",
	"login_2fa", "security", "sessions", "activity", "support",
}

var funcs = template.FuncMap{
	"field": newField,
	"at": func(t time.Time, loc *time.Location) string {
		return t.In(loc).Format("2006-01-02 15:04 MST")
	},
	"statusLabel": func(s string) string { return portico.StatusLabels[s] },
	// pngDataURL lets a generated PNG (the authenticator QR code) be an
	// img src: html/template rewrites data: URLs to #ZgotmplZ otherwise.
	"pngDataURL": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s)
		}
		return ""
	},
	"tableRows": tableRows,
	"kindLabel": func(k portico.AccountKind) string {
		if k == portico.KindCarrier {
			return "Carrier"
		}
		return "Customer"
	},
}

// tableRows renders rows of text cells as table rows, each cell escaped.
// It does in one call what {{range}} over the cells would do in one
// escaping call per cell: a CDR page has hundreds of cells, and those
// calls (through reflection) were a good part of rendering it.
func tableRows(rows [][]string) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 256)
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, cell := range row {
			b.WriteString("<td>")
			if strings.ContainsAny(cell, "<>&'\"\x00") {
				cell = template.HTMLEscapeString(cell)
			}
			b.WriteString(cell)
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// templates are parsed once; they are embedded, so a parse error is a
// programming error that every test run catches.
var templates = func() map[string]*template.Template {
	out := make(map[string]*template.Template, len(pages))
	for _, name := range pages {
		t := template.Must(template.New(name).Funcs(funcs).Parse(chart.Template))
		out[name] = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return out
}()

// page is what every template gets.
type page struct {
	Brand *portico.Domain
	User  *app.PortalUser // nil when logged out
	Nav   []navLink       // sections the contact may see; empty when logged out
	Title string
	Form  *form
	Data  any
}

type navLink struct {
	Path, Label string
	Current     bool
}

// page builds the data for a template from the visit.
func (h *Handler) page(v *visit, title string, data any) *page {
	p := &page{Brand: v.Brand, Title: title, Data: data}
	if v.User != nil {
		p.User = v.User
		for _, s := range visibleSections(v.User) {
			p.Nav = append(p.Nav, navLink{Path: s.Path, Label: s.Title, Current: s.Path == v.Path})
		}
	}
	return p
}

// withForm attaches a form to the page.
func (p *page) withForm(f *form) *page {
	p.Form = f
	return p
}

// render writes a page with status. Pages are rendered into a buffer
// first, so a template failure becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var b bytes.Buffer
	if err := templates[name].ExecuteTemplate(&b, "layout", p); err != nil {
		h.log.Error("render portal page", "page", name, "path", r.URL.Path, "err", err)
		plainError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show account data: never keep them in shared or back-button caches.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// message is the data of the "message" template: a short text and an
// optional link onward.
type message struct {
	Text     string
	LinkURL  string
	LinkText string
}

// form holds what a visitor typed (never passwords) and what was wrong.
type form struct {
	Values url.Values
	Errors map[string]string
	Error  string // about the form as a whole
	Action string // where it posts; "" for the page's own URL
}

// formFrom keeps the named fields of a posted form for redisplay.
func formFrom(r *http.Request, fields ...string) *form {
	f := &form{Values: url.Values{}}
	for _, name := range fields {
		f.Values.Set(name, r.PostFormValue(name))
	}
	return f
}

// fieldView is one labelled input with its value and error, for the
// "field" template.
type fieldView struct {
	Name, Label, Type, Autocomplete, Value, Error string
}

// newField is the template function behind {{template "field" (field …)}}.
// Password inputs are never filled back in.
func newField(f *form, name, label, typ, autocomplete string) fieldView {
	v := fieldView{Name: name, Label: label, Type: typ, Autocomplete: autocomplete}
	if f != nil {
		v.Error = f.Errors[name]
		if typ != "password" {
			v.Value = f.Values.Get(name)
		}
	}
	return v
}

// formError shows a form again with err's messages when err is something
// the visitor can fix or wait out; other errors are returned for fail.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, p *page, name string, err error) error {
	code := portico.ErrorCode(err)
	switch code {
	case portico.EINVALID, portico.EUNAUTHORIZED, portico.ETOOMANY:
	default:
		return err
	}
	p.Form.Errors = portico.ErrorFields(err)
	p.Form.Error = portico.ErrorMessage(err)
	httpx.SetRetryAfter(w, err)
	h.render(w, r, httpx.Status(code), name, p)
	return nil
}
