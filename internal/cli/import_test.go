package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/billing/billingtest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// childEnv names the variable that makes the test binary run one portico
// command (a JSON list of arguments) instead of the tests: the crash test
// runs imports in a child process it can kill.
const childEnv = "PORTICO_TEST_CLI_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(Run(context.Background(), argv, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// deckSize is the number of prefixes on the fixture's cards; the
// benchmark raises it to a realistic 50k.
var deckSize = 2000

// billingFixture is a database (as DBConfig and CLI flags) with a customer
// and a carrier, each on a card loaded by `portico import rates`.
type billingFixture struct {
	args     []string // --data, --database-url
	db       *store.DB
	svc      *app.Service
	customer *portico.Account
	carrier  *portico.Account
	deck     []portico.Rate
}

func newBillingFixture(t testing.TB, e storetest.Engine) *billingFixture {
	t.Helper()
	ctx := context.Background()
	d := DBConfig{Data: t.TempDir(), DatabaseURL: e.Config(t).DatabaseURL}
	f := &billingFixture{args: []string{"--data", d.Data}}
	if d.DatabaseURL != "" {
		f.args = append(f.args, "--database-url", d.DatabaseURL)
	}
	f.deck = billingtest.Deck(deckSize, 11, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	deck := filepath.Join(t.TempDir(), "deck.csv")
	writeFile(t, deck, func(w *os.File) error { return billingtest.WriteDeck(w, f.deck) })
	for _, card := range []string{"Retail", "Supplier"} {
		var out, errs strings.Builder
		if code := Run(ctx, append([]string{"import", "rates", deck, "--card", card}, f.args...), nil, &out, &errs); code != 0 ||
			!strings.Contains(out.String(), fmt.Sprintf(`loaded version 1 of %q: %d rates`, card, deckSize)) {
			t.Fatalf("import rates: %d %q %q", code, out.String(), errs.String())
		}
	}
	var err error
	if f.db, err = openDB(ctx, d); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	if f.svc, err = newService(f.db, d, "USD", app.Links{}); err != nil {
		t.Fatal(err)
	}
	retail, _ := f.svc.FindRateCardByName(ctx, "Retail")
	supplier, _ := f.svc.FindRateCardByName(ctx, "Supplier")
	f.customer = &portico.Account{Kind: portico.KindCustomer, Name: "Globex", RateCardID: &retail.ID}
	f.carrier = &portico.Account{Kind: portico.KindCarrier, Name: "Initech", RateCardID: &supplier.ID}
	for _, acc := range []*portico.Account{f.customer, f.carrier} {
		if err := f.svc.CreateAccount(ctx, cliActor, acc); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *billingFixture) cdrFile(t testing.TB, n int, seed uint64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("cdrs-%d.csv", seed))
	writeFile(t, path, func(w *os.File) error {
		return billingtest.WriteCDRs(w, n, billingtest.CDROptions{Seed: seed, Customers: []int64{f.customer.ID},
			Carriers: []int64{f.carrier.ID}, Deck: f.deck, Unmatched: 3, Priced: 10})
	})
	return path
}

// state is what an import leaves: CDR count and both balances.
func (f *billingFixture) state(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	n, err := f.db.Read().CountCDRs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.svc.AccountBalance(ctx, portico.KindCustomer, f.customer.ID)
	k, _ := f.svc.AccountBalance(ctx, portico.KindCarrier, f.carrier.ID)
	return fmt.Sprintf("%d CDRs, customer %s, carrier %s", n, c.Balance, k.Balance)
}

func writeFile(t testing.TB, path string, fn func(*os.File) error) {
	t.Helper()
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fn(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestImportRatesCommand(t *testing.T) {
	eachDB(t, func(t *testing.T, db []string) {
		dir := t.TempDir()
		good := filepath.Join(dir, "deck.csv")
		os.WriteFile(good, []byte(billing.RatesHeader+"\n44,UK,0.01,0,1,1,2026-01-01\n33,France,0.02,0,1,1,2026-01-01\n"), 0o600)
		// The card is created on first use, flags before or after FILE.
		code, out, errs := runCLI(t, "", append([]string{"import", "rates", "--card", "Retail", "--currency", "EUR", good}, db...)...)
		if code != 0 || !strings.Contains(out, `created rate card "Retail"`) || !strings.Contains(out, "EUR") || !strings.Contains(out, "version 1") {
			t.Fatalf("first import: %d %q %q", code, out, errs)
		}
		code, out, _ = runCLI(t, "", append([]string{"import", "rates", good, "--card", "Retail"}, db...)...)
		if code != 0 || !strings.Contains(out, "unchanged") || strings.Contains(out, "created") {
			t.Fatalf("same file again: %d %q", code, out)
		}
		bad := filepath.Join(dir, "bad.csv")
		os.WriteFile(bad, []byte(billing.RatesHeader+"\n44,UK,0.01,0,1,1,2026-02-01\n33,France,NaN,0,1,1,2026-02-01\n"+
			"49,Germany,0.0000001,0,1,1,2026-02-01\n1,USA,-1,0,1,1,2026-02-01\n"), 0o600)
		code, out, errs = runCLI(t, "", append([]string{"import", "rates", bad, "--card", "Retail"}, db...)...)
		if code != 1 || out != "" || !strings.Contains(errs, "line 3: rate: Rate \"NaN\" is not a number.") ||
			!strings.Contains(errs, "line 4: rate: Rate \"0.0000001\" has more than 6 decimals.") ||
			!strings.Contains(errs, "line 5: rate: Rate cannot be negative.") || !strings.Contains(errs, "nothing was written") {
			t.Fatalf("bad file: %d %q %q", code, out, errs)
		}
		if strings.Index(errs, "line 3") > strings.Index(errs, "line 4") {
			t.Errorf("problems not in line order: %q", errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"import", "rates", good}, db...)...)
		if code != 1 || !strings.Contains(errs, "--card") {
			t.Fatalf("no --card: %d %q", code, errs)
		}
		code, _, errs = runCLI(t, "", append([]string{"import", "rates", good, bad, "--card", "Retail"}, db...)...)
		if code != 1 || !strings.Contains(errs, "exactly one FILE") {
			t.Fatalf("two files: %d %q", code, errs)
		}
	})
}

func TestImportCDRsCommand(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newBillingFixture(t, e)
			file := f.cdrFile(t, 3000, 1)
			code, out, errs := runCLI(t, "", append([]string{"import", "cdrs", file, "--batch", "1000"}, f.args...)...)
			if code != 0 || !strings.Contains(out, "3000 CDRs: 3000 accepted, 0 duplicates,") || !strings.Contains(errs, "importing: 100% 3000/3000") {
				t.Fatalf("import: %d %q %q", code, out, errs)
			}
			first := f.state(t)
			code, out, _ = runCLI(t, "", append([]string{"import", "cdrs", file}, f.args...)...)
			if code != 0 || !strings.Contains(out, "0 accepted, 3000 duplicates, 0 unrated") || f.state(t) != first {
				t.Fatalf("the same file again: %d %q; %s, was %s", code, out, f.state(t), first)
			}
			// A file with bad lines writes nothing and lists every line.
			bad := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(bad, []byte(billing.CDRHeader+"\n"+
				fmt.Sprintf("n1,sw9,2026-02-01T10:00:00Z,441,4420,60,,,,,200,OK,,%d,,,\n", f.customer.ID)+
				"n2,sw9,2026-02-01T10:00:00Z,441,4420,60,,,,,200,OK,,999,,,\n"+
				fmt.Sprintf("n3,sw9,not a time,441,4420,60,,,,,200,OK,,%d,,,\n", f.customer.ID)+
				fmt.Sprintf("n4,sw9,2026-02-01T10:00:00Z,441,4420,60,,,,1e9,200,OK,,%d,,,\n", f.customer.ID)), 0o600)
			code, out, errs = runCLI(t, "", append([]string{"import", "cdrs", bad}, f.args...)...)
			if code != 1 || !strings.Contains(errs, "line 3: customer_id: Customer 999 does not exist.") ||
				!strings.Contains(errs, "line 4: start_time:") || !strings.Contains(errs, "line 5: charge: Charge \"1e9\" is not a number.") ||
				strings.Contains(errs, "line 2") || f.state(t) != first {
				t.Fatalf("bad file: %d %q %q; %s", code, out, errs, f.state(t))
			}
		})
	}
}

