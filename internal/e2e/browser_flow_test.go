package e2e

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/cli"
	"portico/internal/mail/smtptest"
	"portico/internal/portico"
	"portico/internal/store/storetest"
	"portico/internal/testkit"
)

// TestBrowserAcceptance is the product tried as people use it, in Chromium:
// the operator sets up the panel, a brand with every setting, a customer
// and a contact; the contact gets the welcome email, logs into the branded
// portal and sees only what the operator allows; visitors sign up as a
// customer and as a carrier and are approved; logins on the wrong brand are
// refused; then the security flows (securitySteps). On SQLite every page
// on the way is also checked with axe-core, at phone and laptop widths,
// and the key pages are photographed (see EnvScreenshots). On PostgreSQL
// (when configured) the walkthrough up to the wrong-host checks runs
// again, without those page checks, to show the forms store what they
// should and brands resolve on that engine too.
//
// Each step is a subtest on the same browser and instance. Later work adds
// its flows as steps to acceptanceSteps (billing: CDR filter and CSV
// download, rate card search, the balance after a payment), and the pages
// it adds to the portal or the panel must be visited by a step: the last
// step fails while a template has not been checked.
func TestBrowserAcceptance(t *testing.T) {
	for i, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			in := testkit.Boot(t, cli.DBConfig{Data: t.TempDir(), DatabaseURL: e.Config(t).DatabaseURL}, fastMail)
			f := &flow{ui: newUI(t, in, i == 0), brandSMTP: smtptest.Start(t, smtptest.WithAuth(acmeSMTPUser, acmeSMTPPassword))}
			f.logo = writeLogo(t)
			if !f.audit {
				f.runSteps(t, acceptanceSteps[:walkthroughSteps])
				return
			}
			steps := append(acceptanceSteps[:len(acceptanceSteps):len(acceptanceSteps)], securitySteps...)
			f.runSteps(t, append(steps, step{"every page template was checked", (*flow).everyTemplateChecked}))
		})
	}
}

// acceptanceSteps are the flows, in order; each builds on the ones before.
var acceptanceSteps = []step{
	{"panel first owner", (*flow).panelFirstOwner},
	{"panel keyboard-only login", (*flow).panelKeyboardLogin},
	{"panel portal domain with every setting", (*flow).panelDomain},
	{"panel customer and contact with a generated password", (*flow).panelCustomerAndContact},
	{"welcome email through the brand's SMTP", (*flow).welcomeEmail},
	{"portal first login and forced password change", (*flow).portalFirstLogin},
	{"portal branded dashboard with only the allowed sections", (*flow).portalDashboard},
	{"section toggled in the panel vanishes from the portal", (*flow).sectionToggle},
	{"portal logout and keyboard-only login", (*flow).portalKeyboardLogin},
	{"wrong brand host refused", (*flow).wrongBrand},
	// walkthroughSteps end here; they run on every engine.
	{"forgotten password reset by email", (*flow).passwordReset},
	{"customer signup pending approval then approved", (*flow).customerSignup},
	{"carrier signup and the Carrier Portal", (*flow).carrierSignup},
	{"panel remaining pages", (*flow).panelRest},
	// Billing in the control panel (browser_billing_test.go).
	{"panel rate card import and search", (*flow).panelRateCard},
	{"panel balance after a payment", (*flow).panelBalance},
	{"panel payments list", (*flow).panelPayments},
	{"panel CDR filter and download", (*flow).panelCDRs},
	{"panel traffic of an account and of all accounts", (*flow).panelTraffic},
	// Operator users (browser_users_test.go).
	{"panel users: owner adds a support user, who is then disabled", (*flow).panelUsers},
	// Billing in the customer portal.
	{"portal data sections: balance, CDR filter and download, rates, summary", (*flow).portalData},
}

// walkthroughSteps is how many of acceptanceSteps make the seed
// walkthrough and the wrong-host checks, which also run on PostgreSQL.
const walkthroughSteps = 10

const (
	ownerEmail       = "owner@operator.test"
	ownerPassword    = "owner passphrase 9"
	acmeSMTPUser     = "acme-mailer"
	acmeSMTPPassword = "acme mail secret 7"
	acmeColor        = "#0f766e"
	acmeColorRGB     = "rgb(15, 118, 110)"
	annEmail         = "ann@globex.example"
	annPassword      = "ann's own long secret"
	annPassword2     = "a brand new secret for ann"
	signupPassword   = "tps reports 2026"
)

// The brand's custom CSS: one rule the dashboard check can see, and an
// @import that the sanitiser must drop (else the CSP refusal shows up in
// the console check).
const acmeCSS = ".notes h2 { text-transform: uppercase; }\n@import url(https://fonts.example/brand.css);"

