package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"portico/internal/app"
	"portico/internal/certs"
	"portico/internal/dnscheck"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web"
	"portico/internal/web/api"
	"portico/internal/web/httpx"
	"portico/internal/web/panel"
	"portico/internal/web/portal"
)

// ServeConfig is everything `portico serve` needs, filled from flags and
// the environment.
type ServeConfig struct {
	DB DBConfig
	// SIPEndpoint is the operator's SIP endpoint for rate card exports.
	SIPEndpoint string
	// Demo fills the (new, empty) database with the demo brand and prints
	// its logins instead of the setup link.
	Demo            bool
	HTTPAddr        string
	PanelHosts      []string
	PortalHost      string
	SMTPURL         string
	SMTPInsecure    bool
	MailFrom        string
	DefaultCurrency string
	PublicPort      string
	// TrustedProxies are CIDRs of reverse proxies whose X-Forwarded-For
	// (client address) and X-Forwarded-Proto are believed.
	TrustedProxies []string

	// HTTPS and custom domains.
	HTTPSAddr     string // "" = no HTTPS
	ACMEDirectory string
	ACMEEmail     string
	ACMECARoot    string // PEM file of roots to trust for the ACME server
	DNSResolver   string // host:port; "" = the system's

	// Tuning with no flag: zero values mean the defaults; tests shorten
	// them.
	ACMEIssuancesPerHour   int           // new certificates per hour, all nodes (60)
	CertRenewCheckInterval time.Duration // certmagic's renewal check (10 min)
	CertReconcileInterval  time.Duration // names vs database (5 s)
	DNSCheckInterval       time.Duration // looking for due DNS checks (30 s)
	DNSGrace               time.Duration // portico.DNSGracePeriod
	// ACMEDisableHTTP01 and ACMEDisableTLSALPN01 leave one challenge type
	// out (tests use them to prove each one works on its own).
	ACMEDisableHTTP01, ACMEDisableTLSALPN01 bool
}

// defaultIssuancesPerHour caps new certificates per hour: far below Let's
// Encrypt's account limit (300 orders per 3 hours), so a flood of domains
// or a bug cannot lock the operator out of the CA.
const defaultIssuancesPerHour = 60

