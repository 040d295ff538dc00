package mail

import (
	"html"
	"strings"
	"testing"

	"portico/internal/portico"
)

func sampleData() Data {
	return Data{
		Brand: "Acme Voice", BrandDomain: "portal.acme.example", To: "ann@globex.example", Name: "Ann",
		AccountName: "Globex", AccountKind: "carrier", LoginURL: "https://portal.acme.example/login",
		Link: "https://portal.acme.example/reset?token=abc&x=1", OperatorPanelURL: "https://panel.example/accounts/7",
		ContactName: "Bob", ContactEmail: "bob@globex.example",
	}
}

func TestRenderEveryKindHasBothParts(t *testing.T) {
	for _, kind := range kinds {
		subject, text, htmlBody, err := Render(kind, sampleData())
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if subject == "" || !strings.Contains(text, "Acme Voice") || !strings.Contains(htmlBody, "Acme Voice") ||
			!strings.HasPrefix(htmlBody, "<!DOCTYPE html>") {
			t.Errorf("%s: missing subject or brand:\nsubject %q\ntext %q\nhtml %q", kind, subject, text, htmlBody)
		}
	}
	if _, _, _, err := Render("no_such_kind", sampleData()); err == nil {
		t.Fatal("unknown kind rendered without error")
	}
}

func TestRenderPasswordPlaceholder(t *testing.T) {
	if html.EscapeString(portico.SecretPlaceholder) != portico.SecretPlaceholder {
		t.Fatalf("placeholder %q changes under HTML escaping", portico.SecretPlaceholder)
	}
	for _, kind := range kinds {
		_, text, htmlBody, err := Render(kind, sampleData())
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if kind == KindWelcome || kind == KindPasswordChanged {
			want = 1
		}
		if strings.Count(text, portico.SecretPlaceholder) != want || strings.Count(htmlBody, portico.SecretPlaceholder) != want {
			t.Errorf("%s: placeholder count text=%d html=%d, want %d", kind,
				strings.Count(text, portico.SecretPlaceholder), strings.Count(htmlBody, portico.SecretPlaceholder), want)
		}
	}
	_, text, _, _ := Render(KindWelcome, sampleData())
	for _, want := range []string{"https://portal.acme.example/login", "ann@globex.example", "must choose a new password when you first log in"} {
		if !strings.Contains(text, want) {
			t.Errorf("welcome text lacks %q:\n%s", want, text)
		}
	}
}

func TestRenderLinksAndValidity(t *testing.T) {
	d := sampleData()
	for kind, validity := range map[string]string{KindPasswordReset: "30 minutes", KindVerifyEmail: "24 hours"} {
		_, text, htmlBody, err := Render(kind, d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, d.Link) || !strings.Contains(text, validity) {
			t.Errorf("%s text lacks link or %q:\n%s", kind, validity, text)
		}
		if !strings.Contains(htmlBody, `href="https://portal.acme.example/reset?token=abc&amp;x=1"`) || !strings.Contains(htmlBody, validity) {
			t.Errorf("%s html lacks escaped link or %q:\n%s", kind, validity, htmlBody)
		}
	}
	_, text, _, _ := Render(KindSignupExistingLogin, d)
	if !strings.Contains(text, d.LoginURL) || !strings.Contains(text, "reset your password") {
		t.Errorf("signup_existing_login text:\n%s", text)
	}
	subject, text, _, _ := Render(KindSignupReceived, d)
	if !strings.Contains(text, d.OperatorPanelURL) || !strings.Contains(text, "bob@globex.example") ||
		!strings.Contains(subject, "carrier") || !strings.Contains(subject, "Globex") {
		t.Errorf("signup_received:\nsubject %q\n%s", subject, text)
	}
}

func TestRenderEscapesUserValues(t *testing.T) {
	d := sampleData()
	d.Brand = `Acme <script>alert(1)</script> & "Co"`
	d.Name = "{{.Link}} {{secret}}"
	d.AccountName = "Globex\r\nBcc: victim@example.com"
	d.LoginURL = "javascript:alert(1)"
	d.Color = `red;background:url(x)`
	for _, kind := range kinds {
		subject, text, htmlBody, err := Render(kind, d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(htmlBody, "<script>") || !strings.Contains(htmlBody, "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;") {
			t.Errorf("%s: brand not escaped in HTML:\n%s", kind, htmlBody)
		}
		if !strings.Contains(text, d.Brand) {
			t.Errorf("%s: text part must carry the brand verbatim:\n%s", kind, text)
		}
		// Data is data: template syntax in a value is printed, not run.
		if !strings.Contains(text, "Hello {{.Link}} {{secret}},") {
			t.Errorf("%s: name was interpreted:\n%s", kind, text)
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Errorf("%s: subject holds a line break: %q", kind, subject)
		}
		if strings.Contains(htmlBody, `href="javascript:`) || strings.Contains(htmlBody, "url(x)") {
			t.Errorf("%s: unsafe URL or colour reached the HTML:\n%s", kind, htmlBody)
		}
	}
}
