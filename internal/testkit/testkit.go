// Package testkit boots the whole product in-process, as `portico serve`
// would run it, on a random loopback port with a fresh database and a real
// SMTP server, for end-to-end and browser tests.
package testkit

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/cli"
	"portico/internal/dnscheck/dnstest"
	"portico/internal/mail/smtptest"
	"portico/internal/store/storetest"
)

// Instance is a running Portico.
type Instance struct {
	Server *cli.Server
	SMTP   *smtptest.Server
	// Port is the listener's port; every host name reaches it through Client.
	Port string
	// Stdout is what serve printed to the terminal (the setup link).
	Stdout *syncBuffer
	// Logs is everything logged, to check that no secret was.
	Logs        *syncBuffer
	Data        string
	DatabaseURL string // "" on SQLite
}

// Options change how an instance boots.
type Options struct {
	// Configure edits the serve configuration before boot.
	Configure func(*cli.ServeConfig)
	// BeforeServe runs after wiring and before serving (e.g. to shorten
	// the mail worker's retry timings).
	BeforeServe func(*cli.Server)
}

// Each runs fn on an instance per database engine (SQLite, and PostgreSQL
// when PORTICO_TEST_DATABASE_URL is set).
func Each(t *testing.T, opts Options, fn func(t *testing.T, in *Instance)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			fn(t, Boot(t, cli.DBConfig{Data: t.TempDir(), DatabaseURL: cfg.DatabaseURL}, opts))
		})
	}
}

// Boot starts an instance on 127.0.0.1:0 and stops it when the test ends.
func Boot(t testing.TB, db cli.DBConfig, opts Options) *Instance {
	t.Helper()
	smtp := smtptest.Start(t)
	in := &Instance{SMTP: smtp, Stdout: &syncBuffer{}, Logs: &syncBuffer{}, Data: db.Data, DatabaseURL: db.DatabaseURL}
	cfg := cli.ServeConfig{
		DB:              db,
		HTTPAddr:        "127.0.0.1:0",
		PanelHosts:      []string{"localhost", "127.0.0.1"},
		PortalHost:      "portal.operator.test",
		SMTPURL:         smtp.URL(),
		SMTPInsecure:    true,
		MailFrom:        "noreply@operator.test",
		DefaultCurrency: "USD",
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	if cfg.DNSResolver == "" {
		// Domain checks ask a DNS server on loopback with an empty zone,
		// never the machine's resolver.
		cfg.DNSResolver = dnstest.Start(t).Addr
	}
	log := slog.New(slog.NewTextHandler(in.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := cli.NewServer(ctx, cfg, in.Stdout, log)
	if err != nil {
		cancel()
		t.Fatalf("boot portico: %v", err)
	}
	if opts.BeforeServe != nil {
		opts.BeforeServe(srv)
	}
	in.Server = srv
	_, in.Port, _ = net.SplitHostPort(srv.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("portico did not shut down within 30 s")
		}
	})
	return in
}

// URL is an absolute URL on host (e.g. "localhost", "acme.localhost").
func (in *Instance) URL(host, path string) string {
	return "http://" + net.JoinHostPort(host, in.Port) + path
}

// Client returns an HTTP client with its own cookie jar that dials the
// instance whatever host a URL names (Go's resolver does not send
// *.localhost to loopback) and does not follow redirects, so tests see
// every 303.
func (in *Instance) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	addr := in.Server.Addr()
	return &http.Client{
		Jar: jar,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

var setupLinkRE = regexp.MustCompile(`http://\S+/setup\?token=\S+`)

// SetupLink returns the first-owner link serve printed.
func (in *Instance) SetupLink(t testing.TB) string {
	t.Helper()
	link := setupLinkRE.FindString(in.Stdout.String())
	if link == "" {
		t.Fatalf("serve printed no setup link; stdout:\n%s", in.Stdout.String())
	}
	return link
}

// syncBuffer is a bytes.Buffer safe for the server's and the test's
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Contains reports whether s was written.
func (b *syncBuffer) Contains(s string) bool { return strings.Contains(b.String(), s) }

var _ io.Writer = (*syncBuffer)(nil)