// flow is a ui plus what the steps learn on the way.
type flow struct {
	*ui
	brandSMTP *smtptest.Server // Acme's own SMTP server
	logo      string           // PNG file to upload

	acmeID, betaID, globexID, annID string // panel ids
	umbrellaID                      string // the billing steps' customer
	annGenerated                    string // the password from the welcome email
}

// step is one part of a flow; it runs as a subtest.
type step struct {
	name string
	fn   func(f *flow)
}

// runSteps runs the steps in order as subtests; after a failure the rest
// are skipped, because each builds on what the previous ones did.
func (f *flow) runSteps(t *testing.T, steps []step) {
	failed := ""
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			if failed != "" {
				t.Skipf("skipped: step %q failed", failed)
			}
			f.t = t
			s.fn(f)
		})
		if !ok && failed == "" {
			failed = s.name
		}
	}
	f.t = t
}

func (f *flow) panel(path string) string  { return f.in.URL("localhost", path) }
func (f *flow) portal(path string) string { return f.in.URL("acme.localhost", path) }
func (f *flow) beta(path string) string   { return f.in.URL("beta.localhost", path) }

// press clicks the button or link whose text is exactly label and checks
// the page it leads to.
func (f *flow) press(label, name string, status int) {
	f.t.Helper()
	found := eval[bool](f.ui, `(() => {
		const norm = s => s.replace(/\s+/g, " ").trim();
		document.querySelectorAll("[data-e2e-press]").forEach(e => e.removeAttribute("data-e2e-press"));
		const e = [...document.querySelectorAll("a, button")].find(e => norm(e.textContent) === `+js(label)+` && e.getClientRects().length > 0);
		if (e) e.setAttribute("data-e2e-press", "");
		return !!e;
	})()`)
	if !found {
		f.t.Fatalf("no button or link %q; the page has %q\n%s", label,
			eval[[]string](f.ui, `[...document.querySelectorAll("a, button")].map(e => e.textContent.replace(/\s+/g, " ").trim())`), f.where())
	}
	f.submit(`[data-e2e-press]`, name, status)
}

// idFrom returns the number after prefix in the current path.
func (f *flow) idFrom(prefix string) string {
	f.t.Helper()
	m := regexp.MustCompile("^" + regexp.QuoteMeta(prefix) + `(\d+)`).FindStringSubmatch(f.path())
	if m == nil {
		f.t.Fatalf("path %s does not start with %s<id>", f.path(), prefix)
	}
	return m[1]
}

// wantField fails unless form control id holds want.
func (f *flow) wantField(id, want string) {
	f.t.Helper()
	if got := f.value(id); got != want {
		f.t.Errorf("#%s = %q, want %q", id, got, want)
	}
}

// login logs in on the current portal or panel login page by typing.
func (f *flow) login(email, password, name string, status int) {
	f.t.Helper()
	f.fill("f-email", email)
	f.fill("f-password", password)
	f.press("Log in", name, status)
}

// keyboardLogin logs in with the keyboard alone: Tab from the top of the
// page to the email field (the skip link comes first), type, Tab, type,
// Enter.
func (f *flow) keyboardLogin(email, password, name string) {
	f.t.Helper()
	stops := f.tabTo("f-email", 5)
	if !strings.Contains(stops[0], "Skip to content") {
		f.t.Errorf("the first Tab stop is %s, want the skip link", stops[0])
	}
	f.typeKeys(email)
	f.do("press Tab", chromedp.KeyEvent(kb.Tab))
	if got := f.focused(); got.ID != "f-password" || !got.Visible {
		f.t.Fatalf("Tab after the email went to %s (focus visible: %v), want #f-password", got.Name, got.Visible)
	}
	f.typeKeys(password)
	f.markPage()
	f.do("press Enter", chromedp.KeyEvent(kb.Enter))
	f.waitNewPage()
	f.loaded(name, 200)
}

// mail waits for the next message to addr on srv.
func (f *flow) mail(srv *smtptest.Server, addr string) smtptest.Message {
	f.t.Helper()
	return srv.WaitFor(f.t, addr, 15*time.Second)
}

// link is the one emailed link in msg; it must be on the Acme portal.
func (f *flow) link(msg smtptest.Message, path string) string {
	f.t.Helper()
	link := linkRE.FindString(msg.Text)
	if !strings.HasPrefix(link, f.portal(path+"?token=")) {
		f.t.Fatalf("emailed link %q is not %s on the brand's domain:\n%s", link, path, msg.Text)
	}
	return link
}

// --- the steps ---------------------------------------------------------------

