package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"portico/internal/store/storetest"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// dbArgs returns --data (and --database-url) for each engine.
func eachDB(t *testing.T, fn func(t *testing.T, args []string)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			args := []string{"--data", t.TempDir()}
			if u := e.Config(t).DatabaseURL; u != "" {
				args = append(args, "--database-url", u)
			}
			fn(t, args)
		})
	}
}

func TestUserAndTokenCreate(t *testing.T) {
	eachDB(t, func(t *testing.T, db []string) {
		code, out, errs := runCLI(t, "", append([]string{"user", "create", "--email", "Ops@Example.com", "--role", "owner"}, db...)...)
		if code != 0 || !strings.Contains(out, "created owner user ops@example.com") || !strings.Contains(out, "password: ") {
			t.Fatalf("user create: %d %q %q", code, out, errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"user", "create", "--email", "ops@example.com"}, db...)...)
		if code != 1 || !strings.Contains(errs, "exists") {
			t.Fatalf("duplicate user: %d %q", code, errs)
		}
		code, out, _ = runCLI(t, "password123\n", append([]string{"user", "create", "--email", "b@example.com", "--password-stdin"}, db...)...)
		if code != 1 {
			t.Fatalf("a common password was accepted: %q", out)
		}
		code, out, errs = runCLI(t, "a fine passphrase\n", append([]string{"user", "create", "--email", "c@example.com", "--role", "support", "--password-stdin"}, db...)...)
		if code != 0 || strings.Contains(out, "password:") {
			t.Fatalf("stdin password: %d %q %q", code, out, errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"user", "create", "--email", "d@example.com", "--role", "root"}, db...)...)
		if code != 1 || !strings.Contains(errs, "Role must be owner, admin or support") {
			t.Fatalf("bad role: %d %q", code, errs)
		}
		code, out, errs = runCLI(t, "", append([]string{"token", "create", "--email", "ops@example.com", "--name", "ci"}, db...)...)
		if code != 0 || !strings.HasPrefix(out, "pt_") || len(strings.TrimSpace(out)) < 40 {
			t.Fatalf("token create: %d %q %q", code, out, errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"token", "create", "--email", "nobody@example.com", "--name", "ci"}, db...)...)
		if code != 1 || !strings.Contains(errs, "not found") {
			t.Fatalf("token for unknown user: %d %q", code, errs)
		}
		code, out, errs = runCLI(t, "", append([]string{"token", "revoke", "--email", "ops@example.com", "--name", "ci"}, db...)...)
		if code != 0 || !strings.Contains(out, `Revoked 1 token(s) named "ci"`) {
			t.Fatalf("token revoke: %d %q %q", code, out, errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"token", "revoke", "--email", "ops@example.com", "--name", "ci"}, db...)...)
		if code != 1 || !strings.Contains(errs, "No such API token") {
			t.Fatalf("revoking a revoked token: %d %q", code, errs)
		}
	})
}

func TestMigrateShowsStatus(t *testing.T) {
	eachDB(t, func(t *testing.T, db []string) {
		code, out, errs := runCLI(t, "", append([]string{"migrate"}, db...)...)
		if code != 0 || !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
			t.Fatalf("migrate: %d %q %q", code, out, errs)
		}
	})
}

func TestEnvironmentFlags(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PORTICO_DATA", dir)
	code, out, errs := runCLI(t, "", "user", "create", "--email", "env@example.com")
	if code != 0 {
		t.Fatalf("user create with PORTICO_DATA: %d %q %q", code, out, errs)
	}
	// The command line wins over the environment.
	t.Setenv("PORTICO_DATA", t.TempDir())
	code, _, errs = runCLI(t, "", "token", "create", "--email", "env@example.com", "--name", "x", "--data", dir)
	if code != 0 {
		t.Fatalf("--data did not override PORTICO_DATA: %q", errs)
	}
	t.Setenv("PORTICO_DEFAULT_CURRENCY", "dollars")
	code, _, errs = runCLI(t, "", "serve", "--data", dir, "--http", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "--default-currency") {
		t.Fatalf("bad currency from env: %d %q", code, errs)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errs := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "Usage") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
}
