package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/mail/smtptest"
	"portico/internal/portico"
	"portico/internal/secret"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var ctx = context.Background()

// password is a generated password with characters that HTML escapes.
const password = `Gen<&>"pw'7x`

func newBox(t *testing.T) *secret.Box {
	key := make([]byte, secret.KeySize)
	rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// clock is a settable time source for store.DB.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func useClock(db *store.DB) *clock {
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.t
	}
	return c
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// queueWelcome queues a rendered welcome mail carrying secretText.
func queueWelcome(t *testing.T, db *store.DB, box *secret.Box, to string, domainID *int64, secretText string) *portico.Email {
	t.Helper()
	subject, text, htmlBody, err := Render(KindWelcome, Data{Brand: "Acme Voice", To: to, Name: "Ann",
		LoginURL: "https://portal.acme.example/login"})
	if err != nil {
		t.Fatal(err)
	}
	e := &portico.Email{DomainID: domainID, Brand: "Acme Voice", Kind: KindWelcome, To: to,
		Subject: subject, Text: text, HTML: htmlBody}
	var enc []byte
	if secretText != "" {
		enc = box.Seal(secretText)
	}
	if err := db.Write(ctx, func(q *store.Q) error { return q.EnqueueEmail(ctx, e, enc) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func findEmail(t *testing.T, db *store.DB, id int64) *portico.Email {
	t.Helper()
	e, err := db.Read().FindEmailByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func storedSecret(t *testing.T, db *store.DB, id int64) []byte {
	t.Helper()
	enc, err := db.Read().EmailSecret(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func sendDue(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.SendDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// newWorker returns a worker on db that logs nowhere; def may be nil.
func newWorker(db *store.DB, box *secret.Box, def *SMTPConfig) *Worker {
	return &Worker{DB: db, Box: box, Default: def, Logger: slog.New(slog.DiscardHandler)}
}

func smtpConfig(t *testing.T, srv *smtptest.Server) *SMTPConfig {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL() + "&from=noreply%40operator.example")
	if err != nil {
		t.Fatal(err)
	}
	return &cfg
}

func TestWelcomeDeliveredWithSecretThenErased(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := smtptest.Start(t)
		box := newBox(t)
		var logs bytes.Buffer
		w := &Worker{DB: db, Box: box, Default: smtpConfig(t, srv), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		e := queueWelcome(t, db, box, "ann@globex.example", nil, password)

		if n := sendDue(t, w); n != 1 {
			t.Fatalf("SendDue sent %d, want 1", n)
		}
		m := srv.WaitFor(t, "ann@globex.example", 5*time.Second)
		if !strings.Contains(m.Text, "Password:  "+password+"\n") || strings.Contains(m.Text, portico.SecretPlaceholder) {
			t.Fatalf("text part does not carry the password:\n%s", m.Text)
		}
		if !strings.Contains(m.HTML, ">Gen&lt;&amp;&gt;&#34;pw&#39;7x</td>") || strings.Contains(m.HTML, portico.SecretPlaceholder) {
			t.Fatalf("HTML part does not carry the escaped password:\n%s", m.HTML)
		}
		if m.From != "noreply@operator.example" || !strings.Contains(m.Header.Get("From"), "Acme Voice") {
			t.Fatalf("sender: envelope %q header %q", m.From, m.Header.Get("From"))
		}

		got := findEmail(t, db, e.ID)
		if got.Status != portico.EmailSent || got.Attempts != 1 || got.SentAt == nil || got.HasSecret {
			t.Fatalf("after sending: %+v", got)
		}
		if enc := storedSecret(t, db, e.ID); len(enc) != 0 {
			t.Fatalf("secret still stored after sending: %d bytes", len(enc))
		}
		log, err := db.Read().FindEmails(ctx, portico.EmailFilter{})
		if err != nil || len(log) != 1 {
			t.Fatalf("email log: %v, %v", log, err)
		}
		for _, field := range []string{log[0].Subject, log[0].Text, log[0].HTML, log[0].LastError, logs.String()} {
			if strings.Contains(field, "Gen<") || strings.Contains(field, "Gen&lt;") {
				t.Fatalf("password found in the email log or the application log: %q", field)
			}
		}
		if !strings.Contains(log[0].Text, portico.SecretPlaceholder) {
			t.Fatalf("email log lost the placeholder: %q", log[0].Text)
		}
		if n := sendDue(t, w); n != 0 || len(srv.Messages()) != 1 {
			t.Fatalf("second pass sent %d more (server has %d)", n, len(srv.Messages()))
		}
	})
}

func TestBrandSMTPIsUsedOverDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		operator := smtptest.Start(t)
		brandSrv := smtptest.Start(t, smtptest.WithAuth("acme-relay", "brand-pass"))
		box := newBox(t)
		own := &portico.Domain{Domain: "portal.acme.example", BrandName: "Acme Voice", SMTP: portico.SMTPSettings{
			Host: brandSrv.Host(), Port: brandSrv.Port(), Username: "acme-relay", From: "hello@acme.example", Insecure: true}}
		plain := &portico.Domain{Domain: "portal.plain.example", BrandName: "Plain"}
		if err := db.Write(ctx, func(q *store.Q) error {
			if err := q.CreateDomain(ctx, own, box.Seal("brand-pass")); err != nil {
				return err
			}
			return q.CreateDomain(ctx, plain, nil)
		}); err != nil {
			t.Fatal(err)
		}
		w := newWorker(db, box, smtpConfig(t, operator))
		queueWelcome(t, db, box, "brand@globex.example", &own.ID, password)
		queueWelcome(t, db, box, "nobrand@globex.example", nil, password)
		queueWelcome(t, db, box, "plainbrand@globex.example", &plain.ID, password)

		if n := sendDue(t, w); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		m := brandSrv.WaitFor(t, "brand@globex.example", 5*time.Second)
		if m.AuthUser != "acme-relay" || m.From != "hello@acme.example" || !strings.Contains(m.Text, password) {
			t.Fatalf("brand server got %+v", m)
		}
		operator.WaitFor(t, "nobrand@globex.example", 5*time.Second)
		operator.WaitFor(t, "plainbrand@globex.example", 5*time.Second)
		if len(brandSrv.Messages()) != 1 || len(operator.Messages()) != 2 {
			t.Fatalf("brand server got %d, operator %d; want 1 and 2", len(brandSrv.Messages()), len(operator.Messages()))
		}
	})
}

func TestNoSMTPKeepsMailQueued(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		box := newBox(t)
		w := newWorker(db, box, nil)
		w.NoSMTPWait = 10 * time.Minute
		e := queueWelcome(t, db, box, "ann@globex.example", nil, password)

		if n := sendDue(t, w); n != 0 {
			t.Fatalf("sent %d with no SMTP server", n)
		}
		got := findEmail(t, db, e.ID)
		if got.Status != portico.EmailQueued || got.Attempts != 0 || got.LastError != NoSMTPError ||
			!got.HasSecret || !got.NextAttemptAt.Equal(clk.t.Add(10*time.Minute)) {
			t.Fatalf("without SMTP: %+v", got)
		}
		// Not a hot loop: until the wait is over the message is left alone.
		clk.advance(9 * time.Minute)
		sendDue(t, w)
		if again := findEmail(t, db, e.ID); !again.NextAttemptAt.Equal(got.NextAttemptAt) {
			t.Fatalf("message looked at again before its time: %v", again.NextAttemptAt)
		}

		// Once the operator configures SMTP the message goes out, secret intact.
		srv := smtptest.Start(t)
		w.Default = smtpConfig(t, srv)
		clk.advance(time.Minute)
		if n := sendDue(t, w); n != 1 {
			t.Fatalf("sent %d after configuring SMTP, want 1", n)
		}
		if m := srv.WaitFor(t, "ann@globex.example", 5*time.Second); !strings.Contains(m.Text, password) {
			t.Fatalf("text: %s", m.Text)
		}
		if got := findEmail(t, db, e.ID); got.Status != portico.EmailSent || got.LastError != "" || got.Attempts != 1 {
			t.Fatalf("after sending: %+v", got)
		}
	})
}

func TestFailingServerRetriesWithBackoffThenFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		srv := smtptest.Start(t)
		srv.FailNext(1000)
		box := newBox(t)
		w := newWorker(db, box, smtpConfig(t, srv))
		e := queueWelcome(t, db, box, "ann@globex.example", nil, password)

		for attempt := 1; attempt <= len(defaultRetries)+1; attempt++ {
			if n := sendDue(t, w); n != 0 {
				t.Fatalf("attempt %d: sent %d through a failing server", attempt, n)
			}
			got := findEmail(t, db, e.ID)
			if got.Attempts != attempt || !strings.Contains(got.LastError, "451") || strings.Contains(got.LastError, "Gen<") {
				t.Fatalf("attempt %d: %+v", attempt, got)
			}
			if attempt == len(defaultRetries)+1 {
				if got.Status != portico.EmailFailed || got.HasSecret || len(storedSecret(t, db, e.ID)) != 0 {
					t.Fatalf("after the last attempt: %+v", got)
				}
				break
			}
			wait := defaultRetries[attempt-1]
			if got.Status != portico.EmailQueued || !got.NextAttemptAt.Equal(clk.t.Add(wait)) {
				t.Fatalf("attempt %d: status %s next %v, want queued at +%v", attempt, got.Status, got.NextAttemptAt, wait)
			}
			// Nothing happens before the backoff is over.
			clk.advance(wait - time.Second)
			sendDue(t, w)
			if findEmail(t, db, e.ID).Attempts != attempt {
				t.Fatalf("attempt %d: retried before the backoff ended", attempt)
			}
			clk.advance(time.Second)
		}
		clk.advance(48 * time.Hour)
		if sendDue(t, w); findEmail(t, db, e.ID).Attempts != len(defaultRetries)+1 {
			t.Fatal("a failed message was tried again")
		}
	})
}

func TestRetrySucceedsWithSecretKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		srv := smtptest.Start(t)
		srv.FailNext(2)
		box := newBox(t)
		w := newWorker(db, box, smtpConfig(t, srv))
		w.Retries = []time.Duration{time.Minute, time.Minute}
		e := queueWelcome(t, db, box, "ann@globex.example", nil, password)
		for range 2 {
			sendDue(t, w)
			clk.advance(time.Minute)
		}
		if n := sendDue(t, w); n != 1 {
			t.Fatalf("third attempt sent %d, want 1", n)
		}
		if m := srv.WaitFor(t, "ann@globex.example", 5*time.Second); !strings.Contains(m.Text, password) {
			t.Fatalf("text after retries: %s", m.Text)
		}
		if got := findEmail(t, db, e.ID); got.Status != portico.EmailSent || got.Attempts != 3 || got.LastError != "" {
			t.Fatalf("after retries: %+v", got)
		}
	})
}

// TestTwoNodesSendOnce runs two workers, each with its own database handle
// like two Portico nodes sharing one database, against the same outbox.
func TestTwoNodesSendOnce(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			cfg := engine.Config(t)
			db1, db2 := storetest.Open(t, cfg), storetest.Open(t, cfg)
			clk := useClock(db1)
			db2.Now = db1.Now
			srv := smtptest.Start(t)
			box := newBox(t)
			const total = 20
			for i := range total {
				queueWelcome(t, db1, box, fmt.Sprintf("c%d@globex.example", i), nil, password)
			}

			// The claim itself: the second claimant of a message gets nothing.
			var first, second *portico.Email
			due, err := db1.Read().DueEmails(ctx, 1)
			if err != nil || len(due) != 1 {
				t.Fatalf("due: %v, %v", due, err)
			}
			claim := func(db *store.DB, into **portico.Email) {
				if err := db.Write(ctx, func(q *store.Q) error {
					var err error
					*into, err = q.ClaimEmail(ctx, due[0].ID, q.Now().Add(time.Second))
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			claim(db1, &first)
			claim(db2, &second)
			if first == nil || second != nil {
				t.Fatalf("claims: first won %v, second won %v; want only the first", first != nil, second != nil)
			}

			// Two workers race over the whole outbox.
			clk.advance(time.Second) // the claim above expires
			workers := []*Worker{newWorker(db1, box, smtpConfig(t, srv)), newWorker(db2, box, smtpConfig(t, srv))}
			var wg sync.WaitGroup
			sent := make([]int, len(workers))
			for i, w := range workers {
				wg.Go(func() {
					n, err := w.SendDue(ctx)
					if err != nil {
						t.Error(err)
					}
					sent[i] = n
				})
			}
			wg.Wait()
			if sent[0]+sent[1] != total || len(srv.Messages()) != total {
				t.Fatalf("workers sent %v, server received %d; want %d in all", sent, len(srv.Messages()), total)
			}
			seen := map[string]bool{}
			for _, m := range srv.Messages() {
				if seen[m.To[0]] {
					t.Fatalf("%s received the message twice", m.To[0])
				}
				seen[m.To[0]] = true
			}
		})
	}
}

func TestRunWakesOnKick(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := smtptest.Start(t)
		box := newBox(t)
		w := newWorker(db, box, smtpConfig(t, srv))
		w.PollInterval = time.Hour
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.Run(runCtx)
		}()
		// With an hour between polls, only Kick can deliver these in time.
		for _, to := range []string{"first@globex.example", "second@globex.example"} {
			queueWelcome(t, db, box, to, nil, password)
			w.Kick()
			srv.WaitFor(t, to, 5*time.Second)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	})
}

func TestErrorTextScrubsSecrets(t *testing.T) {
	cfg := &SMTPConfig{Password: "smtp-pass"}
	got := errorText("535 bad login smtp-pass for "+password+" / "+`Gen&lt;&amp;&gt;&#34;pw&#39;7x`, cfg, password)
	if strings.Contains(got, "smtp-pass") || strings.Contains(got, "Gen") || strings.Count(got, "[redacted]") != 3 {
		t.Fatalf("errorText = %q", got)
	}
	if long := errorText(strings.Repeat("é", maxErrorLen), nil, ""); len(long) > maxErrorLen+len("…") || !strings.HasSuffix(long, "…") {
		t.Fatalf("long error not bounded: %d bytes", len(long))
	}
}
