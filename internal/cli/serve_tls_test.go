package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesBadTLSSettings: a mistyped HTTPS, ACME or DNS setting
// stops serve at once with a message naming the flag, instead of failing
// later when the first certificate is due.
func TestServeRefusesBadTLSSettings(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "root.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--https", "127.0.0.1:0", "--acme-directory", "http://acme.example/dir"}, "--acme-directory must be an https://"},
		{[]string{"--https", "127.0.0.1:0", "--acme-email", "not an email"}, "--acme-email must be an email address"},
		{[]string{"--https", "127.0.0.1:0", "--acme-ca-root", notPEM}, "--acme-ca-root: " + notPEM + " holds no PEM certificate"},
		{[]string{"--https", "127.0.0.1:0", "--acme-ca-root", notPEM + ".missing"}, "--acme-ca-root:"},
		{[]string{"--https", "256.0.0.1:99999"}, "--https:"},
		{[]string{"--portal-host", "portal.operator.test", "--dns-resolver", "127.0.0.1"}, "--dns-resolver:"},
	} {
		args := append([]string{"serve", "--data", t.TempDir(), "--http", "127.0.0.1:0"}, tc.args...)
		code, _, stderr := runCLI(t, "", args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q, want it to contain %q", tc.args, code, stderr, tc.want)
		}
	}
}
