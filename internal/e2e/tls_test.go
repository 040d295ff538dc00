package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/cli"
	"portico/internal/portico"
	"portico/internal/store/storetest"
	"portico/internal/testkit"
)

// bootACME boots an instance with HTTPS, Pebble and the test DNS server on
// the given database.
func bootACME(t *testing.T, db cli.DBConfig, validity time.Duration, opts testkit.Options) (*testkit.Instance, *testkit.ACME) {
	t.Helper()
	acme := testkit.StartACME(t, validity)
	return testkit.Boot(t, db, acme.Options(opts)), acme
}

// eachEngine runs fn on SQLite and, when configured, PostgreSQL.
func eachEngine(t *testing.T, fn func(t *testing.T, db cli.DBConfig)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, cli.DBConfig{Data: t.TempDir(), DatabaseURL: e.Config(t).DatabaseURL})
		})
	}
}

// waitFor polls the domain until cond holds or 30 s pass.
func waitFor(t *testing.T, api *apiClient, id any, what string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := api.must(200, "GET", fmt.Sprintf("/api/v1/domains/%v", id), nil)
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; domain is %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func verify(t *testing.T, api *apiClient, id any, want string) map[string]any {
	t.Helper()
	d := api.must(200, "POST", fmt.Sprintf("/api/v1/domains/%v/verify", id), nil)
	if d["dns_status"] != want || d["dns_checked_at"] == nil || d["dns_detail"] == "" {
		t.Fatalf("verify: dns_status %v (want %s), checked %v, detail %q", d["dns_status"], want, d["dns_checked_at"], d["dns_detail"])
	}
	return d
}

// refused checks that a handshake for each name gets no certificate.
func refused(t *testing.T, in *testkit.Instance, names ...string) {
	t.Helper()
	for _, name := range names {
		if chain, err := in.Handshake(name, nil); err == nil {
			t.Errorf("handshake for %q got a certificate for %v", name, chain[0].DNSNames)
		}
	}
}

// TestCustomDomainTLS is the whole path as an operator sees it, with
// Pebble as the CA and a real DNS server: add a domain, be told the CNAME,
// get every wrong record reported for what it is, create the CNAME, see
// it verified, get a trusted certificate and the portal over HTTPS with
// HTTP redirected; and nobody gets a certificate, or makes Portico place
// an order, for any other name.
func TestCustomDomainTLS(t *testing.T) {
	eachEngine(t, func(t *testing.T, db cli.DBConfig) {
		in, acme := bootACME(t, db, 0, testkit.Options{Configure: func(c *cli.ServeConfig) { c.DNSGrace = 2 * time.Second }})
		api := newAPI(t, in)
		const name = "portal.acme.test"

		dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": "Portal.Acme.Test", "brand_name": "Acme Telecom"})
		id := dom["id"]
		rec, _ := dom["dns_record"].(map[string]any)
		if rec["type"] != "CNAME" || rec["name"] != name || rec["value"] != testkit.PortalHost || dom["certificate_status"] != "none" {
			t.Fatalf("new domain: record %v, certificate %v", dom["dns_record"], dom["certificate_status"])
		}
		// The periodic check looks at a new domain without being asked.
		waitFor(t, api, id, "the first periodic DNS check", func(d map[string]any) bool {
			return d["dns_checked_at"] != nil && d["dns_status"] == "missing"
		})

		// An A record, even one pointing at us, is the wrong record, and
		// gets no certificate.
		acme.DNS.SetA(name, "127.0.0.1")
		if d := verify(t, api, id, "wrong_record"); !strings.Contains(d["dns_detail"].(string), "127.0.0.1") {
			t.Fatalf("wrong_record detail does not name the A record: %q", d["dns_detail"])
		}
		refused(t, in, name)
		acme.DNS.SetCNAME(name, "shop.elsewhere.test")
		if d := verify(t, api, id, "points_elsewhere"); !strings.Contains(d["dns_detail"].(string), "shop.elsewhere.test") {
			t.Fatalf("points_elsewhere detail does not name the target: %q", d["dns_detail"])
		}
		refused(t, in, name)
		if n := acme.CA.Orders(); n != 0 {
			t.Fatalf("%d orders placed before the domain was verified", n)
		}

		// The right CNAME: verified, then a certificate, eagerly.
		acme.DNS.SetCNAME(name, testkit.PortalHost)
		verify(t, api, id, "verified")
		d := waitFor(t, api, id, "the certificate", func(d map[string]any) bool { return d["certificate_status"] == "issued" })
		if d["certificate_source"] != "acme" || d["certificate_not_after"] == nil || d["certificate_error"] != "" {
			t.Fatalf("issued certificate: %v", d)
		}
		panelShows(t, in, fmt.Sprint(id), "Verified", "CNAME "+testkit.PortalHost, "Issued until")
		roots := acme.CA.Roots()
		chain, err := in.Handshake(name, roots)
		if err != nil {
			t.Fatalf("TLS client trusting only Pebble's root refused the certificate: %v", err)
		}
		if len(chain[0].DNSNames) != 1 || chain[0].DNSNames[0] != name {
			t.Fatalf("certificate names %v", chain[0].DNSNames)
		}
		serial := chain[0].SerialNumber

		// The portal, over HTTPS, with HSTS.
		https := in.HTTPSClient(roots)
		resp, err := https.Get(in.HTTPSURL(name, "/login"))
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "Acme Telecom") || resp.Header.Get("Strict-Transport-Security") == "" {
			t.Fatalf("portal over HTTPS: %d, HSTS %q:\n%s", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"), body)
		}
		// HTTP on the portal domain now redirects, to the HTTPS port.
		plain := in.Client()
		resp, _ = get(t, plain, in.URL(name, "/login?next=%2F"))
		if want := in.HTTPSURL(name, "/login?next=%2F"); resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
			t.Fatalf("HTTP on a domain with a certificate: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		// Health checks from a load balancer stay on plain HTTP.
		if resp, _ := get(t, plain, in.URL(name, "/healthz")); resp.StatusCode != 200 {
			t.Fatalf("HTTP /healthz on a domain with a certificate = %d, want 200", resp.StatusCode)
		}
		// The panel on localhost has no certificate and stays on HTTP.
		resp, _ = get(t, plain, in.URL("localhost", "/login"))
		if resp.StatusCode != 200 {
			t.Fatalf("panel over HTTP = %d", resp.StatusCode)
		}

		// What the panel shows.
		status, err := in.Server.Service().DomainTLSStatus(context.Background(), int64(id.(float64)))
		if err != nil || !status.Serving || status.Record.Value != testkit.PortalHost || !strings.HasPrefix(status.Summary, "Issued until ") {
			t.Fatalf("panel status: %+v, %v", status, err)
		}

		// No certificate, and no order, for anything else: an unverified
		// domain whose A record points at us, an unknown name, a wildcard,
		// no SNI (an IP address), the panel on localhost.
		other := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": "other.acme.test", "brand_name": "Other"})
		acme.DNS.SetA("other.acme.test", "127.0.0.1")
		acme.DNS.SetA("unknown.acme.test", "127.0.0.1")
		refused(t, in, "other.acme.test", "unknown.acme.test", "*.acme.test", "", "127.0.0.1", "localhost")
		if resp, _ := get(t, plain, in.URL("other.acme.test", "/login")); resp.StatusCode == http.StatusPermanentRedirect {
			t.Fatal("HTTP on a domain without a certificate was redirected")
		}
		api.must(204, "DELETE", fmt.Sprintf("/api/v1/domains/%v", other["id"]), nil)
		if n := acme.CA.Orders(); n != 1 {
			t.Fatalf("%d orders placed, want exactly 1", n)
		}

		// A verified domain that stops pointing at us is flagged at once,
		// keeps its certificate through the grace period, then loses it.
		// (Checked right before, so the grace period counts from now.)
		verify(t, api, id, "verified")
		acme.DNS.SetCNAME(name, "shop.elsewhere.test")
		d = verify(t, api, id, "points_elsewhere")
		if !strings.Contains(d["dns_detail"].(string), "was verified") {
			t.Fatalf("lapsed domain not flagged: %q", d["dns_detail"])
		}
		if _, err := in.Handshake(name, roots); err != nil {
			t.Fatalf("certificate gone within the grace period: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for _, err := in.Handshake(name, roots); err == nil; _, err = in.Handshake(name, roots) {
			if time.Now().After(deadline) {
				t.Fatal("certificate still served after the grace period")
			}
			time.Sleep(100 * time.Millisecond)
		}
		acme.DNS.SetCNAME(name, testkit.PortalHost)
		verify(t, api, id, "verified")
		if chain, err := in.Handshake(name, roots); err != nil || chain[0].SerialNumber.Cmp(serial) != 0 {
			t.Fatalf("re-verified domain: %v (same certificate: %v)", err, err == nil && chain[0].SerialNumber.Cmp(serial) == 0)
		}

		// Deleting the domain stops its certificate at once and removes it.
		api.must(204, "DELETE", fmt.Sprintf("/api/v1/domains/%v", id), nil)
		refused(t, in, name)
		keys, _ := in.Server.Certs().Storage().List(context.Background(), "certificates", true)
		for _, k := range keys {
			if strings.Contains(k, name) {
				t.Fatalf("certificate of a deleted domain still stored: %s", k)
			}
		}
		// Added again, it must verify again before it gets one.
		acme.DNS.Remove(name)
		dom = api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": "Acme Again"})
		if dom["dns_status"] != "unchecked" || dom["certificate_status"] != "none" || dom["dns_checked_at"] != nil {
			t.Fatalf("re-added domain kept old state: %v", dom)
		}
		refused(t, in, name)
		if n := acme.CA.Orders(); n != 1 {
			t.Fatalf("%d orders after re-adding an unverified domain, want still 1", n)
		}
		acme.DNS.SetCNAME(name, testkit.PortalHost)
		verify(t, api, dom["id"], "verified")
		waitFor(t, api, dom["id"], "a new certificate", func(d map[string]any) bool { return d["certificate_status"] == "issued" })
		if chain, err := in.Handshake(name, roots); err != nil || chain[0].SerialNumber.Cmp(serial) == 0 {
			t.Fatalf("re-added domain: %v (old certificate served: %v)", err, err == nil)
		}
	})
}

// TestCertificateRenewal issues short-lived certificates and watches one
// renewed before it expires, with no request needed to trigger it. Only
// HTTP-01 is offered, so the renewal also proves that challenges are
// answered on the HTTP port before the redirect to HTTPS that the domain
// has by then.
func TestCertificateRenewal(t *testing.T) {
	in, acme := bootACME(t, cli.DBConfig{Data: t.TempDir()}, 12*time.Second,
		testkit.Options{Configure: func(c *cli.ServeConfig) { c.ACMEDisableTLSALPN01 = true }})
	api := newAPI(t, in)
	const name = "renew.acme.test"
	acme.DNS.SetCNAME(name, testkit.PortalHost)
	dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": "Renew"})
	verify(t, api, dom["id"], "verified")
	first := waitFor(t, api, dom["id"], "the certificate", func(d map[string]any) bool { return d["certificate_status"] == "issued" })
	chain, err := in.Handshake(name, acme.CA.Roots())
	if err != nil {
		t.Fatal(err)
	}
	life := chain[0].NotAfter.Sub(chain[0].NotBefore)
	if life > time.Minute {
		t.Fatalf("certificate lives %v; the test needs a short one", life)
	}
	if resp, _ := get(t, in.Client(), in.URL(name, "/")); resp.StatusCode != http.StatusPermanentRedirect {
		t.Fatalf("HTTP before the renewal = %d, want the redirect to HTTPS", resp.StatusCode)
	}
	renewed := waitFor(t, api, dom["id"], "the renewal", func(d map[string]any) bool {
		return d["certificate_not_after"] != first["certificate_not_after"]
	})
	if renewed["certificate_status"] != "issued" || renewed["certificate_error"] != "" {
		t.Fatalf("after renewal: %v", renewed)
	}
	if time.Now().After(chain[0].NotAfter) {
		t.Fatal("renewal came only after the old certificate expired")
	}
	// The renewed certificate is saved, then swapped into memory.
	deadline := time.Now().Add(5 * time.Second)
	for {
		chain2, err := in.Handshake(name, acme.CA.Roots())
		if err == nil && chain2[0].SerialNumber.Cmp(chain[0].SerialNumber) != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("renewed certificate not served: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTwoNodesShareOneCertificate runs two nodes on one PostgreSQL: both
// are told to manage the domain, one orders, both serve the same
// certificate. Only TLS-ALPN-01 is offered, and Pebble validates on the
// first node's HTTPS port whichever node ordered, so the challenge is
// answered from the database.
func TestTwoNodesShareOneCertificate(t *testing.T) {
	url := os.Getenv(storetest.EnvDatabaseURL)
	if url == "" {
		t.Skip("needs PostgreSQL; set " + storetest.EnvDatabaseURL)
	}
	var pg storetest.Engine
	for _, e := range storetest.Engines() {
		if e.Name == "postgres" {
			pg = e
		}
	}
	db := cli.DBConfig{Data: t.TempDir(), DatabaseURL: pg.Config(t).DatabaseURL}
	acme := testkit.StartACME(t, 0)
	alpnOnly := testkit.Options{Configure: func(c *cli.ServeConfig) { c.ACMEDisableHTTP01 = true }}
	a := testkit.Boot(t, db, acme.Options(alpnOnly))
	b := testkit.Boot(t, db, acme.Options(alpnOnly))
	api := newAPI(t, a)
	const name = "shared.acme.test"
	acme.DNS.SetCNAME(name, testkit.PortalHost)
	dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": "Shared"})
	verify(t, api, dom["id"], "verified")
	waitFor(t, api, dom["id"], "the certificate", func(d map[string]any) bool { return d["certificate_status"] == "issued" })
	var serials []string
	for _, in := range []*testkit.Instance{a, b} {
		var chain []*x509.Certificate
		var err error
		deadline := time.Now().Add(20 * time.Second)
		for chain, err = in.Handshake(name, acme.CA.Roots()); err != nil; chain, err = in.Handshake(name, acme.CA.Roots()) {
			if time.Now().After(deadline) {
				t.Fatalf("node does not serve the certificate: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		serials = append(serials, chain[0].SerialNumber.String())
	}
	if serials[0] != serials[1] {
		t.Fatalf("nodes serve different certificates: %v", serials)
	}
	// Give the slower node time to have ordered twice if it were going to.
	time.Sleep(500 * time.Millisecond)
	if n := acme.CA.Orders(); n != 1 {
		t.Fatalf("%d orders for one name on two nodes, want 1", n)
	}
}

// TestCertificateFailureSaysWhatToFix: when the CA cannot reach Portico,
// the domain shows the failure and what to do about it.
func TestCertificateFailureSaysWhatToFix(t *testing.T) {
	in, acme := bootACME(t, cli.DBConfig{Data: t.TempDir()}, 0, testkit.Options{})
	api := newAPI(t, in)
	// The CNAME is right, but the portal host's address has nobody
	// listening: as if a firewall dropped ports 80 and 443.
	acme.DNS.SetA(testkit.PortalHost, "127.0.0.2")
	const name = "blocked.acme.test"
	acme.DNS.SetCNAME(name, testkit.PortalHost)
	dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": "Blocked"})
	verify(t, api, dom["id"], "verified")
	d := waitFor(t, api, dom["id"], "the failure", func(d map[string]any) bool { return d["certificate_status"] == "failed" })
	if msg := d["certificate_error"].(string); !strings.Contains(msg, "could not connect") || !strings.Contains(msg, "ports 80 and 443") || d["certificate_error_at"] == nil {
		t.Fatalf("failure message: %q", msg)
	}
	status, err := in.Server.Service().DomainTLSStatus(context.Background(), int64(dom["id"].(float64)))
	if err != nil || status.Serving || !strings.HasPrefix(status.Summary, "Failed: The CA could not connect") {
		t.Fatalf("panel status: %+v, %v", status, err)
	}
}

// TestIssuanceLimit: past the hourly cap, new names wait and no order is
// placed for them.
func TestIssuanceLimit(t *testing.T) {
	in, acme := bootACME(t, cli.DBConfig{Data: t.TempDir()}, 0,
		testkit.Options{Configure: func(c *cli.ServeConfig) { c.ACMEIssuancesPerHour = 1 }})
	api := newAPI(t, in)
	var ids []any
	for _, name := range []string{"one.acme.test", "two.acme.test"} {
		acme.DNS.SetCNAME(name, testkit.PortalHost)
		dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": name})
		verify(t, api, dom["id"], "verified")
		ids = append(ids, dom["id"])
		if len(ids) == 1 {
			waitFor(t, api, dom["id"], "the first certificate", func(d map[string]any) bool { return d["certificate_status"] == "issued" })
		}
	}
	d := waitFor(t, api, ids[1], "the limit to show", func(d map[string]any) bool {
		return d["certificate_status"] == "pending" && strings.Contains(d["certificate_error"].(string), "per hour")
	})
	if n := acme.CA.Orders(); n != 1 {
		t.Fatalf("%d orders with a limit of 1 per hour (second domain: %v)", n, d)
	}
}

// TestUploadedCertificate serves an operator's own certificate instead of
// ordering one, after checking it.
func TestUploadedCertificate(t *testing.T) {
	in, acme := bootACME(t, cli.DBConfig{Data: t.TempDir()}, 0, testkit.Options{})
	api := newAPI(t, in)
	const name = "own.acme.test"
	dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": name, "brand_name": "Own"})
	path := fmt.Sprintf("/api/v1/domains/%v/certificate", dom["id"])
	ca := newCA(t)
	certPEM, keyPEM := ca.leaf(t, name)
	_, otherKey := ca.leaf(t, name)
	if status, out, raw := api.do("PUT", path, map[string]any{"certificate": certPEM, "private_key": otherKey}); status != 422 ||
		!strings.Contains(fmt.Sprint(out["error"]), "private_key") {
		t.Fatalf("mismatched key: %d %s", status, raw)
	}
	if status, _, raw := api.do("PUT", path, map[string]any{"certificate": certPEM, "private_key": keyPEM, "extra": 1}); status != 422 {
		t.Fatalf("unknown field: %d %s", status, raw)
	}
	d := api.must(200, "PUT", path, map[string]any{"certificate": certPEM + ca.pem, "private_key": keyPEM})
	if d["certificate_source"] != "uploaded" || d["certificate_status"] != "issued" || strings.Contains(fmt.Sprint(d), "PRIVATE KEY") {
		t.Fatalf("after upload: %v", d)
	}
	var chain []*x509.Certificate
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for chain, err = in.Handshake(name, ca.pool()); err != nil; chain, err = in.Handshake(name, ca.pool()) {
		if time.Now().After(deadline) {
			t.Fatalf("uploaded certificate not served: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(chain) != 2 || chain[0].Subject.CommonName != name {
		t.Fatalf("served chain: %d certificates, leaf %s", len(chain), chain[0].Subject.CommonName)
	}
	if resp, _ := get(t, in.Client(), in.URL(name, "/")); resp.StatusCode != http.StatusPermanentRedirect {
		t.Fatalf("HTTP with an uploaded certificate = %d, want a redirect", resp.StatusCode)
	}
	api.must(204, "DELETE", path, nil)
	refused(t, in, name) // unverified: no ACME certificate either
	if n := acme.CA.Orders(); n != 0 {
		t.Fatalf("%d orders for a domain with an uploaded certificate", n)
	}
	if status, _, _ := api.do("DELETE", path, nil); status != 404 {
		t.Fatalf("deleting a missing upload = %d", status)
	}
	if d := api.must(200, "GET", fmt.Sprintf("/api/v1/domains/%v", dom["id"]), nil); d["certificate_status"] != portico.CertNone {
		t.Fatalf("after deleting the upload: %v", d["certificate_status"])
	}
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// ownCA is an operator's private CA, for uploaded certificates.
type ownCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newCA(t *testing.T) *ownCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Operator CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &ownCA{cert: c, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

func (ca *ownCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func (ca *ownCA) leaf(t *testing.T, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(12 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}))
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// panelShows logs into the control panel as the API's operator and checks
// the domain's page says each of want: the operator sees what the API says.
func panelShows(t *testing.T, in *testkit.Instance, domainID string, want ...string) {
	t.Helper()
	c := in.Client()
	if resp, body := postForm(t, c, in.URL("localhost", "/login"), url.Values{"email": {"ops@operator.test"}, "password": {"operator passphrase 1"}}); resp.StatusCode != 303 {
		t.Fatalf("panel login = %d: %s", resp.StatusCode, body)
	}
	_, body := get(t, c, in.URL("localhost", "/domains/"+domainID))
	text := html.UnescapeString(tagRE.ReplaceAllString(body, ""))
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the panel's domain page does not say %q", w)
		}
	}
}
