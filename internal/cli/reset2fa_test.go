package cli

import (
	"context"
	"strings"
	"testing"

	"portico/internal/store"
)

// `portico user reset-2fa` removes an operator's second factor, on the
// host only, and the audit log records it.
func TestUserReset2FA(t *testing.T) {
	eachDB(t, func(t *testing.T, args []string) {
		ctx := context.Background()
		if code, _, errs := runCLI(t, "a fine passphrase\n", append([]string{"user", "create", "--email", "ops@example.com", "--password-stdin"}, args...)...); code != 0 {
			t.Fatal(errs)
		}
		cfg := store.Config{DataDir: args[1]}
		if len(args) > 2 {
			cfg.DatabaseURL = args[3]
		}
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		u, err := db.Read().FindUserByEmail(ctx, "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		p := store.Principal{UserID: u.ID}
		if err := db.Write(ctx, func(q *store.Q) error { return q.SetTOTP(ctx, p, []byte("sealed"), true) }); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "", append([]string{"user", "reset-2fa", "--email", "OPS@example.com"}, args...)...)
		if code != 0 || !strings.Contains(out, "removed for ops@example.com") {
			t.Fatalf("reset-2fa: %d %q %q", code, out, errs)
		}
		if totp, err := db.Read().FindTOTP(ctx, p); err != nil || totp.Enabled || totp.SecretEnc != nil {
			t.Fatalf("after reset: %+v, %v", totp, err)
		}
		es, _ := db.Read().FilterAuditEntries(ctx, store.AuditFilter{Action: "mfa.reset"})
		if len(es) != 1 || es[0].Actor != "system" || es[0].Detail != "ops@example.com" {
			t.Fatalf("reset audited as %+v", es)
		}
		if code, _, errs := runCLI(t, "", append([]string{"user", "reset-2fa", "--email", "nobody@example.com"}, args...)...); code != 1 || !strings.Contains(errs, "not found") {
			t.Fatalf("unknown user: %d %q", code, errs)
		}
	})
}

// --trusted-proxy takes CIDRs or addresses; anything else stops serve
// before it listens.
func TestServeRefusesBadTrustedProxy(t *testing.T) {
	code, _, errs := runCLI(t, "", "serve", "--data", t.TempDir(), "--http", "127.0.0.1:0", "--trusted-proxy", "10.0.0.0/8,not-a-cidr")
	if code != 1 || !strings.Contains(errs, "--trusted-proxy") || !strings.Contains(errs, "not-a-cidr") {
		t.Fatalf("serve with a bad trusted proxy: %d %q", code, errs)
	}
}