// TestImportSurvivesKill kills `portico import cdrs` (a child process)
// with SIGKILL as soon as its first batch is committed, while the next
// batch's transaction is being written, reruns it to completion, and
// checks that the CDRs and balances equal those of one clean import: whole
// batches or nothing were stored, and the rerun stored the rest without
// counting anything twice.
func TestImportSurvivesKill(t *testing.T) {
	const rows, batch = 12_000, 3_000
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clean := newBillingFixture(t, e)
			file := clean.cdrFile(t, rows, 5)
			if code, _, errs := runCLI(t, "", append([]string{"import", "cdrs", file}, clean.args...)...); code != 0 {
				t.Fatalf("clean import: %s", errs)
			}
			want := clean.state(t)

			f := newBillingFixture(t, e) // a fresh database with the same ids, so the file fits
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			child := func() *exec.Cmd {
				argv, _ := json.Marshal(append([]string{"import", "cdrs", file, "--batch", strconv.Itoa(batch)}, f.args...))
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+string(argv))
				return cmd
			}
			cmd := child()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for {
				n, err := f.db.Read().CountCDRs(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("the import never got going: %s", stderr.String())
				}
				time.Sleep(time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("the child was not killed mid-import (it ended with %v): %s", err, stderr.String())
			}
			n, err := f.db.Read().CountCDRs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 || n >= rows || n%batch != 0 {
				t.Fatalf("after the kill: %d CDRs; want whole batches of %d, fewer than %d", n, batch, rows)
			}
			t.Logf("killed with %d of %d CDRs stored", n, rows)

			out, err := child().CombinedOutput()
			if err != nil {
				t.Fatalf("rerun: %v: %s", err, out)
			}
			if !strings.Contains(string(out), fmt.Sprintf("%d accepted, %d duplicates", rows-n, n)) {
				t.Errorf("rerun said %q; want %d accepted, %d duplicates", out, rows-n, n)
			}
			if got := f.state(t); got != want {
				t.Fatalf("after kill and rerun: %s; one clean import: %s", got, want)
			}
		})
	}
}

// BenchmarkImportCommand1M runs `portico import cdrs` on a generated file
// of a million CDRs (random UUID call ids, 3% to unknown numbers, 10%
// priced by the switch) into an empty SQLite database whose cards have
// 50k prefixes: the end-to-end figure in PERFORMANCE.md (both passes, CSV
// parsing, rating and storing). Run it alone:
//
//	go test -run '^$' -bench ImportCommand1M -benchtime 1x ./internal/cli/
func BenchmarkImportCommand1M(b *testing.B) {
	rows := 1_000_000
	if s := os.Getenv("PORTICO_BENCH_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	deckSize = 50_000
	defer func() { deckSize = 2000 }()
	for range b.N {
		b.StopTimer()
		f := newBillingFixture(b, storetest.Engines()[0])
		file := f.cdrFile(b, rows, 1)
		b.StartTimer()
		start := time.Now()
		var out, errs strings.Builder
		if code := Run(context.Background(), append([]string{"import", "cdrs", file}, f.args...), nil, &out, &errs); code != 0 ||
			!strings.Contains(out.String(), fmt.Sprintf("%d accepted", rows)) {
			b.Fatalf("import: %d %s %s", code, out.String(), errs.String())
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.Log(strings.TrimSpace(out.String()))
	}
}
