package certs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"portico/internal/certs"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestPolicyAllowsOnlyVerifiedDomainsAndPanelHosts decides from the name
// alone, and follows changes made through another handle on the same
// database (another node) without being told.
func TestPolicyAllowsOnlyVerifiedDomainsAndPanelHosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		var verified, lapsed, old, fresh portico.Domain
		err := db.Write(ctx, func(q *store.Q) error {
			for _, d := range []*portico.Domain{&verified, &lapsed, &old, &fresh} {
				d.BrandName = "B"
			}
			verified.Domain, lapsed.Domain, old.Domain, fresh.Domain = "ok.acme.test", "lapsed.acme.test", "old.acme.test", "new.acme.test"
			for _, d := range []*portico.Domain{&verified, &lapsed, &old, &fresh} {
				if err := q.CreateDomain(ctx, d, nil); err != nil {
					return err
				}
			}
			check := func(d *portico.Domain, status string) error {
				_, err := q.SaveDNSCheck(ctx, d.ID, d.Domain, store.DNSCheck{Status: status, Next: now.Add(time.Hour)})
				return err
			}
			for _, d := range []*portico.Domain{&verified, &lapsed, &old} {
				if err := check(d, portico.DNSVerified); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// lapsed stops pointing at us now; old stopped 4 days ago.
		db.Write(ctx, func(q *store.Q) error {
			q.SaveDNSCheck(ctx, lapsed.ID, lapsed.Domain, store.DNSCheck{Status: portico.DNSPointsElsewhere, Next: now})
			return nil
		})
		now = now.Add(4 * 24 * time.Hour)
		db.Write(ctx, func(q *store.Q) error {
			q.SaveDNSCheck(ctx, verified.ID, verified.Domain, store.DNSCheck{Status: portico.DNSVerified, Next: now})
			q.SaveDNSCheck(ctx, old.ID, old.Domain, store.DNSCheck{Status: portico.DNSMissing, Next: now})
			return nil
		})
		p := certs.NewPolicy(db, nil, quiet(), []string{"localhost", "127.0.0.1", "Panel.Operator.Test", "intranet"}, 5*24*time.Hour)
		for name, want := range map[string]bool{
			"ok.acme.test":        true,
			"OK.acme.test.":       true,
			"lapsed.acme.test":    true, // within grace
			"old.acme.test":       true, // 4 days < 5 days grace
			"new.acme.test":       false,
			"unknown.acme.test":   false,
			"panel.operator.test": true,
			"localhost":           false,
			"intranet":            false,
			"127.0.0.1":           false,
			"[::1]":               false,
			"*.acme.test":         false,
			"":                    false,
			"ok.acme.test:443":    false,
		} {
			err := p.Decide(ctx, name)
			if (err == nil) != want {
				t.Errorf("Decide(%q) = %v, want allowed=%v", name, err, want)
			}
			if err != nil && !errors.Is(err, certs.ErrNotAllowed) {
				t.Errorf("Decide(%q) = %v, not ErrNotAllowed", name, err)
			}
		}
		// After the grace period the lapsed domains lose it.
		now = now.Add(2 * 24 * time.Hour)
		if err := p.Decide(ctx, "old.acme.test"); err == nil {
			t.Error("a domain unverified for 6 days is still allowed with 5 days' grace")
		}
		// A delete through another handle (another node) is seen at once.
		other := db
		if err := other.Write(ctx, func(q *store.Q) error { return q.DeleteDomain(ctx, verified.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := p.Decide(ctx, "ok.acme.test"); err == nil {
			t.Error("a deleted domain is still allowed")
		}
		wanted, err := p.Wanted(ctx)
		// Six days on, only the panel host is left.
		if _, ok := wanted["panel.operator.test"]; err != nil || len(wanted) != 1 || !ok {
			t.Errorf("Wanted = %v, %v", wanted, err)
		}
	})
}

// testCA makes a CA and leaf certificates signed by it.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCA{cert: c, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// leaf returns a certificate for names, valid from nb to na, and its key.
func (ca *testCA) leaf(t *testing.T, nb, na time.Time, names ...string) (certPEM, keyPEM string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: nb, NotAfter: na, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
}

func TestCheckUploadRefusesWhatCannotServeTheDomain(t *testing.T) {
	ca, other := newTestCA(t, "Test CA"), newTestCA(t, "Other CA")
	now := time.Now()
	good, key := ca.leaf(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "portal.acme.test")
	wild, wildKey := ca.leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "*.acme.test")
	_, otherKey := ca.leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "portal.acme.test")
	expired, expiredKey := ca.leaf(t, now.Add(-48*time.Hour), now.Add(-time.Hour), "portal.acme.test")
	for _, tc := range []struct {
		name, cert, key, field, msg string
	}{
		{"empty", "", "", "certificate", "required"},
		{"not PEM", "hello", key, "certificate", "No PEM certificate"},
		{"key in the chain", good + key, key, "certificate", "EC PRIVATE KEY"},
		{"key of another certificate", good, otherKey, "private_key", "does not match"},
		{"garbage key", good, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "private_key", "does not parse"},
		{"other name", good, key, "certificate", "does not cover www.acme.test"},
		{"expired", expired, expiredKey, "certificate", "expired"},
		{"chain out of order", good + other.pem, key, "certificate", "not signed by certificate 2"},
	} {
		domain := "portal.acme.test"
		if tc.name == "other name" {
			domain = "www.acme.test"
		}
		_, err := certs.CheckUpload(domain, tc.cert, tc.key, now)
		if msg := portico.ErrorFields(err)[tc.field]; !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: got %v, want %s error containing %q", tc.name, err, tc.field, tc.msg)
		}
	}
	up, err := certs.CheckUpload("portal.acme.test", "junk before\n"+good+ca.pem, key, now)
	if err != nil || up.Issuer != "Test CA" || strings.Contains(up.CertPEM, "junk") || strings.Count(up.CertPEM, "BEGIN CERTIFICATE") != 2 {
		t.Fatalf("good chain: %+v, %v", up, err)
	}
	if _, err := certs.CheckUpload("portal.acme.test", wild, wildKey, now); err != nil {
		t.Fatalf("a wildcard certificate covering the domain was refused: %v", err)
	}
}
