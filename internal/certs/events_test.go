package certs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mholt/acmez/v3/acme"

	"portico/internal/certs"
)

func TestExplainSaysWhatToFix(t *testing.T) {
	wrap := func(p acme.Problem) error { return fmt.Errorf("[x] Obtain: %w", p) }
	for _, tc := range []struct {
		err  error
		want string
	}{
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:connection", Detail: "Timeout during connect"}), "ports 80 and 443"},
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:unauthorized", Detail: "Failed to connect to 127.0.0.2:80"}), "ports 80 and 443"},
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:unauthorized", Detail: "The key authorization file from the server did not match"}), "proxy or CDN"},
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:caa", Detail: "CAA record forbids"}), "CAA record"},
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:rateLimited", Detail: "too many"}), "rate limit"},
		{wrap(acme.Problem{Type: "urn:ietf:params:acme:error:malformed", Subproblems: []acme.Subproblem{
			{Problem: acme.Problem{Type: "urn:ietf:params:acme:error:dns", Detail: "NXDOMAIN looking up A"}}}}), "could not resolve"},
		{fmt.Errorf("dial tcp: connection reset"), "The certificate order failed: dial tcp"},
	} {
		if got := certs.Explain("a.test", tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("Explain(%v) = %q, want it to contain %q", tc.err, got, tc.want)
		}
	}
}
