package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"portico/internal/mail/smtptest"
)

func TestParseSMTPURL(t *testing.T) {
	good := []struct {
		raw  string
		want SMTPConfig
	}{
		{"smtp://mail.example.com", SMTPConfig{Host: "mail.example.com", Port: 587}},
		{"smtp://u%40x.example:p%40ss%2F%3Aw@mail.example.com:2525",
			SMTPConfig{Host: "mail.example.com", Port: 2525, Username: "u@x.example", Password: "p@ss/:w"}},
		{"smtps://user:pw@mail.example.com", SMTPConfig{Host: "mail.example.com", Port: 465, Username: "user", Password: "pw", ImplicitTLS: true}},
		{"smtps://mail.example.com:1465/", SMTPConfig{Host: "mail.example.com", Port: 1465, ImplicitTLS: true}},
		{"smtp://127.0.0.1:25?insecure=true&from=noreply%40acme.example",
			SMTPConfig{Host: "127.0.0.1", Port: 25, Insecure: true, From: "noreply@acme.example"}},
		{"SMTP://[::1]:25?insecure=1", SMTPConfig{Host: "::1", Port: 25, Insecure: true}},
	}
	for _, tc := range good {
		got, err := ParseSMTPURL(tc.raw)
		if err != nil || got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tc.raw, got, err, tc.want)
		}
	}
	const pw = "Hunter2-secret"
	bad := []struct{ raw, wantErr string }{
		{"", "smtp://"},
		{"http://user:" + pw + "@mail.example.com", "must start with smtp://"},
		{"mail.example.com:587", "must start with smtp://"},
		{"smtp://user:" + pw + "@", "no host"},
		{"smtp://user:" + pw + "@mail.example.com:0", "port"},
		{"smtp://user:" + pw + "@mail.example.com:70000", "port"},
		{"smtp://user:" + pw + "@mail.example.com:x", "not valid"},
		{"smtp://user:" + pw + "@mail.example.com/path", "not valid"},
		{"smtp://user:" + pw + "@mail.example.com?tls=off", "unknown parameter"},
		{"smtp://user:" + pw + "@mail.example.com?insecure=maybe", "insecure must be"},
		{"smtps://user:" + pw + "@mail.example.com?insecure=true", "contradicts"},
		// Unencoded "/" and "%" end up in the parser's own error text.
		{"smtp://user:Hunter2/" + pw + "@mail.example.com", "not valid"},
		{"smtp://user:%zz" + pw + "@mail.example.com", "not valid"},
	}
	for _, tc := range bad {
		_, err := ParseSMTPURL(tc.raw)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseSMTPURL(%q) error = %v, want one mentioning %q", tc.raw, err, tc.wantErr)
			continue
		}
		if strings.Contains(err.Error(), "Hunter2") || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseSMTPURL(%q) error leaks the password: %v", tc.raw, err)
		}
	}
}

func TestSendRequiresSTARTTLSUnlessInsecure(t *testing.T) {
	srv := smtptest.Start(t) // offers no STARTTLS
	m := outgoing{FromName: "Acme", To: "ann@globex.example", Subject: "Hi", Text: "text", HTML: "<p>html</p>"}
	cfg := SMTPConfig{Host: srv.Host(), Port: srv.Port(), From: "noreply@acme.example"}
	err := send(context.Background(), cfg, m)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("send without TLS: got %v, want a STARTTLS refusal", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server received %d messages over a connection that should have been refused", n)
	}
	cfg.Insecure = true
	if err := send(context.Background(), cfg, m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "ann@globex.example", 5*time.Second)
	if got.From != "noreply@acme.example" || got.Header.Get("From") != `"Acme" <noreply@acme.example>` ||
		got.Subject != "Hi" || got.Text != "text" || got.HTML != "<p>html</p>" || got.AuthUser != "" {
		t.Fatalf("received %+v", got)
	}
}

func TestSendAuthenticates(t *testing.T) {
	const pw = "s3cret:p@ss"
	srv := smtptest.Start(t, smtptest.WithAuth("relay", pw))
	cfg, err := ParseSMTPURL(srv.URL() + "&from=noreply%40acme.example")
	if err != nil {
		t.Fatal(err)
	}
	m := outgoing{To: "ann@globex.example", Subject: "Hi", Text: "text"}
	if err := send(context.Background(), cfg, m); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, "ann@globex.example", 5*time.Second); got.AuthUser != "relay" || got.HTML != "" {
		t.Fatalf("received %+v", got)
	}
	cfg.Password = "wrong-" + pw
	err = send(context.Background(), cfg, m)
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("wrong password: got %v, want an error that does not quote the password", err)
	}
	cfg.Username = ""
	if err := send(context.Background(), cfg, m); err == nil {
		t.Fatal("sent without AUTH to a server that requires it")
	}
}
