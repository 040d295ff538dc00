package smtptest_test

import (
	"net/smtp"
	"strings"
	"testing"
	"time"

	"portico/internal/mail/smtptest"
)

// raw is a multipart message with a quoted-printable text part, a base64
// HTML part and an RFC 2047 subject, as real clients send them.
const raw = "From: Acme <noreply@acme.example>\r\n" +
	"To: ann@globex.example\r\n" +
	"Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=BOUND\r\n" +
	"\r\n" +
	"--BOUND\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Password: a=3Db=C3=A9 and a long line that is soft-=\r\nbroken\r\n" +
	"--BOUND\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+SGVsbG8gJmFtcDsg\r\nd2VsY29tZTwvcD4=\r\n" +
	"--BOUND--\r\n"

func TestServerDecodesAndRecords(t *testing.T) {
	srv := smtptest.Start(t)
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") || srv.URL() != "smtp://"+srv.Addr()+"?insecure=true" {
		t.Fatalf("addr %q url %q", srv.Addr(), srv.URL())
	}
	if err := smtp.SendMail(srv.Addr(), nil, "bounce@acme.example", []string{"ann@globex.example"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, "ANN@globex.example", 5*time.Second)
	if m.From != "bounce@acme.example" || m.Subject != "Grüße" || m.Header.Get("From") != "Acme <noreply@acme.example>" {
		t.Fatalf("envelope or headers: %+v", m)
	}
	if m.Text != "Password: a=bé and a long line that is soft-broken" {
		t.Fatalf("text = %q", m.Text)
	}
	if m.HTML != "<p>Hello &amp; welcome</p>" {
		t.Fatalf("html = %q", m.HTML)
	}
	if len(srv.Messages()) != 1 || !strings.Contains(string(m.Raw), "boundary=BOUND") {
		t.Fatalf("messages: %d", len(srv.Messages()))
	}
}

func TestServerAuthAndFailNext(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithAuth("user", "p@ss/word"))
	if srv.URL() != "smtp://user:p%40ss%2Fword@"+srv.Addr()+"?insecure=true" {
		t.Fatalf("url %q", srv.URL())
	}
	msg := []byte("Subject: hi\r\n\r\nbody\r\n")
	to := []string{"ann@globex.example"}
	if err := smtp.SendMail(srv.Addr(), nil, "a@acme.example", to, msg); err == nil {
		t.Fatal("sent without AUTH to a server that requires it")
	}
	wrong := smtp.PlainAuth("", "user", "nope", "127.0.0.1")
	if err := smtp.SendMail(srv.Addr(), wrong, "a@acme.example", to, msg); err == nil {
		t.Fatal("sent with a wrong password")
	}
	right := smtp.PlainAuth("", "user", "p@ss/word", "127.0.0.1")
	srv.FailNext(1)
	err := smtp.SendMail(srv.Addr(), right, "a@acme.example", to, msg)
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("FailNext(1): got %v, want a 451", err)
	}
	if err := smtp.SendMail(srv.Addr(), right, "a@acme.example", to, msg); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, to[0], 5*time.Second); m.AuthUser != "user" || m.Text != "body\n" {
		t.Fatalf("got %+v", m)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("recorded %d messages, want 1 (failed transactions record nothing)", n)
	}
	// A second mail to the same address is a new WaitFor result.
	if err := smtp.SendMail(srv.Addr(), right, "a@acme.example", to, []byte("Subject: two\r\n\r\nsecond\r\n")); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, to[0], 5*time.Second); m.Subject != "two" {
		t.Fatalf("second WaitFor returned %q", m.Subject)
	}
}