// serveGCPercent is the garbage collector's target for serve unless GOGC
// is set. A server's live heap is small (tens of MB) while every page
// allocates its rows and markup, so at Go's default of 100 the collector
// ran several times a second under load: at 400, /cdr under 32
// connections went from 1,370–1,600 to 1,670–2,090 pages/s, CPU per page
// from 1.15–1.33 to 0.89–1.11 ms (PERFORMANCE.md), for a heap that peaks
// at a few times the live one.
const serveGCPercent = 400

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	fs := newFlagSet("serve", stderr)
	var c ServeConfig
	c.DB.register(fs)
	panelHosts := listFlag{"localhost"}
	smtpURLFile := ""
	fs.StringVar(&c.HTTPAddr, "http", "localhost:8080", "address of the HTTP listener (control panel and portals)")
	fs.Var(&panelHosts, "panel-host", "comma-separated host names that serve the control panel")
	fs.StringVar(&c.PortalHost, "portal-host", "", "host name customers point their portal domains' CNAME at")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "operator SMTP server, smtp://user:pass@host:port or smtps://… (better: PORTICO_SMTP_URL or --smtp-url-file)")
	fs.StringVar(&smtpURLFile, "smtp-url-file", "", "file holding the SMTP URL, so the password is not on the command line")
	fs.BoolVar(&c.SMTPInsecure, "smtp-insecure", false, "allow SMTP without STARTTLS/TLS (local relays only)")
	fs.StringVar(&c.MailFrom, "mail-from", "", "From address of the operator's mail (required with --smtp-url)")
	fs.StringVar(&c.DefaultCurrency, "default-currency", "USD", "currency of new accounts when none is chosen")
	fs.StringVar(&c.PublicPort, "public-port", "", "port used in emailed links when a proxy fronts Portico (default: the listener's port)")
	trustedProxies := listFlag{}
	fs.Var(&trustedProxies, "trusted-proxy", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed (default: none; the socket's peer is the client)")
	fs.StringVar(&c.HTTPSAddr, "https", "", "address of the HTTPS listener, e.g. :443; turns on automatic certificates (ACME) for verified portal domains and panel hosts")
	fs.StringVar(&c.ACMEDirectory, "acme-directory", certs.LetsEncryptProduction, "ACME directory URL (Let's Encrypt staging: "+certs.LetsEncryptStaging+")")
	fs.StringVar(&c.ACMEEmail, "acme-email", "", "contact email for the ACME account (the CA's notices about certificates)")
	fs.StringVar(&c.ACMECARoot, "acme-ca-root", "", "PEM file of the root certificate(s) to trust for the ACME server (private CAs, tests)")
	fs.StringVar(&c.DNSResolver, "dns-resolver", "", "host:port of the DNS resolver used to verify portal domains (default: the system's)")
	fs.StringVar(&c.SIPEndpoint, "sip-endpoint", "", "the operator's SIP endpoint (host or host:port) named in rate card downloads (default: the brand's domain, port 5060)")
	demo := false
	fs.BoolVar(&demo, "demo", false, "create a demo brand (demo.localhost) with accounts, rates, payments and a month of calls, and print its logins; needs a new, empty data folder (a temporary one when --data is not given)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.Demo = demo; demo {
		if err := prepareDemo(&c, stdout); err != nil {
			return err
		}
	}
	c.PanelHosts = panelHosts
	c.TrustedProxies = trustedProxies
	if smtpURLFile != "" {
		b, err := os.ReadFile(smtpURLFile)
		if err != nil {
			return fmt.Errorf("--smtp-url-file: %w", err)
		}
		c.SMTPURL = strings.TrimSpace(string(b))
	}
	srv, err := NewServer(ctx, c, stdout, newLogger(stderr))
	if err != nil {
		return err
	}
	return srv.Serve(ctx)
}

// Server is a running Portico: database, mail worker, DNS checks,
// certificates and the HTTP and HTTPS listeners.
type Server struct {
	cfg    ServeConfig
	log    *slog.Logger
	db     *store.DB
	svc    *app.Service
	worker *mail.Worker
	dns    *app.DNSWorker
	certs  *certs.Manager // nil without --https
	ln     net.Listener
	tlsLn  net.Listener // nil without --https
	http   *http.Server
	https  *http.Server
	stdout io.Writer
}

// NewServer opens and migrates the database, binds the listener and wires
// every part; Serve then runs it. Binding here lets tests use port 0 and
// read the address before serving.
func NewServer(ctx context.Context, c ServeConfig, stdout io.Writer, log *slog.Logger) (*Server, error) {
	if err := validateServe(&c); err != nil {
		return nil, err
	}
	var smtp *mail.SMTPConfig
	if c.SMTPURL != "" {
		cfg, err := mail.ParseSMTPURL(c.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		cfg.Insecure = cfg.Insecure || c.SMTPInsecure
		if c.MailFrom != "" {
			cfg.From = c.MailFrom
		}
		if cfg.From == "" {
			return nil, errors.New("--mail-from (or ?from= in the SMTP URL) is required with --smtp-url")
		}
		smtp = &cfg
	}
	db, err := openDB(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: c, log: log, db: db, stdout: stdout}
	fail := func(err error) (*Server, error) {
		for _, l := range []net.Listener{s.ln, s.tlsLn} {
			if l != nil {
				l.Close()
			}
		}
		db.Close()
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", c.HTTPAddr); err != nil {
		return fail(fmt.Errorf("--http: %w", err))
	}
	links := app.Links{Scheme: "http", Port: c.PublicPort, PanelHost: c.PanelHosts[0]}
	if links.Port == "" {
		_, links.Port, _ = net.SplitHostPort(s.ln.Addr().String())
	}
	if c.HTTPSAddr != "" {
		if s.tlsLn, err = net.Listen("tcp", c.HTTPSAddr); err != nil {
			return fail(fmt.Errorf("--https: %w", err))
		}
		// Emailed links go over HTTPS: a reset token must not cross the
		// network in the clear, even on its way to a redirect.
		links.Scheme, links.Port = "https", c.PublicPort
		if links.Port == "" {
			_, links.Port, _ = net.SplitHostPort(s.tlsLn.Addr().String())
		}
	}
	if s.svc, err = newService(db, c.DB, c.DefaultCurrency, links); err != nil {
		return fail(err)
	}
	s.svc.SIPEndpoint = c.SIPEndpoint
	svc := s.svc
	s.worker = &mail.Worker{DB: db, Box: svc.Box, Default: smtp, Logger: log}
	svc.MailKick = s.worker.Kick
	svc.TLS = app.DomainTLS{PortalHost: c.PortalHost, Grace: c.DNSGrace}
	if c.PortalHost != "" {
		checker, err := dnscheck.New(c.DNSResolver)
		switch {
		case err != nil && c.DNSResolver != "":
			return fail(fmt.Errorf("--dns-resolver: %w", err))
		case err != nil:
			log.Warn("portal domains cannot be verified", "err", err)
		default:
			svc.TLS.DNS = checker
		}
	}
	s.dns = &app.DNSWorker{Svc: svc, Logger: log, Interval: c.DNSCheckInterval}
	proxies, err := httpx.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return fail(fmt.Errorf("--trusted-proxy: %s", portico.ErrorMessage(err)))
	}
	routes := web.Routes{
		PanelHosts: c.PanelHosts,
		Panel:      panel.New(svc, log),
		API:        api.New(svc, log),
		Portal:     portal.New(svc, log),
		Health:     db.Ping,
	}
	routes.TrustedProxies = proxies
	if s.tlsLn != nil {
		if s.certs, err = newCertManager(c, db, svc.Box, log, s.ln.Addr().String(), s.tlsLn.Addr().String(), links.Port); err != nil {
			return fail(err)
		}
		svc.TLS.Certs = s.certs
		routes.TLS = s.certs
	}
	handler := web.NewHandler(routes)
	s.http = newHTTPServer(handler, log)
	if s.tlsLn != nil {
		s.https = newHTTPServer(handler, log)
		s.https.TLSConfig = s.certs.TLSConfig()
	}
	if c.Demo {
		if err := seedDemo(ctx, s, stdout); err != nil {
			return fail(fmt.Errorf("demo: %w", err))
		}
	} else if err := s.printSetupLink(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// newCertManager wires ACME for the bound listeners.
func newCertManager(c ServeConfig, db *store.DB, box certs.Sealer, log *slog.Logger, httpAddr, httpsAddr, httpsPort string) (*certs.Manager, error) {
	var roots *x509.CertPool
	if c.ACMECARoot != "" {
		pemBytes, err := os.ReadFile(c.ACMECARoot)
		if err != nil {
			return nil, fmt.Errorf("--acme-ca-root: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pemBytes) {
			return nil, fmt.Errorf("--acme-ca-root: %s holds no PEM certificate", c.ACMECARoot)
		}
	}
	perHour := c.ACMEIssuancesPerHour
	if perHour == 0 {
		perHour = defaultIssuancesPerHour
	}
	return certs.New(certs.Config{
		DB: db, Box: box, Logger: log,
		Directory: c.ACMEDirectory, Email: c.ACMEEmail, CARoots: roots,
		PanelHosts: c.PanelHosts, HTTPAddr: httpAddr, HTTPSAddr: httpsAddr, HTTPSPort: httpsPort,
		IssuancesPerHour: perHour, Grace: c.DNSGrace,
		DisableHTTP01: c.ACMEDisableHTTP01, DisableTLSALPN01: c.ACMEDisableTLSALPN01,
		RenewCheckInterval: c.CertRenewCheckInterval, ReconcileInterval: c.CertReconcileInterval,
	})
}

func validateServe(c *ServeConfig) error {
	f := portico.FieldErrors{}
	if len(c.PanelHosts) == 0 {
		f.Add("panel-host", "--panel-host needs at least one host name")
	}
	if c.MailFrom != "" && portico.ValidateEmail(portico.NormalizeEmail(c.MailFrom)) != "" {
		f.Add("mail-from", "--mail-from must be an email address")
	}
	if c.PortalHost != "" && portico.NormalizeHost(c.PortalHost) == "" {
		f.Add("portal-host", "--portal-host must be a host name like portal.example.net")
	}
	c.PortalHost = portico.NormalizeHost(c.PortalHost)
	if len(c.DefaultCurrency) != 3 || strings.ToUpper(c.DefaultCurrency) != c.DefaultCurrency {
		f.Add("default-currency", "--default-currency must be a three-letter code like USD")
	}
	if c.HTTPSAddr != "" {
		if c.ACMEDirectory == "" {
			c.ACMEDirectory = certs.LetsEncryptProduction
		}
		if u, err := url.Parse(c.ACMEDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			f.Add("acme-directory", "--acme-directory must be an https:// ACME directory URL")
		}
		if c.ACMEEmail != "" && portico.ValidateEmail(portico.NormalizeEmail(c.ACMEEmail)) != "" {
			f.Add("acme-email", "--acme-email must be an email address")
		}
	}
	if err := f.Err(); err != nil {
		var msgs []string
		for _, m := range f {
			msgs = append(msgs, m)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// Addr is the listener's address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// HTTPSAddr is the HTTPS listener's address, "" without --https.
func (s *Server) HTTPSAddr() string {
	if s.tlsLn == nil {
		return ""
	}
	return s.tlsLn.Addr().String()
}

// Certs is the certificate manager, nil without --https.
func (s *Server) Certs() *certs.Manager { return s.certs }

// DNSWorker exposes the periodic DNS checks so tests can run them now.
func (s *Server) DNSWorker() *app.DNSWorker { return s.dns }

// Service exposes the application, for tests and subcommands.
func (s *Server) Service() *app.Service { return s.svc }

// PanelURL is the control panel's address on the first panel host.
func (s *Server) PanelURL() string { return s.panelLinks().URL(s.cfg.PanelHosts[0], "") }

// panelLinks builds links to the first panel host: over HTTPS like every
// emailed link, except when that host can have no certificate (localhost,
// an IP address), which goes on being served over plain HTTP.
func (s *Server) panelLinks() app.Links {
	l := s.svc.Links
	if l.Scheme == "https" && !certs.PanelHostQualifies(portico.NormalizeHost(s.cfg.PanelHosts[0])) {
		l.Scheme = "http"
		_, l.Port, _ = net.SplitHostPort(s.Addr())
	}
	return l
}

// Serve runs until ctx ends, then shuts down gracefully: in-flight requests
// finish (up to 20 s), the mail worker stops, the database closes.
func (s *Server) Serve(ctx context.Context) error {
	defer s.db.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.worker.Run(ctx) })
	wg.Go(func() { s.dns.Run(ctx) })
	if s.certs != nil {
		wg.Go(func() { s.certs.Run(ctx) })
	}
	s.log.Info("portico serving", "http", s.Addr(), "https", s.HTTPSAddr(), "panel", s.PanelURL(), "database", s.db.Dialect())
	errc := make(chan error, 2)
	go func() { errc <- s.http.Serve(s.ln) }()
	if s.https != nil {
		go func() { errc <- s.https.ServeTLS(s.tlsLn, "", "") }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	shutdown, done := context.WithTimeout(context.Background(), 20*time.Second)
	for _, srv := range []*http.Server{s.http, s.https} {
		if srv != nil {
			if e := srv.Shutdown(shutdown); e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
				err = e
			}
		}
	}
	done()
	cancel()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.log.Info("portico stopped")
	return err
}

// printSetupLink prints, to the terminal and not the log, a one-time link
// for creating the first owner when none exists, so that the README's first
// command is all a newcomer needs.
func (s *Server) printSetupLink(ctx context.Context) error {
	token, err := s.svc.NewSetupToken(ctx)
	if err != nil || token == "" {
		return err
	}
	fmt.Fprintf(s.stdout, "\nNo owner account yet. Open this link within 24 hours to create one:\n\n    %s\n\n",
		s.panelLinks().URL(s.cfg.PanelHosts[0], "/setup?token="+token))
	return nil
}

// Worker exposes the mail worker so tests can shorten its timings before
// Serve starts.
func (s *Server) Worker() *mail.Worker { return s.worker }
