package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"

	"portico/internal/portico"
)

// Kinds of email. Each is a text and an HTML template under templates/.
const (
	KindWelcome             = "welcome"               // login URL and generated password
	KindPasswordChanged     = "password_changed"      // operator generated a new password
	KindAccountApproved     = "account_approved"      // signup approved
	KindAccountRejected     = "account_rejected"      // signup turned down
	KindPasswordReset       = "password_reset"        // reset link, 30 minutes
	KindVerifyEmail         = "verify_email"          // verification link, 24 hours
	KindSignupExistingLogin = "signup_existing_login" // signup tried with an address that already logs in
	KindSignupReceived      = "signup_received"       // to the operator: a signup awaits approval
)

// kinds lists every kind Render knows.
var kinds = []string{
	KindWelcome, KindPasswordChanged, KindAccountApproved, KindAccountRejected,
	KindPasswordReset, KindVerifyEmail, KindSignupExistingLogin, KindSignupReceived,
}

// Data fills a template. Brand is the portal's brand name: portal emails
// speak for the brand, never for the operator. Fields a kind does not use
// may stay empty. There is deliberately no password field: templates that
// show a generated password print portico.SecretPlaceholder, and the worker
// puts the real one in just before sending.
type Data struct {
	Brand       string // brand name, e.g. "Acme Voice"
	BrandDomain string // portal host, e.g. "portal.acme-voice.com"
	LogoURL     string // absolute URL of the brand logo, or "" for a text header
	Color       string // brand colour "#rrggbb" for buttons, or "" for the default

	To   string // recipient address
	Name string // recipient name, or ""

	AccountName string // customer or carrier name
	AccountKind string // "customer" or "carrier"

	LoginURL         string // the brand's login page
	Link             string // reset or verification link (single use)
	OperatorPanelURL string // control panel page of a pending signup

	ContactName  string // signup_received: who signed up
	ContactEmail string // signup_received: their address
	Reason       string // account_rejected: optional note from the operator
}

// view is what the templates see: Data plus values Render controls.
type view struct {
	Data
	Subject  string
	Password string // always portico.SecretPlaceholder
}

//go:embed templates
var templateFS embed.FS

// kindTemplates holds one kind's parsed text and HTML templates.
type kindTemplates struct {
	text *texttemplate.Template // defines "subject" and "layout"
	html *htmltemplate.Template // defines "layout"
}

// templates are parsed once at start; they are embedded, so a parse error
// is a programming error that the package's tests catch.
var templates = parseTemplates()

func parseTemplates() map[string]kindTemplates {
	out := make(map[string]kindTemplates, len(kinds))
	for _, kind := range kinds {
		out[kind] = kindTemplates{
			text: texttemplate.Must(texttemplate.New(kind).Option("missingkey=error").
				ParseFS(templateFS, "templates/layout.txt", "templates/"+kind+".txt")),
			html: htmltemplate.Must(htmltemplate.New(kind).Option("missingkey=error").
				ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html")),
		}
	}
	return out
}

const defaultColor = "#2563eb"

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Render returns the subject, plain-text body and HTML body of an email of
// the given kind. Values in d are escaped in the HTML part.
func Render(kind string, d Data) (subject, text, html string, err error) {
	t, ok := templates[kind]
	if !ok {
		return "", "", "", fmt.Errorf("mail: unknown email kind %q", kind)
	}
	if !colorRE.MatchString(d.Color) {
		d.Color = defaultColor
	}
	v := view{Data: d, Password: portico.SecretPlaceholder}
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, "subject", v); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s subject: %w", kind, err)
	}
	// A subject is one header line: user-typed values (brand, account
	// names) must not be able to add lines to it.
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.text.ExecuteTemplate(&b, "layout", v); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s text: %w", kind, err)
	}
	text = b.String()
	b.Reset()
	if err := t.html.ExecuteTemplate(&b, "layout", v); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s html: %w", kind, err)
	}
	return v.Subject, text, b.String(), nil
}