func (f *flow) panelFirstOwner() {
	f.open(f.panel("/login"), "panel/login", 200)
	f.wantText("main h1", "Log in")
	f.open(strings.Replace(f.in.SetupLink(f.t), "127.0.0.1", "localhost", 1), "panel/setup", 200)
	f.fill("f-email", ownerEmail)
	f.fill("f-name", "Olga Owner")
	f.fill("f-password", ownerPassword)
	f.press("Create owner and log in", "panel/dashboard", 200)
	f.wantPath("/?flash=welcome")
	f.wantText("p.notice.ok", "Welcome to the Portico control panel.")
	f.wantText("header.top", ownerEmail, "owner")
	f.wantList("nav.side a", "Dashboard", "Portal domains", "Customers", "Carriers", "Rate cards", "CDRs", "Traffic", "Payments", "Pending approval", "Email log", "Audit log", "Users")
}

func (f *flow) panelKeyboardLogin() {
	f.press("Log out", "panel/login", 200)
	f.wantPath("/login")
	f.open(f.panel("/domains"), "panel/login", 200) // no session: to the login page
	if !strings.HasPrefix(f.path(), "/login") {
		f.t.Fatalf("after logout /domains went to %s", f.path())
	}
	f.login(ownerEmail, "not the passphrase", "panel/login:refused", 401)
	f.wantText(".error-summary[role=alert]", "")
	f.open(f.panel("/login"), "panel/login", 200)
	f.keyboardLogin(ownerEmail, ownerPassword, "panel/dashboard")
	f.wantPath("/")
	f.wantText("main h1", "Dashboard")
}

func (f *flow) panelDomain() {
	f.open(f.panel("/domains"), "panel/domains:empty", 200)
	f.press("+ Add portal domain", "panel/domain_form:new", 200)

	// Saving nothing names the missing fields and links to them.
	f.fill("f-domain", "")
	f.press("Save", "panel/domain_form:invalid", 422)
	f.wantText(".error-summary", "Please correct the highlighted fields")
	if !f.exists(`.error-summary a[href="#f-domain"]`) || !f.exists(`#f-domain[aria-invalid="true"]`) {
		f.t.Errorf("the error summary does not link to an invalid domain field\n%s", f.where())
	}

	f.fill("f-domain", "acme.localhost")
	f.fill("f-brand_name", "Acme Telecom")
	f.tick("f-customer_signup", true)
	f.tick("f-carrier_signup", true)
	f.fill("f-signup_credit_limit", "25.00")
	f.fill("f-currencies", "EUR, USD")
	for _, s := range []string{"balance", "cdr", "rate_card", "payments", "invoices", "summary", "carrier_portal", "alerts"} {
		f.tick(`#f-access input[value="`+s+`"]`, s == "balance" || s == "cdr" || s == "rate_card" || s == "carrier_portal")
	}
	f.fill("f-primary_color", acmeColor)
	f.do("choose the logo", chromedp.SetUploadFiles(chromedp.CSS("#f-logo"), []string{f.logo}))
	f.fill("f-footer", "Acme Telecom Ltd, 1 Exchange Street, Leeds\nSupport: +44 113 496 0000")
	f.fill("f-custom_css", acmeCSS)
	f.fill("f-smtp_host", f.brandSMTP.Host())
	f.fill("f-smtp_port", fmt.Sprint(f.brandSMTP.Port()))
	f.fill("f-smtp_username", acmeSMTPUser)
	f.fill("f-smtp_password", acmeSMTPPassword)
	f.fill("f-smtp_from", "noreply@acme.example")
	f.tick("f-smtp_insecure", true)
	f.press("Save", "panel/domain_form:edit", 200)
	f.wantText("p.notice.ok", "Created.")
	f.acmeID = f.idFrom("/domains/")

	// Every setting is kept.
	f.wantText("main h1", "acme.localhost")
	f.wantField("f-brand_name", "Acme Telecom")
	f.wantField("f-signup_credit_limit", "25.00")
	f.wantField("f-primary_color", acmeColor)
	f.wantField("f-smtp_host", f.brandSMTP.Host())
	f.wantField("f-smtp_port", fmt.Sprint(f.brandSMTP.Port()))
	f.wantField("f-smtp_username", acmeSMTPUser)
	f.wantField("f-smtp_password", "") // write-only
	f.wantField("f-smtp_from", "noreply@acme.example")
	if !strings.Contains(f.value("f-currencies"), "EUR") || !strings.Contains(f.value("f-currencies"), "USD") {
		f.t.Errorf("currencies = %q", f.value("f-currencies"))
	}
	if !strings.Contains(f.value("f-footer"), "Exchange Street") || !strings.Contains(f.value("f-custom_css"), "text-transform") {
		f.t.Errorf("footer or custom CSS lost: %q %q", f.value("f-footer"), f.value("f-custom_css"))
	}
	for sel, want := range map[string]bool{"#f-customer_signup": true, "#f-carrier_signup": true, "#f-smtp_insecure": true,
		`#f-access input[value="cdr"]`: true, `#f-access input[value="carrier_portal"]`: true, `#f-access input[value="payments"]`: false} {
		if f.checked(sel) != want {
			f.t.Errorf("%s checked = %v, want %v", sel, !want, want)
		}
	}
	if w := eval[int](f.ui, `(document.querySelector(".logo-preview img") || {}).naturalWidth || 0`); w != logoWidth {
		f.t.Errorf("logo preview is %d px wide, want the uploaded %d", w, logoWidth)
	}
	f.wantText("main", "CNAME")

	// A second brand, for the wrong-host checks.
	f.open(f.panel("/domains/new"), "panel/domain_form:new", 200)
	f.fill("f-domain", "beta.localhost")
	f.fill("f-brand_name", "Beta Voice")
	f.press("Save", "panel/domain_form:edit", 200)
	f.betaID = f.idFrom("/domains/")
	f.press("Portal domains", "panel/domains", 200)
	f.wantList("table tbody td:first-child", "acme.localhost", "beta.localhost")
	f.wantText("table", "Acme Telecom", "Beta Voice")
}

