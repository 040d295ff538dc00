package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// newFlagSet returns a flag set whose errors go to stderr and never exit
// the process (tests call Run directly).
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("portico "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// envName is the environment variable for a flag: PORTICO_ + upper-cased
// name with - turned into _ (--smtp-url → PORTICO_SMTP_URL).
func envName(flagName string) string {
	return "PORTICO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse applies environment values first and then the command line, so a
// flag typed on the command line wins over the environment.
func parse(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %v", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// listFlag is a comma-separated list flag; setting it replaces the default.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// DBConfig says where the data lives; every subcommand that opens the
// database takes these flags.
type DBConfig struct {
	Data          string // SQLite database and secret key folder
	DatabaseURL   string // postgres://… instead of SQLite
	SecretKeyFile string // overrides Data/secret.key
}

func (d *DBConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&d.Data, "data", "./data", "data folder (SQLite database, secret key)")
	fs.StringVar(&d.DatabaseURL, "database-url", "", "postgres:// URL; use PostgreSQL instead of SQLite")
	fs.StringVar(&d.SecretKeyFile, "secret-key-file", "", "file with the 32-byte key that seals secrets (default DATA/secret.key; share it between nodes)")
}

func (d *DBConfig) keyPath() string {
	if d.SecretKeyFile != "" {
		return d.SecretKeyFile
	}
	return d.Data + string(os.PathSeparator) + "secret.key"
}
