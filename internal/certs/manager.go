// Package certs gets, stores, renews and serves TLS certificates for the
// portal domains and panel hosts Portico may hold them for, with certmagic
// as the ACME client and Portico's database as certmagic's storage.
//
// Nothing here asks DNS: whether a name may have a certificate is decided
// from the domains table alone (see Policy), on every handshake and again
// before every order, so no client can make Portico order a certificate
// for a name that is not a verified portal domain or a configured panel
// host.
package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3"

	"portico/internal/portico"
	"portico/internal/store"
)

// Let's Encrypt's directories.
const (
	LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory"
	LetsEncryptStaging    = "https://acme-staging-v02.api.letsencrypt.org/directory"
)

// Config is what a Manager needs.
type Config struct {
	DB     *store.DB
	Box    Sealer // seals private keys at rest; nil stores them as they are
	Logger *slog.Logger
	// Directory is the ACME directory URL; Email the ACME account contact.
	Directory, Email string
	// CARoots, when set, are the only roots trusted for the ACME server's
	// own HTTPS (a private CA, or a test CA).
	CARoots    *x509.CertPool
	PanelHosts []string
	// HTTPAddr and HTTPSAddr are the bound listeners. Challenges are
	// answered on them, so certmagic is told their ports and never binds
	// its own.
	HTTPAddr, HTTPSAddr string
	// HTTPSPort is the port put in redirects to HTTPS ("" or "443": none).
	HTTPSPort string
	// IssuancesPerHour caps new certificates ordered per hour by all nodes
	// together (renewals are not capped); 0 means no cap.
	IssuancesPerHour int
	// Grace is how long a domain that stopped pointing at Portico keeps
	// its certificate (portico.DNSGracePeriod when 0).
	Grace time.Duration
	// RenewCheckInterval is how often certificates are checked for renewal
	// (certmagic's default, 10 minutes, when 0); ReconcileInterval how often
	// the set of names is compared with the database (5 s when 0).
	RenewCheckInterval, ReconcileInterval time.Duration
	// DisableHTTP01 and DisableTLSALPN01 leave a challenge type out.
	DisableHTTP01, DisableTLSALPN01 bool
}

// Manager holds the certificate cache and keeps it in line with the
// database: names that may have certificates get them (eagerly, and on
// demand at the first handshake), names that may not lose them.
type Manager struct {
	db        *store.DB
	log       *slog.Logger
	policy    *Policy
	storage   *Storage
	cache     *certmagic.Cache
	managed   *certmagic.Config // no on-demand: eager management, background renewal
	onDemand  *certmagic.Config // handshakes: serves, loads or obtains after Policy.Decide
	issuer    *certmagic.ACMEIssuer
	httpsPort string
	perHour   int
	every     time.Duration
	kick      chan struct{}

	mu       sync.Mutex
	managing map[string]managed
}

// New wires certmagic; Run must then be running for certificates to be
// obtained eagerly and dropped when no longer allowed.
func New(c Config) (*Manager, error) {
	if c.Grace == 0 {
		c.Grace = portico.DNSGracePeriod
	}
	if c.ReconcileInterval == 0 {
		c.ReconcileInterval = 5 * time.Second
	}
	httpHost, httpPort, err := hostPort(c.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTP address: %w", err)
	}
	_, tlsPort, err := hostPort(c.HTTPSAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTPS address: %w", err)
	}
	zl := zapToSlog(c.Logger)
	m := &Manager{
		db: c.DB, log: c.Logger, httpsPort: c.HTTPSPort, perHour: c.IssuancesPerHour, every: c.ReconcileInterval,
		kick: make(chan struct{}, 1), managing: map[string]managed{},
		policy:  NewPolicy(c.DB, c.Box, c.Logger, c.PanelHosts, c.Grace),
		storage: NewStorage(c.DB, c.Box, c.Logger),
	}
	m.cache = certmagic.NewCache(certmagic.CacheOptions{
		// Every cached certificate is maintained by the managed config, so
		// renewal runs in the background even for certificates first loaded
		// by a handshake.
		GetConfigForCert:   func(certmagic.Certificate) (*certmagic.Config, error) { return m.managed, nil },
		RenewCheckInterval: c.RenewCheckInterval,
		Logger:             zl,
	})
	base := certmagic.Config{Storage: m.storage, Logger: zl, OnEvent: m.onEvent}
	issuer := certmagic.ACMEIssuer{
		CA: c.Directory, Email: c.Email, Agreed: true, TrustedRoots: c.CARoots,
		// Our own listeners answer both challenges (HTTP-01 through
		// HandleHTTPChallenge, TLS-ALPN-01 through GetCertificate), from
		// the database, so any node can answer for any other.
		ListenHost: httpHost, AltHTTPPort: httpPort, AltTLSALPNPort: tlsPort,
		DisableHTTPChallenge: c.DisableHTTP01, DisableTLSALPNChallenge: c.DisableTLSALPN01,
		Logger: zl,
	}
	m.managed = certmagic.New(m.cache, base)
	m.issuer = certmagic.NewACMEIssuer(m.managed, issuer)
	m.managed.Issuers = []certmagic.Issuer{m.issuer}
	od := base
	od.OnDemand = &certmagic.OnDemandConfig{DecisionFunc: m.policy.Decide}
	m.onDemand = certmagic.New(m.cache, od)
	m.onDemand.Issuers = []certmagic.Issuer{certmagic.NewACMEIssuer(m.onDemand, issuer)}
	return m, nil
}