func (f *flow) panelCustomerAndContact() {
	f.press("Customers", "panel/accounts:empty", 200)
	f.press("+ Add customer", "panel/account_form:new", 200)
	f.fill("f-name", "Globex")
	f.choose("f-status", "Active")
	f.fill("f-currency", "USD")
	f.fill("f-credit_limit", "100.00")
	f.choose("f-domain_id", "acme.localhost (Acme Telecom)")
	f.fill("f-tax_id", "GB123456789")
	f.fill("f-tax_percent", "20")
	f.fill("f-notes", "Met at the trade fair.")
	f.press("Save", "panel/account_form:created", 200)
	f.wantText("p.notice.ok", "Created.")
	f.globexID = f.idFrom("/customers/")
	f.wantText("#contacts-title", "Contacts")

	f.press("+ Add contact", "panel/contact_form:new", 200)
	f.tick("f-auto_generate_password", true)
	if !eval[bool](f.ui, `document.getElementById("f-password").closest(".field").hidden`) {
		f.t.Error("the typed password field stays visible while Auto generate password is ticked")
	}
	f.fill("f-name", "Ann Ops")
	f.fill("f-email", "Ann@Globex.example")
	f.fill("f-phone", "+44 20 7946 0000")
	f.choose("f-contact_type", "billing")
	f.fill("f-public_notes", "Your account manager is Bob.")
	f.fill("f-private_notes", "Pays late.")
	f.fill("f-time_zone", "Europe/London")
	f.fill("f-language", "en")
	f.press("Save", "panel/account_form:edit", 200)
	f.wantPath("/customers/" + f.globexID + "?flash=contact_emailed")
	f.wantText("p.notice.ok", "welcome email with a generated password is queued")
	f.wantText("section.contacts table", "Ann Ops", annEmail, "Must change password")

	f.press("Ann Ops", "panel/contact_form:edit", 200)
	f.annID = f.idFrom("/contacts/")
	f.wantText("main", "Must choose a new password at next login.")
	f.wantField("f-private_notes", "Pays late.")
	f.press("Change password", "panel/contact_password", 200)
	f.press("Cancel", "panel/contact_form:edit", 200)

	// The brand's template account is a customer, so it is set last.
	f.open(f.panel("/domains/"+f.acmeID), "panel/domain_form:edit", 200)
	f.choose("f-template_account_id", "Globex")
	f.press("Save", "panel/domain_form:edit", 200)
	f.wantText("p.notice.ok", "Changes saved.")
	if got := eval[string](f.ui, `document.getElementById("f-template_account_id").selectedOptions[0].text`); got != "Globex" {
		f.t.Errorf("template account = %q, want Globex", got)
	}
}

func (f *flow) welcomeEmail() {
	msg := f.mail(f.brandSMTP, annEmail)
	if msg.AuthUser != acmeSMTPUser {
		f.t.Errorf("welcome mail logged in to the brand's SMTP as %q, want %q", msg.AuthUser, acmeSMTPUser)
	}
	if !strings.Contains(msg.Subject, "Acme Telecom") || !strings.Contains(msg.Text, f.portal("/login")) {
		f.t.Fatalf("welcome mail lacks the brand or its login URL:\n%s\n%s", msg.Subject, msg.Text)
	}
	if !strings.Contains(msg.Header.Get("From"), "noreply@acme.example") {
		f.t.Errorf("welcome mail is from %q, want the brand's address", msg.Header.Get("From"))
	}
	m := passwordRE.FindStringSubmatch(msg.Text)
	if m == nil {
		f.t.Fatalf("welcome mail has no password:\n%s", msg.Text)
	}
	f.annGenerated = m[1]

	// The email log shows it sent, and never the password.
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.open(f.panel("/emails"), "panel/emails", 200)
		if strings.Contains(f.text("table"), "sent") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.wantText("table", annEmail, "Acme Telecom", "sent")
	if strings.Contains(f.html(), f.annGenerated) {
		f.t.Error("the email log shows the generated password")
	}
	f.press("Audit log", "panel/audit", 200)
	f.wantText("table", ownerEmail)
}

