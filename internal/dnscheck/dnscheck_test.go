package dnscheck_test

import (
	"context"
	"strings"
	"testing"

	"portico/internal/dnscheck"
	"portico/internal/dnscheck/dnstest"
	"portico/internal/portico"
)

func TestCheckTellsEveryCaseApart(t *testing.T) {
	srv := dnstest.Start(t)
	srv.SetA("portal.operator.test", "127.0.0.1")
	srv.SetCNAME("good.acme.test", "portal.operator.test")
	srv.SetCNAME("chain.acme.test", "cdn.acme.test")
	srv.SetCNAME("cdn.acme.test", "Portal.Operator.Test.")
	srv.SetA("a-record.acme.test", "203.0.113.7")
	srv.SetCNAME("elsewhere.acme.test", "shop.other.test")
	srv.SetA("shop.other.test", "203.0.113.9")
	srv.SetCNAME("loop1.acme.test", "loop2.acme.test")
	srv.SetCNAME("loop2.acme.test", "loop1.acme.test")
	c, err := dnscheck.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, status, target, detail string
	}{
		{"good.acme.test", portico.DNSVerified, "portal.operator.test", "is a CNAME to portal.operator.test"},
		{"GOOD.acme.test.", portico.DNSVerified, "portal.operator.test", ""},
		{"chain.acme.test", portico.DNSVerified, "cdn.acme.test", "through CNAMEs"},
		{"a-record.acme.test", portico.DNSWrongRecord, "", "203.0.113.7"},
		{"elsewhere.acme.test", portico.DNSPointsElsewhere, "shop.other.test", "not to portal.operator.test"},
		{"loop1.acme.test", portico.DNSPointsElsewhere, "loop2.acme.test", "loops"},
		{"nothing.acme.test", portico.DNSMissing, "", "create nothing.acme.test CNAME portal.operator.test"},
	} {
		r := c.Check(context.Background(), tc.name, "portal.operator.test")
		if r.Err != nil || r.Status != tc.status || r.Target != tc.target || !strings.Contains(strings.ToLower(r.Detail), strings.ToLower(tc.detail)) {
			t.Errorf("%s: got %+v, want status %s target %q detail containing %q", tc.name, r, tc.status, tc.target, tc.detail)
		}
	}
}

func TestCheckReportsAnUnreachableResolverAsAnError(t *testing.T) {
	// A UDP port nobody answers on: the check must not conclude "missing".
	c, err := dnscheck.New("127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2e9)
	defer cancel()
	r := c.Check(ctx, "good.acme.test", "portal.operator.test")
	if r.Err == nil || r.Status != "" || !strings.Contains(r.Detail, "try again") {
		t.Fatalf("unreachable resolver: got %+v, want a lookup error", r)
	}
}

func TestNewRefusesAResolverWithoutPort(t *testing.T) {
	if _, err := dnscheck.New("127.0.0.1"); err == nil {
		t.Fatal("a resolver without a port was accepted")
	}
}
