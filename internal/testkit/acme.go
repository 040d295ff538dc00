package testkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"portico/internal/certs/acmetest"
	"portico/internal/cli"
	"portico/internal/dnscheck/dnstest"
)

// PortalHost is what test portal domains CNAME to; the test zone points it
// at 127.0.0.1.
const PortalHost = "portal.operator.test"

// ACME is the outside world of custom domains on loopback: a DNS server
// serving the test zone (UDP and TCP) and Pebble as the ACME CA,
// validating against the booted instance through that DNS server.
type ACME struct {
	DNS *dnstest.Server
	CA  *acmetest.CA
}

// StartACME starts the DNS server and Pebble. validity is the lifetime of
// issued certificates (0: Pebble's default of years).
func StartACME(t testing.TB, validity time.Duration) *ACME {
	t.Helper()
	dns := dnstest.Start(t)
	dns.SetA(PortalHost, "127.0.0.1")
	return &ACME{DNS: dns, CA: acmetest.Start(t, acmetest.Options{DNSServer: dns.Addr, Validity: validity})}
}

// Options boots with HTTPS on a random loopback port, ACME against Pebble,
// DNS checks against the test DNS server and short background intervals.
// Pebble is attached to the first instance booted with these options:
// it validates challenges on that instance's ports (other nodes sharing
// its database answer through it, as they would behind a load balancer).
func (a *ACME) Options(base Options) Options {
	configure, before := base.Configure, base.BeforeServe
	base.Configure = func(c *cli.ServeConfig) {
		c.PortalHost = PortalHost
		c.HTTPSAddr = "127.0.0.1:0"
		c.ACMEDirectory = a.CA.DirectoryURL
		c.ACMECARoot = a.CA.TLSRootFile
		c.ACMEEmail = "ops@operator.test"
		c.DNSResolver = a.DNS.Addr
		c.CertReconcileInterval = 100 * time.Millisecond
		c.CertRenewCheckInterval = time.Second
		c.DNSCheckInterval = 200 * time.Millisecond
		if configure != nil {
			configure(c)
		}
	}
	base.BeforeServe = func(s *cli.Server) {
		a.CA.Attach(port(s.Addr()), port(s.HTTPSAddr()))
		if before != nil {
			before(s)
		}
	}
	return base
}

func port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// HTTPSAddr is the instance's HTTPS listener.
func (in *Instance) HTTPSAddr() string { return in.Server.HTTPSAddr() }

// HTTPSURL is an absolute https URL on host at the HTTPS listener's port.
func (in *Instance) HTTPSURL(host, path string) string {
	_, p, _ := net.SplitHostPort(in.HTTPSAddr())
	return "https://" + net.JoinHostPort(host, p) + path
}

// HTTPSClient returns a client that dials the instance's HTTPS listener
// whatever host a URL names, sends that host as SNI, trusts only roots and
// does not follow redirects.
func (in *Instance) HTTPSClient(roots *x509.CertPool) *http.Client {
	addr := in.HTTPSAddr()
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
			TLSClientConfig: &tls.Config{RootCAs: roots},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// Handshake makes a TLS handshake with the instance's HTTPS listener with
// serverName as SNI ("" sends none, as for an IP address) and returns the
// certificate chain it was shown, or the error.
func (in *Instance) Handshake(serverName string, roots *x509.CertPool) ([]*x509.Certificate, error) {
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 10 * time.Second}, Config: &tls.Config{
		ServerName: serverName, RootCAs: roots, InsecureSkipVerify: roots == nil,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", in.HTTPSAddr())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.(*tls.Conn).ConnectionState().PeerCertificates, nil
}