func (f *flow) portalFirstLogin() {
	f.open(f.portal("/login"), "portal/login", 200)
	f.wantText("main h1", "Log in to Acme Telecom")
	if !f.exists(`a[href="/signup"]`) || !f.exists(`a[href="/signup/carrier"]`) {
		f.t.Error("the login page of a brand with signups offers no signup links")
	}
	f.login("Ann@Globex.example", f.annGenerated, "portal/password:forced", 200)
	f.wantPath("/password")
	f.wantText(".notice", "Your password was generated for you")

	f.open(f.portal("/balance"), "portal/password:forced", 200)
	f.wantPath("/password") // nothing else until the password is changed
	f.fill("f-current_password", f.annGenerated)
	f.fill("f-new_password", annPassword)
	f.press("Change password", "portal/dashboard", 200)
	f.wantPath("/")
}

func (f *flow) portalDashboard() {
	f.open(f.portal("/"), "portal/dashboard", 200)
	f.wantText("main h1", "Welcome, Ann Ops")
	f.wantText(".lead", "Acme Telecom customer portal")
	f.wantText(".facts", "Globex", "Customer", "Active")
	f.wantText("section.notes", "Your account manager is Bob.")
	f.wantText("footer", "Acme Telecom Ltd, 1 Exchange Street, Leeds")
	if h := f.html(); strings.Contains(h, "Pays late") || strings.Contains(h, "Beta Voice") || strings.Contains(h, "control panel") {
		f.t.Fatal("the portal shows private notes, another brand or the control panel")
	}
	// Carrier Portal is on the brand's list but never for customers.
	f.wantList("nav.sections a", "Dashboard", "Balance", "CDR", "Rate Card")
	f.wantList("ul.tiles strong", "Balance", "CDR", "Rate Card")

	// The brand's look: colour, logo, custom CSS.
	if got := eval[string](f.ui, `getComputedStyle(document.querySelector("header.top")).borderBottomColor`); got != acmeColorRGB {
		f.t.Errorf("header border is %s, want the brand colour %s", got, acmeColorRGB)
	}
	if got := eval[int](f.ui, `(document.querySelector("header.top a.brand img[alt='Acme Telecom']") || {}).naturalWidth || 0`); got != logoWidth {
		f.t.Errorf("brand logo is %d px wide, want %d", got, logoWidth)
	}
	if got := eval[string](f.ui, `getComputedStyle(document.getElementById("notes-title")).textTransform`); got != "uppercase" {
		f.t.Errorf("the brand's custom CSS is not applied (text-transform %q)", got)
	}

	f.press("Balance", "portal/balance", 200)
	f.wantText("main dl", "100.00 USD")
	f.press("CDR", "portal/cdr", 200)
	f.wantText("main h1", "CDR")
	f.wantText(`nav.sections a[aria-current="page"]`, "CDR")
	f.press("Rate Card", "portal/rates", 200)
	for _, p := range []string{"/payments", "/summary", "/carrier", "/invoices"} {
		f.open(f.portal(p), "portal/message:not-found", 404)
		f.wantText("main h1", "Not found")
	}

	f.open(f.portal("/"), "portal/dashboard", 200)
	f.press("Ann Ops", "portal/profile", 200)
	f.fill("f-phone", "+44 20 7946 0001")
	f.fill("f-time_zone", "Europe/Paris")
	f.press("Save", "portal/profile", 200)
	f.wantText(".notice", "Your profile is saved.")
	f.wantField("f-time_zone", "Europe/Paris")
}

func (f *flow) sectionToggle() {
	// Off for the whole brand.
	f.open(f.panel("/domains/"+f.acmeID), "panel/domain_form:edit", 200)
	f.tick(`#f-access input[value="rate_card"]`, false)
	f.press("Save", "panel/domain_form:edit", 200)
	f.wantText("p.notice.ok", "Changes saved.")
	f.open(f.portal("/"), "portal/dashboard", 200)
	f.wantList("nav.sections a", "Dashboard", "Balance", "CDR")
	f.wantList("ul.tiles strong", "Balance", "CDR")
	f.open(f.portal("/rates"), "portal/message:not-found", 404)

	// Overridden for one account: CDR hidden, Payments and Summary shown.
	f.open(f.panel("/customers/"+f.globexID), "panel/account_form:edit", 200)
	f.choose("f-access_cdr", "Hide")
	f.choose("f-access_payments", "Show")
	f.choose("f-access_summary", "Show")
	f.press("Save", "panel/account_form:edit", 200)
	f.wantText("p.notice.ok", "Changes saved.")
	f.open(f.portal("/"), "portal/dashboard", 200)
	f.wantList("nav.sections a", "Dashboard", "Balance", "Payments", "Summary")
	f.wantList("ul.tiles strong", "Balance", "Payments", "Summary")
	f.open(f.portal("/cdr"), "portal/message:not-found", 404)
	f.open(f.portal("/"), "portal/dashboard", 200)
	f.press("Payments", "portal/payments", 200)
	f.press("Summary", "portal/summary", 200)
}

