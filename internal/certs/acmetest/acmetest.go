// Package acmetest runs Pebble, Let's Encrypt's test ACME server, in the
// test's process on loopback: a real ACME server that validates HTTP-01
// and TLS-ALPN-01 challenges by connecting to the server under test and
// resolves names through a test DNS server. It counts the orders placed,
// so tests can prove that a refused name cost no order.
package acmetest

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// Options configure the CA.
type Options struct {
	// DNSServer (host:port, UDP and TCP) is where Pebble resolves the
	// names it validates.
	DNSServer string
	// Validity of issued certificates; Pebble's default (5 years) when 0.
	Validity time.Duration
}

// CA is a running Pebble.
type CA struct {
	// DirectoryURL is the ACME directory.
	DirectoryURL string
	// TLSRootFile holds the PEM of the certificate the directory is served
	// with: what the ACME client must trust (--acme-ca-root).
	TLSRootFile string
	opts        Options
	srv         *httptest.Server
	handler     atomic.Pointer[http.Handler]
	once        sync.Once
	ca          *ca.CAImpl
	orders      atomic.Int64
	logs        bytes.Buffer
	logsMu      sync.Mutex
}

// Start serves the directory on 127.0.0.1. Pebble itself starts at Attach,
// when the ports it validates on are known; until then it answers 503.
func Start(t testing.TB, opts Options) *CA {
	t.Helper()
	// Pebble reads these when it starts: validate at once, and never reject
	// a good nonce (5% are by default, to exercise clients' retries).
	os.Setenv("PEBBLE_VA_NOSLEEP", "1")
	os.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	c := &CA{opts: opts}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	c.srv.StartTLS()
	t.Cleanup(c.srv.Close)
	c.DirectoryURL = c.srv.URL + wfe.DirectoryPath
	c.TLSRootFile = filepath.Join(t.TempDir(), "acme-server-root.pem")
	root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.srv.Certificate().Raw})
	if err := os.WriteFile(c.TLSRootFile, root, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pebble log:\n%s", c.Logs())
		}
	})
	return c
}

// Attach starts Pebble, validating HTTP-01 on httpPort and TLS-ALPN-01 on
// tlsPort of whatever address a name resolves to. Only the first call
// counts: nodes sharing a database can answer each other's challenges.
func (c *CA) Attach(httpPort, tlsPort int) {
	c.once.Do(func() {
		logger := log.New(&lockedWriter{c}, "pebble ", log.Ltime)
		store := db.NewMemoryStore()
		profiles := map[string]ca.Profile{"default": {Description: "test", ValidityPeriod: uint64(c.opts.Validity / time.Second)}}
		c.ca = ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
		v := va.New(logger, httpPort, tlsPort, false, c.opts.DNSServer, store)
		w := wfe.New(logger, store, v, c.ca, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
		h := w.Handler()
		c.handler.Store(&h)
	})
}

func (c *CA) serve(w http.ResponseWriter, r *http.Request) {
	h := c.handler.Load()
	if h == nil {
		http.Error(w, "pebble not attached yet", http.StatusServiceUnavailable)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
		rec := &statusWriter{ResponseWriter: w}
		(*h).ServeHTTP(rec, r)
		if rec.status == http.StatusCreated {
			c.orders.Add(1)
		}
		return
	}
	(*h).ServeHTTP(w, r)
}

// Orders is how many orders were placed so far.
func (c *CA) Orders() int { return int(c.orders.Load()) }

// Roots is the pool that certificates issued by this CA chain to.
func (c *CA) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	if c.ca != nil {
		p.AddCert(c.ca.GetRootCert(0).Cert)
	}
	return p
}

// Logs is what Pebble logged.
func (c *CA) Logs() string {
	c.logsMu.Lock()
	defer c.logsMu.Unlock()
	return c.logs.String()
}

type lockedWriter struct{ c *CA }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.logsMu.Lock()
	defer w.c.logsMu.Unlock()
	return w.c.logs.Write(p)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
