// Package cli is the portico command: flags and environment into
// configuration, explicit wiring, and the subcommands. cmd/portico only
// calls Run, so tests can boot the whole product in-process on port 0.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/secret"
	"portico/internal/store"
)

const usage = `Usage: portico <command> [flags]

Commands:
  serve          run the control panel, portals and API
  migrate        apply database migrations and show their status
  user create    create an operator user (--email, --role owner|admin|support)
  token create   create an operator API token (--email, --name)
  token revoke   revoke a user's API tokens of that name (--email, --name)
  import rates   load a rate deck CSV as a new version: import rates FILE --card NAME
  import cdrs    rate and store a CDR CSV (re-running skips what is stored): import cdrs FILE
  user reset-2fa remove an operator user's two-factor set-up (--email)
  seed           fill a fresh database with a large data set for measurements

Every flag has an environment equivalent: PORTICO_ + the flag name upper-cased
with - turned into _ (e.g. --database-url → PORTICO_DATABASE_URL).
Run 'portico <command> -h' for a command's flags.
`

// Run runs the portico command line and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case args[0] == "migrate":
		err = runMigrate(ctx, args[1:], stdout, stderr)
	case cmd == "user create":
		err = runUserCreate(ctx, args[2:], stdin, stdout, stderr)
	case cmd == "user reset-2fa":
		err = runUserReset2FA(ctx, args[2:], stdout, stderr)
	case cmd == "token create":
		err = runTokenCreate(ctx, args[2:], stdout, stderr)
	case cmd == "token revoke":
		err = runTokenRevoke(ctx, args[2:], stdout, stderr)
	case cmd == "import rates":
		err = runImportRates(ctx, args[2:], stdout, stderr)
	case cmd == "import cdrs":
		err = runImportCDRs(ctx, args[2:], stdout, stderr)
	case args[0] == "seed":
		err = runSeed(ctx, args[1:], stdout, stderr)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "portico: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "portico: %s\n", describe(err))
		return 1
	}
	return 0
}

// describe renders an error for the terminal, with field messages spelled out.
func describe(err error) string {
	var e *portico.Error
	if errors.As(err, &e) {
		msg := e.Message
		for field, m := range e.Fields {
			if m != msg {
				msg += "\n  " + field + ": " + m
			}
		}
		return msg
	}
	return err.Error()
}

// openDB opens and migrates the database the flags name.
func openDB(ctx context.Context, d DBConfig) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{DataDir: d.Data, DatabaseURL: d.DatabaseURL})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openService opens and migrates the database and builds the application
// over it, for the one-shot subcommands; closeDB releases the database.
func openService(ctx context.Context, d DBConfig, currency string) (svc *app.Service, closeDB func() error, err error) {
	db, err := openDB(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	if svc, err = newService(db, d, currency, app.Links{}); err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, db.Close, nil
}

// newService builds the application over an open database.
func newService(db *store.DB, d DBConfig, currency string, links app.Links) (*app.Service, error) {
	key, err := secret.LoadOrCreateKey(d.keyPath())
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return nil, err
	}
	return &app.Service{DB: db, Hasher: auth.NewHasher(auth.DefaultParams), Box: box, Links: links, DefaultCurrency: currency}, nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	var d DBConfig
	d.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, d)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database: %s\n", db.Dialect())
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%5d  %-8s %s\n", m.Version, state, m.Name)
	}
	return nil
}

func runUserCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user create", stderr)
	var d DBConfig
	d.register(fs)
	email := fs.String("email", "", "login email (required)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", portico.RoleAdmin, "owner, admin or support (read-only)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	if err := parse(fs, args); err != nil {
		return err
	}
	password := auth.GeneratePassword()
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	svc, closeDB, err := openService(ctx, d, "USD")
	if err != nil {
		return err
	}
	defer closeDB()
	u := &portico.User{Email: *email, Name: *name, Role: *role}
	if err := svc.CreateUser(ctx, u, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	if !*fromStdin {
		// Printed once, to the terminal only; it is stored only as a hash.
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenCommand(ctx, "token create", "what the token is for (required)", args, stderr,
		func(svc *app.Service, email, name string) error {
			token, err := svc.CreateAPIToken(ctx, email, name)
			if err == nil {
				fmt.Fprintln(stdout, token)
			}
			return err
		})
}

// runTokenRevoke deletes the user's API tokens of a name (owners can also
// revoke one on the user's page in the panel).
func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenCommand(ctx, "token revoke", "the name the token was created with (required)", args, stderr,
		func(svc *app.Service, email, name string) error {
			n, err := svc.RevokeAPITokensByName(ctx, email, name)
			if err == nil {
				fmt.Fprintf(stdout, "Revoked %d token(s) named %q of %s.\n", n, name, email)
			}
			return err
		})
}

// tokenCommand parses the flags the token subcommands share (the
// database, --email and --name), opens the service and runs fn.
func tokenCommand(ctx context.Context, cmd, nameUsage string, args []string, stderr io.Writer,
	fn func(svc *app.Service, email, name string) error) error {
	fs := newFlagSet(cmd, stderr)
	var d DBConfig
	d.register(fs)
	email := fs.String("email", "", "email of the operator user the token acts as (required)")
	name := fs.String("name", "", nameUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, d, "USD")
	if err != nil {
		return err
	}
	defer closeDB()
	return fn(svc, *email, *name)
}

// runUserReset2FA removes an operator user's second factor (a lost phone
// and lost recovery codes) and ends their sessions. It runs on the host,
// so only someone with access to the server and database can do it; the
// audit log records it.
func runUserReset2FA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user reset-2fa", stderr)
	var d DBConfig
	d.register(fs)
	email := fs.String("email", "", "email of the operator user (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, d, "USD")
	if err != nil {
		return err
	}
	defer closeDB()
	if err := svc.ResetUserMFA(ctx, *email); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "two-factor authentication removed for %s; they log in with their password and may set it up again\n", portico.NormalizeEmail(*email))
	return nil
}

// newLogger writes structured logs to stderr.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