func (f *flow) portalKeyboardLogin() {
	f.press("Log out", "portal/login", 200)
	f.wantPath("/login")
	f.open(f.portal("/"), "portal/login", 200)
	f.wantPath("/login") // the session is gone
	f.keyboardLogin(annEmail, annPassword, "portal/dashboard")
	f.wantPath("/")
	f.wantText("main h1", "Welcome, Ann Ops")
}

func (f *flow) wrongBrand() {
	// Ann's acme.localhost session is no session on beta.localhost ...
	f.open(f.beta("/"), "portal/login", 200)
	f.wantPath("/login")
	f.wantText("main h1", "Log in to Beta Voice")
	if f.exists(`a[href^="/signup"]`) {
		f.t.Error("Beta Voice takes no signups but its login page links to signup")
	}
	// ... and her credentials do not log in there.
	f.login(annEmail, annPassword, "portal/login:refused", 401)
	f.wantPath("/login")
	f.wantText(".alert[role=alert]", "")
	f.open(f.beta("/signup"), "portal/message:not-found", 404)

	// A host that is no brand names none.
	f.open(f.in.URL("unknown.localhost", "/login"), "host/unknown", 404)
	if b := f.body(); strings.Contains(b, "Acme") || strings.Contains(b, "Beta") || !strings.Contains(b, "Not found") {
		f.t.Errorf("unknown host page says %q", b)
	}
	f.open(f.portal("/"), "portal/dashboard", 200) // still logged in on Acme
	f.wantPath("/")
}

func (f *flow) passwordReset() {
	f.press("Log out", "portal/login", 200)
	f.press("Forgot your password?", "portal/forgot", 200)
	f.fill("f-email", annEmail)
	f.press("Email me a link", "portal/message:check-email", 200)
	f.wantText("main h1", "Check your email")
	link := f.link(f.mail(f.brandSMTP, annEmail), "/reset")
	f.open(link, "portal/reset", 200)
	f.fill("f-password", annPassword2)
	f.press("Set password", "portal/message:password-changed", 200)
	f.wantText("main h1", "Password changed")
	f.open(link, "portal/message:bad-link", 404) // single use
	f.open(f.portal("/login"), "portal/login", 200)
	f.login(annEmail, annPassword2, "portal/dashboard", 200)
	f.wantPath("/")
	f.press("Log out", "portal/login", 200)
}

func (f *flow) customerSignup() {
	f.press("Sign up", "portal/signup", 200)
	f.wantText("main h1", "Sign up")
	f.press("Sign up", "portal/signup:invalid", 422)
	if !f.exists(`[aria-invalid="true"]`) {
		f.t.Errorf("an empty signup marks no field invalid\n%s", f.where())
	}
	f.signup("Initech", "Peter Gibbons", "peter@initech.example", "EUR")

	// Not approved yet: refused like any wrong login.
	f.open(f.portal("/login"), "portal/login", 200)
	f.login("peter@initech.example", signupPassword, "portal/login:refused", 401)

	f.open(f.panel("/"), "panel/dashboard:pending", 200)
	f.wantText(".notice.attention", "1 waiting for approval")
	f.wantText(`nav.side a[href="/pending"]`, "1")
	f.press("1 waiting for approval", "panel/pending", 200)
	f.wantText(`section[aria-labelledby="pending-customers"] table`, "Initech", "EUR")
	f.press("Approve Initech", "panel/pending", 200)
	f.wantText("p.notice.ok", "Approved.")
	f.wantText(`section[aria-labelledby="pending-customers"]`, "No customers waiting.")
	if msg := f.mail(f.brandSMTP, "peter@initech.example"); !strings.Contains(msg.Subject+msg.Text, "Acme Telecom") {
		f.t.Errorf("approval mail lacks the brand: %s", msg.Subject)
	}

	f.open(f.portal("/login"), "portal/login", 200)
	f.login("peter@initech.example", signupPassword, "portal/dashboard", 200)
	f.wantText(".facts", "Initech", "Customer", "Active")
	// The brand's template account is Globex: new signups copy its access.
	f.wantList("nav.sections a", "Dashboard", "Balance", "Payments", "Summary")
	f.press("Balance", "portal/balance", 200)
	f.wantText("main dl", "25.00 EUR") // the brand's signup credit limit
	f.press("Log out", "portal/login", 200)
}

