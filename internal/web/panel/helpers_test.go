package panel

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"portico/internal/app"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web/httpx"
)

var ctx = context.Background()

// env is a panel on a real database behind a real HTTP server, wrapped as
// the lead wraps it in production.
type env struct {
	t   *testing.T
	svc *app.Service
	srv *httptest.Server
}

// lockedBuffer collects the panel's log; the test fails if anything was
// logged at error level (an internal error hidden behind a friendly page).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	svc := apptest.NewService(t, db)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := httptest.NewServer(httpx.SecurityHeaders(http.NewCrossOriginProtection().Handler(New(svc, log))))
	t.Cleanup(func() {
		srv.Close()
		if s := logs.b.String(); s != "" {
			t.Errorf("panel logged errors:\n%s", s)
		}
	})
	return &env{t: t, svc: svc, srv: srv}
}

const testPassword = "correct horse battery"

// user creates an operator user with role and returns a client logged in
// as them through the login form.
func (e *env) user(email, role string) *client {
	e.t.Helper()
	if err := e.svc.CreateUser(ctx, &portico.User{Email: email, Name: role, Role: role}, testPassword); err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	if p := c.post("/login", url.Values{"email": {email}, "password": {testPassword}}); p.Status != http.StatusSeeOther {
		e.t.Fatalf("login as %s: status %d", email, p.Status)
	}
	return c
}

// client is a browser-like client: it keeps cookies and does not follow
// redirects, so tests see each 303.
func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: e.srv.URL, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (c *client) do(req *http.Request) *page {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := &page{t: c.t, Status: res.StatusCode, Header: res.Header, Location: res.Header.Get("Location"), Body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if p.doc, err = html.Parse(bytes.NewReader(b)); err != nil {
			c.t.Fatal(err)
		}
	}
	return p
}

func (c *client) get(path string) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postMultipart posts form as multipart/form-data, as the domain form does,
// with an optional logo file.
func (c *client) postMultipart(path string, form url.Values, logo []byte) *page {
	c.t.Helper()
	name := ""
	if logo != nil {
		name = "logo.png"
	}
	return c.postFile(path, form, "logo", name, logo)
}

// postFile posts form as multipart/form-data with a file in field; a blank
// name is no file chosen (a browser still sends the part, with no name).
func (c *client) postFile(path string, form url.Values, field, name string, content []byte) *page {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// page is a response as a user would look at it.
type page struct {
	t        *testing.T
	Status   int
	Header   http.Header
	Location string
	Body     string
	doc      *html.Node
}

func (p *page) want(status int) *page {
	p.t.Helper()
	if p.Status != status {
		p.t.Fatalf("status %d, want %d; body:\n%s", p.Status, status, p.Body)
	}
	return p
}

// wantRedirect checks a 303 to a location starting with prefix.
func (p *page) wantRedirect(prefix string) *page {
	p.t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		p.t.Fatalf("got %d to %q, want 303 to %s…; body:\n%s", p.Status, p.Location, prefix, p.Body)
	}
	return p
}

func (p *page) contains(s string) bool { return strings.Contains(p.Body, s) }

func (p *page) wantText(texts ...string) {
	p.t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.text(), s) {
			p.t.Errorf("page does not say %q:\n%s", s, p.text())
		}
	}
}

// text is the page's visible text, whitespace collapsed.
func (p *page) text() string {
	var b strings.Builder
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "head") {
			return false
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		return true
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// fieldError is the error message shown with the form field name.
func (p *page) fieldError(name string) string {
	n := p.byID("f-" + name + "-error")
	if n == nil {
		return ""
	}
	return strings.TrimPrefix(textOf(n), "Error: ")
}

// value is what the input or textarea called name shows.
func (p *page) value(name string) string {
	p.t.Helper()
	n := p.control(name, "")
	if n == nil {
		p.t.Fatalf("no control named %q", name)
	}
	if n.Data == "textarea" {
		return textOf(n)
	}
	if n.Data == "select" {
		var sel string
		walk(n, func(o *html.Node) bool {
			if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
				sel = attr(o, "value")
			}
			return true
		})
		return sel
	}
	return attr(n, "value")
}

// checked reports whether the checkbox name (with value, for groups) is ticked.
func (p *page) checked(name, value string) bool {
	p.t.Helper()
	n := p.control(name, value)
	if n == nil {
		p.t.Fatalf("no checkbox %s=%s", name, value)
	}
	return hasAttr(n, "checked")
}

func (p *page) control(name, value string) *html.Node {
	var found *html.Node
	walk(p.doc, func(n *html.Node) bool {
		if found == nil && n.Type == html.ElementNode && (n.Data == "input" || n.Data == "textarea" || n.Data == "select") &&
			attr(n, "name") == name && (value == "" || attr(n, "value") == value) {
			found = n
		}
		return true
	})
	return found
}

// postForms lists the actions of the page's POST forms.
func (p *page) postForms() []string {
	var actions []string
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") {
			actions = append(actions, attr(n, "action"))
		}
		return true
	})
	return actions
}

func (p *page) byID(id string) *html.Node {
	var found *html.Node
	walk(p.doc, func(n *html.Node) bool {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
		return true
	})
	return found
}

func walk(n *html.Node, fn func(*html.Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) bool {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		return true
	})
	return strings.TrimSpace(b.String())
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// pngOf returns a PNG image width pixels wide.
func pngOf(width int) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, width, 20)))
	return b.Bytes()
}

// appActor shortens app.Actor in tests.
type appActor = app.Actor

type htmlNode = html.Node

// appPassword is a typed password choice.
func appPassword(pw string) app.PasswordChoice { return app.PasswordChoice{Password: pw} }
