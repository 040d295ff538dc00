package certs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"

	"portico/internal/portico"
	"portico/internal/store"
)

// ErrNotAllowed is why a name gets no certificate.
var ErrNotAllowed = errors.New("no certificate for this name")

// Policy decides from a host name alone, with no DNS lookup, whether
// Portico may hold and serve a certificate for it: a configured panel host
// that a public CA can certify, or a portal domain whose CNAME is verified
// (or was, less than the grace period ago). It keeps the domains in memory
// and reloads them when the store's "domains" change counter moves, which
// it reads on every decision: a domain deleted on any node loses its
// certificate on the very next handshake everywhere.
type Policy struct {
	db         *store.DB
	box        Sealer
	log        *slog.Logger
	panelHosts map[string]bool
	grace      time.Duration
	now        func() time.Time
	state      atomic.Pointer[snapshot]
	reload     sync.Mutex
}

// snapshot is one immutable view of the domains table.
type snapshot struct {
	counter int64
	domains map[string]*portico.Domain
	uploads map[string]*tls.Certificate
}

// NewPolicy returns a policy over db. Panel hosts that no public CA would
// certify (localhost, IP addresses, single labels) are left out: they go
// on being served over plain HTTP.
func NewPolicy(db *store.DB, box Sealer, log *slog.Logger, panelHosts []string, grace time.Duration) *Policy {
	p := &Policy{db: db, box: box, log: log, panelHosts: map[string]bool{}, grace: grace, now: db.Now}
	for _, h := range panelHosts {
		if n := portico.NormalizeHost(h); n != "" && PanelHostQualifies(n) {
			p.panelHosts[n] = true
		}
	}
	return p
}

// PanelHostQualifies reports whether a panel host name can have a
// certificate from a public CA.
func PanelHostQualifies(name string) bool {
	return strings.Contains(name, ".") && certmagic.SubjectQualifiesForPublicCert(name) && !strings.Contains(name, "*")
}

// Decide returns nil when a certificate may be held for name, else an
// error saying why not. It is certmagic's OnDemand.DecisionFunc and the
// gate every order passes.
func (p *Policy) Decide(ctx context.Context, name string) error {
	n := portico.NormalizeHost(name)
	if n == "" || n != strings.ToLower(strings.TrimSuffix(name, ".")) {
		return fmt.Errorf("%w: %q is not a plain host name", ErrNotAllowed, name)
	}
	s, err := p.current(ctx)
	if err != nil {
		return err
	}
	if p.panelHosts[n] {
		return nil
	}
	d := s.domains[n]
	switch {
	case d == nil:
		return fmt.Errorf("%w: %s is not a portal domain", ErrNotAllowed, n)
	case d.TLS.Source == portico.CertSourceUploaded:
		return fmt.Errorf("%w: %s uses an uploaded certificate", ErrNotAllowed, n)
	case !d.CertificateAllowed(p.now(), p.grace):
		return fmt.Errorf("%w: the DNS of %s is not verified", ErrNotAllowed, n)
	}
	return nil
}

// Uploaded returns the operator's certificate for name, or nil.
func (p *Policy) Uploaded(ctx context.Context, name string) *tls.Certificate {
	s, err := p.current(ctx)
	if err != nil {
		return nil
	}
	return s.uploads[name]
}

// Wanted lists the names whose certificates Portico should keep from ACME
// now: eligible panel hosts and allowed portal domains without an upload.
// Each comes with a generation (the domain's id and creation time; "" for
// a panel host), so that a domain deleted and added again under the same
// name is seen as a new one even when the database reuses its id.
func (p *Policy) Wanted(ctx context.Context) (map[string]string, error) {
	s, err := p.current(ctx)
	if err != nil {
		return nil, err
	}
	now := p.now()
	out := make(map[string]string, len(s.domains)+len(p.panelHosts))
	for h := range p.panelHosts {
		out[h] = ""
	}
	for n, d := range s.domains {
		if d.TLS.Source != portico.CertSourceUploaded && d.CertificateAllowed(now, p.grace) {
			out[n] = fmt.Sprintf("%d@%d", d.ID, d.CreatedAt.UnixNano())
		}
	}
	return out, nil
}

// current returns a snapshot no older than the store's counter.
func (p *Policy) current(ctx context.Context) (*snapshot, error) {
	counter, err := p.db.Read().ChangeCounter(ctx, "domains")
	if err != nil {
		return nil, err
	}
	if s := p.state.Load(); s != nil && s.counter == counter {
		return s, nil
	}
	p.reload.Lock()
	defer p.reload.Unlock()
	if s := p.state.Load(); s != nil && s.counter >= counter {
		return s, nil
	}
	// The counter is read before the rows, so a write in between leaves
	// the snapshot labelled older than its content and the next decision
	// reloads again rather than missing the change.
	q := p.db.Read()
	if counter, err = q.ChangeCounter(ctx, "domains"); err != nil {
		return nil, err
	}
	all, err := q.DomainsForCertificates(ctx)
	if err != nil {
		return nil, err
	}
	s := &snapshot{counter: counter, domains: make(map[string]*portico.Domain, len(all)), uploads: map[string]*tls.Certificate{}}
	uploaded := false
	for _, d := range all {
		s.domains[d.Domain] = d
		uploaded = uploaded || d.TLS.Source == portico.CertSourceUploaded
	}
	if uploaded {
		ups, err := q.UploadedCertificates(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range ups {
			c, err := p.openUpload(u)
			if err != nil {
				p.log.Error("uploaded certificate unusable", "domain", u.Domain, "err", err)
				continue
			}
			s.uploads[u.Domain] = c
		}
	}
	p.state.Store(s)
	return s, nil
}

func (p *Policy) openUpload(u store.UploadedCertificate) (*tls.Certificate, error) {
	if p.box == nil {
		return nil, errors.New("no secret key to open the private key with")
	}
	key, err := p.box.Open(u.KeyEnc)
	if err != nil {
		return nil, fmt.Errorf("open private key (is the secret key the same on every node?): %w", err)
	}
	c, err := tls.X509KeyPair([]byte(u.CertPEM), []byte(key))
	if err != nil {
		return nil, err
	}
	return &c, nil
}