// signup fills the signup form on the current page, confirms the emailed
// link and leaves the visitor on the confirmation page.
func (f *flow) signup(company, name, email, currency string) {
	f.t.Helper()
	f.fill("f-company_name", company)
	f.fill("f-name", name)
	f.fill("f-email", email)
	f.fill("f-password", signupPassword)
	f.choose("f-currency", currency)
	f.tick("f-accept_terms", true)
	f.press("Sign up", "portal/message:check-email", 200)
	f.wantText("main h1", "Check your email")
	f.open(f.link(f.mail(f.brandSMTP, email), "/verify"), "portal/verify", 200)
	f.press("Confirm my email address", "portal/message:confirmed", 200)
	f.wantText("main h1", "Email address confirmed")
}

func (f *flow) carrierSignup() {
	f.open(f.portal("/login"), "portal/login", 200)
	f.press("sign up as a carrier", "portal/signup:carrier", 200)
	f.wantText("main h1", "Sign up as a carrier")
	f.signup("Hooli Transit", "Gavin Belson", "gavin@hooli.example", "USD")

	f.open(f.panel("/carriers"), "panel/accounts", 200)
	f.wantText("table", "Hooli Transit", "Pending Approval")
	f.press("Hooli Transit", "panel/account_form:pending", 200)
	f.press("Approve", "panel/account_form:edit", 200)
	f.wantText("p.notice.ok", "Approved.")
	f.wantText("main .status", "Active")

	f.open(f.portal("/login"), "portal/login", 200)
	f.login("gavin@hooli.example", signupPassword, "portal/dashboard:carrier", 200)
	f.wantText(".lead", "Acme Telecom carrier portal")
	f.wantList("nav.sections a", "Dashboard", "Balance", "Payments", "Summary", "Carrier Portal") // Globex's access, as a template
	f.press("Carrier Portal", "portal/carrier", 200)
	f.wantText("main h1", "Carrier Portal")
	f.press("Log out", "portal/login", 200)
}

func (f *flow) panelRest() {
	f.open(f.panel("/customers?q=glob"), "panel/accounts", 200)
	f.wantList("table tbody td:first-child", "Globex")
	f.open(f.panel("/domains/"+f.betaID+"/delete"), "panel/confirm", 200)
	f.press("Cancel", "panel/domain_form:edit", 200)
	f.open(f.panel("/no-such-page"), "panel/error:not-found", 404)
	f.wantText("main h1", "Not found")
}

// everyTemplateChecked fails while a page template of the panel or the
// portal was not rendered on an audited page: a new page needs a step.
func (f *flow) everyTemplateChecked() {
	root := moduleRoot(f.t)
	for app, dir := range map[string]string{"panel": "internal/web/panel/templates/pages", "portal": "internal/web/portal/templates"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.html"))
		if err != nil || len(files) == 0 {
			f.t.Fatalf("no templates in %s: %v", dir, err)
		}
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".html")
			if app == "portal" && (name == "layout" || name == "partials") {
				continue
			}
			seen := false
			for page := range f.audited {
				seen = seen || strings.Split(page, ":")[0] == app+"/"+name
			}
			if !seen {
				f.t.Errorf("no step visits a %s page rendered from %s/%s.html; add one to acceptanceSteps", app, dir, name)
			}
		}
	}
}

// keyPages are the pages photographed, by page name, with their file
// names under the screenshot folder; phoneShots get a 375 px one too.
var keyPages = map[string]string{
	"panel/dashboard:pending": "panel-dashboard.png",
	"panel/domain_form:edit":  "panel-domain-form.png",
	"panel/account_form:edit": "panel-customer.png",
	"panel/pending":           "panel-pending.png",
	"portal/login":            "portal-login.png",
	"portal/dashboard":        "portal-dashboard.png",
	"portal/cdr":              "portal-cdr.png",
}

var phoneShots = []string{"portal/dashboard"}

const logoWidth = 240

