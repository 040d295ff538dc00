package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"portico/internal/app"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web"
	"portico/internal/web/api"
	"portico/internal/web/panel"
	"portico/internal/web/portal"
)

// ServeConfig is everything `portico serve` needs, filled from flags and
// the environment.
type ServeConfig struct {
	DB              DBConfig
	HTTPAddr        string
	PanelHosts      []string
	PortalHost      string
	SMTPURL         string
	SMTPInsecure    bool
	MailFrom        string
	DefaultCurrency string
	PublicPort      string
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	if err := parse(fs, args); err != nil {
		return err
	}
	c.PanelHosts = panelHosts
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

// Server is a running Portico: database, mail worker and HTTP listener.
type Server struct {
	cfg    ServeConfig
	log    *slog.Logger
	db     *store.DB
	svc    *app.Service
	worker *mail.Worker
	ln     net.Listener
	http   *http.Server
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
	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--http: %w", err)
	}
	port := c.PublicPort
	if port == "" {
		_, port, _ = net.SplitHostPort(ln.Addr().String())
	}
	links := app.Links{Scheme: "http", Port: port, PanelHost: c.PanelHosts[0]}
	svc, err := newService(db, c.DB, c.DefaultCurrency, links)
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	worker := &mail.Worker{DB: db, Box: svc.Box, Default: smtp, Logger: log}
	svc.MailKick = worker.Kick
	s := &Server{cfg: c, log: log, db: db, svc: svc, worker: worker, ln: ln, stdout: stdout}
	s.http = &http.Server{
		Handler: web.NewHandler(web.Routes{
			PanelHosts: c.PanelHosts,
			Panel:      panel.New(svc, log),
			API:        api.New(svc, log),
			Portal:     portal.New(svc, log),
			Health:     db.Ping,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if err := s.printSetupLink(ctx); err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	return s, nil
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

// Service exposes the application, for tests and subcommands.
func (s *Server) Service() *app.Service { return s.svc }

// PanelURL is the control panel's address on the first panel host.
func (s *Server) PanelURL() string { return s.svc.Links.URL(s.cfg.PanelHosts[0], "") }

// Serve runs until ctx ends, then shuts down gracefully: in-flight requests
// finish (up to 20 s), the mail worker stops, the database closes.
func (s *Server) Serve(ctx context.Context) error {
	defer s.db.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.worker.Run(ctx) })
	s.log.Info("portico serving", "http", s.Addr(), "panel", s.PanelURL(), "database", s.db.Dialect())
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdown, done := context.WithTimeout(context.Background(), 20*time.Second)
		err = s.http.Shutdown(shutdown)
		done()
	}
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
		s.svc.Links.URL(s.cfg.PanelHosts[0], "/setup?token="+token))
	return nil
}

// Worker exposes the mail worker so tests can shorten its timings before
// Serve starts.
func (s *Server) Worker() *mail.Worker { return s.worker }