func hostPort(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	return h, n, err
}

// Policy is the decision the manager applies.
func (m *Manager) Policy() *Policy { return m.policy }

// Storage is the manager's certmagic storage.
func (m *Manager) Storage() *Storage { return m.storage }

// TLSConfig is the configuration of the HTTPS listener.
func (m *Manager) TLSConfig() *tls.Config {
	return &tls.Config{
		GetCertificate: m.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1", acmez.ACMETLS1Protocol},
		MinVersion:     tls.VersionTLS12,
	}
}

var errNoCertificate = errors.New("no certificate for this server name")

// GetCertificate picks the certificate for a handshake: an uploaded one,
// else certmagic's (from memory, the database, or a new order), but only
// for a name Policy allows. No SNI, an IP address or a wildcard gets
// nothing, and nothing is looked up for them.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acmez.ACMETLS1Protocol {
		// A CA validating TLS-ALPN-01: certmagic answers only for a
		// challenge one of our nodes started, which Policy allowed.
		return m.onDemand.GetCertificate(hello)
	}
	ctx := hello.Context()
	name := portico.NormalizeHost(hello.ServerName)
	if name == "" {
		return nil, errNoCertificate
	}
	if c := m.policy.Uploaded(ctx, name); c != nil {
		return c, nil
	}
	if err := m.policy.Decide(ctx, name); err != nil {
		return nil, errNoCertificate
	}
	return m.onDemand.GetCertificate(hello)
}

// HandleHTTPChallenge answers an ACME HTTP-01 challenge for any host and
// reports whether r was one.
func (m *Manager) HandleHTTPChallenge(w http.ResponseWriter, r *http.Request) bool {
	return m.issuer.HandleHTTPChallenge(w, r)
}

// HTTPSRedirect returns where a plain-HTTP request should go instead: the
// same URL over HTTPS once the host has a usable certificate, else "".
func (m *Manager) HTTPSRedirect(r *http.Request) string {
	name := portico.NormalizeHost(r.Host)
	if name == "" || !m.HasCertificate(r.Context(), name) {
		return ""
	}
	host := name
	if m.httpsPort != "" && m.httpsPort != "443" {
		host = net.JoinHostPort(name, m.httpsPort)
	}
	return "https://" + host + r.URL.RequestURI()
}

// HasCertificate reports whether a handshake for name would get a valid
// certificate right now on this node.
func (m *Manager) HasCertificate(ctx context.Context, name string) bool {
	if c := m.policy.Uploaded(ctx, name); c != nil {
		return c.Leaf == nil || time.Now().Before(c.Leaf.NotAfter)
	}
	if m.policy.Decide(ctx, name) != nil {
		return false
	}
	for _, c := range m.cache.AllMatchingCertificates(name) {
		if !c.Expired() && c.Leaf != nil && time.Now().After(c.Leaf.NotBefore) {
			return true
		}
	}
	return false
}

// Kick makes Run compare names with the database now (after a change made
// on this node) instead of at its next tick.
func (m *Manager) Kick() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Run keeps the certificate cache in line with the database until ctx
// ends, then stops certificate maintenance.
func (m *Manager) Run(ctx context.Context) {
	defer m.cache.Stop()
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		if err := m.reconcile(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("certificates: reading domains failed", "err", err)
		}
		select {
		case <-ctx.Done():
			m.mu.Lock()
			for name, h := range m.managing {
				h.cancel()
				delete(m.managing, name)
			}
			m.mu.Unlock()
			return
		case <-t.C:
		case <-m.kick:
		}
	}
}

// reconcile starts managing names that may now have certificates and
// stops managing (and drops from memory) names that may not.
func (m *Manager) reconcile(ctx context.Context) error {
	wanted, err := m.policy.Wanted(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, h := range m.managing {
		if gen, ok := wanted[name]; ok && gen == h.gen {
			continue
		}
		h.cancel()
		delete(m.managing, name)
		m.cache.RemoveManaged([]certmagic.SubjectIssuer{{Subject: name}})
		m.log.Info("certificate dropped from memory: the name may no longer have it", "name", name)
	}
	for name, gen := range wanted {
		if _, ok := m.managing[name]; ok {
			continue
		}
		nctx, cancel := context.WithCancel(ctx)
		m.managing[name] = managed{gen: gen, cancel: cancel}
		// Loads the certificate from the database, or orders one (with
		// certmagic's retries and backoff) under the database lock, so
		// nodes starting together order it once.
		if err := m.managed.ManageAsync(nctx, []string{name}); err != nil {
			m.log.Error("certificate management failed to start", "name", name, "err", err)
		}
	}
	return nil
}

// managed is a name the manager keeps a certificate for.
type managed struct {
	gen    string // see Policy.Wanted
	cancel context.CancelFunc
}

// Managing lists the names this node keeps certificates for.
func (m *Manager) Managing() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.managing))
	for n := range m.managing {
		out = append(out, n)
	}
	return out
}