// writeLogo draws Acme's logo, a ring and the word ACME in the brand
// colour, as a PNG to upload.
func writeLogo(t *testing.T) string {
	glyphs := map[rune][7]string{
		'A': {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
		'C': {".####", "#....", "#....", "#....", "#....", "#....", ".####"},
		'M': {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
		'E': {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
	}
	const scale = 5
	teal := color.RGBA{0x0f, 0x76, 0x6e, 0xff}
	img := image.NewRGBA(image.Rect(0, 0, logoWidth, 64))
	for y := range 64 {
		for x := range 64 {
			if d := (x-32)*(x-32) + (y-32)*(y-32); d <= 28*28 && d >= 18*18 {
				img.Set(x, y, teal)
			}
		}
	}
	for i, r := range "ACME" {
		for row, line := range glyphs[r] {
			for col, c := range line {
				if c != '#' {
					continue
				}
				for dy := range scale {
					for dx := range scale {
						img.Set(76+i*(5*scale+8)+col*scale+dx, 14+row*scale+dy, teal)
					}
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "acme-logo.png")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// portalData gives Globex a rate card, calls and a payment (as the API and
// the importers would), then walks its contact through every data section:
// the balance after the payment, the CDR filter and CSV download (UTC), the
// rate card search and downloads, payments and the summary chart.
func (f *flow) portalData() {
	svc := f.in.Server.Service()
	ctx := context.Background()
	owner := app.Actor{UserID: 1, Email: "owner@e2e.example", Role: portico.RoleOwner, IP: "127.0.0.1"}
	id, _ := strconv.ParseInt(f.globexID, 10, 64)
	card := portico.NewRateCard("Globex retail", "USD")
	if err := svc.CreateRateCard(ctx, owner, card); err != nil {
		f.t.Fatal(err)
	}
	deck := billing.RatesHeader + "\n44,United Kingdom,0.012,0,30,6,2020-01-01\n49,Germany,0.02,0,60,60,2020-01-01\n"
	if _, _, err := svc.ImportRates(ctx, owner, card.ID, strings.NewReader(deck), billing.RatesOptions{}, "e2e.csv"); err != nil {
		f.t.Fatal(err)
	}
	brandID, _ := strconv.ParseInt(f.acmeID, 10, 64)
	brand, err := svc.FindDomain(ctx, brandID)
	if err != nil {
		f.t.Fatal(err)
	}
	brand.Access = []portico.Section{portico.SectionBalance, portico.SectionCDR, portico.SectionRateCard,
		portico.SectionPayments, portico.SectionSummary}
	if err := svc.UpdateDomain(ctx, owner, brand); err != nil {
		f.t.Fatal(err)
	}
	acc, err := svc.FindAccountByID(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	acc.RateCardID = &card.ID
	acc.AccessOverrides = nil // every section of the brand
	if err := svc.UpdateAccountAndRateCard(ctx, owner, acc); err != nil {
		f.t.Fatal(err)
	}
	start := time.Now().UTC().Add(-5 * time.Minute).Truncate(time.Second)
	var calls []portico.CDR
	for i, n := range []string{"442071234567", "4930123456", "442079460000"} {
		calls = append(calls, portico.CDR{Switch: "e2e", CallID: fmt.Sprintf("e2e-%d", i), StartTime: start.Add(time.Duration(i) * time.Minute),
			SourceNumber: "+15550100", DestinationNumber: n, Duration: 37 * i, CustomerID: id})
	}
	if _, err := svc.IngestCDRs(ctx, owner, calls, "e2e"); err != nil {
		f.t.Fatal(err)
	}
	if _, err := svc.CreatePayment(ctx, owner, &portico.Payment{AccountID: id, Amount: 50 * portico.MoneyScale, Description: "Wire"}, ""); err != nil {
		f.t.Fatal(err)
	}

	f.open(f.portal("/login"), "portal/login", 200)
	f.login(annEmail, annPassword2, "portal/dashboard", 200)
	f.press("Balance", "portal/balance", 200)
	// 50.00 paid; 0 s to the UK is free; 37 s to Germany on 60/60 bills
	// 60 s at 0.02 = 0.02; 74 s to the UK on 30/6 bills 78 s at 0.012 =
	// 0.0156.
	f.wantText("main dl", "49.9644 USD")
	f.wantText("main table", "Payment", "Call charges", "50.00")
	f.press("CDR", "portal/cdr", 200)
	f.wantList("main table tbody td:nth-child(3)", "442079460000", "4930123456", "442071234567")
	f.fill("f-number", "4930")
	f.tick("f-connected", true)
	f.press("Show calls", "portal/cdr:filtered", 200)
	f.wantList("main table tbody td:nth-child(3)", "4930123456")
	f.wantText("main table", "Germany", "0.02")
	csv := eval[string](f.ui, `fetch(document.querySelector("a[download]").href).then(r => r.text())`)
	if !strings.Contains(csv, start.Add(time.Minute).Format(time.RFC3339)) || !strings.Contains(csv, ",Germany,") ||
		strings.Count(csv, "\n") != 2 {
		f.t.Errorf("the filtered CSV download is not the one call in UTC:\n%s", csv)
	}
	f.press("Rate Card", "portal/rates", 200)
	f.fill("f-q", "germ")
	f.press("Search", "portal/rates:search", 200)
	f.wantList("main table tbody td:nth-child(2)", "Germany")
	ime := eval[string](f.ui, `fetch("/rates/export.json").then(r => r.text())`)
	if !strings.Contains(ime, `"schema_version": "1.0.0"`) {
		f.t.Errorf("the rate card JSON download is not Interconnect Made Easy:\n%s", ime)
	}
	f.press("Payments", "portal/payments", 200)
	f.wantText("main table", "50.00", "Completed", "Wire")
	f.press("Summary", "portal/summary", 200)
	f.wantText("main dl", "3", "2", "0.0356 USD")
	f.press("Log out", "portal/login", 200)
}
