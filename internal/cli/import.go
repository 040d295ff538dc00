package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/portico"
)

// cliActor is who the import commands act as in the audit log: whoever
// can run portico on the host has the database anyway.
var cliActor = app.Actor{Email: "portico import (command line)", Role: portico.RoleOwner, IP: "local"}

// runImportRates loads a rate deck as the next version of a card, creating
// the card (with --currency and --direction) when no card has that name.
func runImportRates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import rates FILE", stderr)
	var d DBConfig
	d.register(fs)
	card := fs.String("card", "", "name of the rate card (required); created if missing")
	currency := fs.String("currency", "USD", "currency of a card created by this import")
	direction := fs.String("direction", portico.DirectionTermination, "termination or origination, for a card created by this import")
	effective := fs.String("effective-date", "", "YYYY-MM-DD for every row, when the file has no effective_date column")
	mapping := fs.String("map", "", "columns whose header Portico does not recognise, as field=Header,… (fields: prefix, name, rate, connection_fee, mcd, pulse, increment, effective_date)")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*card) == "" {
		return errors.New("--card NAME is required")
	}
	opts := billing.RatesOptions{}
	if *effective != "" {
		if opts.Effective, err = portico.ParseDate(*effective); err != nil {
			return fmt.Errorf("--effective-date: %v", err)
		}
	}
	if opts.Mapping, err = billing.ParseMapping(*mapping); err != nil {
		return fmt.Errorf("--map: %v", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	svc, closeDB, err := openService(ctx, d, *currency)
	if err != nil {
		return err
	}
	defer closeDB()
	c, err := svc.FindRateCardByName(ctx, *card)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		c = portico.NewRateCard(*card, *currency)
		c.Direction = *direction
		if err = svc.CreateRateCard(ctx, cliActor, c); err == nil {
			fmt.Fprintf(stdout, "created rate card %q (id %d, %s, %s)\n", c.Name, c.ID, c.Currency, c.Direction)
		}
	}
	if err != nil {
		return err
	}
	v, created, err := svc.ImportRates(ctx, cliActor, c.ID, f, opts, filepath.Base(file))
	if err != nil {
		return lineReport(err, stderr)
	}
	if !created {
		fmt.Fprintf(stdout, "unchanged: %s has the same rows as version %d of %q\n", file, v.Version, c.Name)
		return nil
	}
	fmt.Fprintf(stdout, "loaded version %d of %q: %d rates\n", v.Version, c.Name, v.Rows)
	return nil
}

// runImportCDRs imports a CDR file in two passes: the first checks every
// line and reports every problem (writing nothing), the second rates and
// stores the CDRs a batch per transaction, with a progress bar on stderr.
// CDRs already stored (same switch and call id) are skipped, so running it
// again after a crash or on the same file finishes the job without
// counting anything twice.
func runImportCDRs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import cdrs FILE", stderr)
	var d DBConfig
	d.register(fs)
	mapping := fs.String("map", "", "columns whose header Portico does not recognise, as field=Header,…")
	batchSize := fs.Int("batch", app.IngestBatchSize, "CDRs per transaction: a crash loses at most the batch in flight, which a rerun stores")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if *batchSize < 1 || *batchSize > 100_000 {
		return errors.New("--batch must be from 1 to 100000")
	}
	m, err := billing.ParseMapping(*mapping)
	if err != nil {
		return fmt.Errorf("--map: %v", err)
	}
	svc, closeDB, err := openService(ctx, d, "USD")
	if err != nil {
		return err
	}
	defer closeDB()
	imp, err := svc.NewCDRImport(cliActor, filepath.Base(file))
	if err != nil {
		return err
	}
	imp.BatchSize = *batchSize
	bar := newProgress(stderr)

	// Pass 1: every line checked, nothing written.
	total, err := eachCDRBatch(ctx, file, m, *batchSize, func(batch []portico.CDR, lines []int, errs *portico.LineErrors) error {
		for i := range batch {
			bad, err := imp.Check(ctx, &batch[i])
			if err != nil {
				return err
			}
			errs.AddFields(lines[i], bad)
		}
		bar.checked(lines[len(lines)-1])
		return nil
	})
	bar.done()
	if err != nil {
		return lineReport(err, stderr)
	}

	// Pass 2: a reader goroutine parses and rates the next batch while
	// this one is stored.
	type job struct{ batch []portico.CDR }
	jobs := make(chan job, 1)
	readErr := make(chan error, 1)
	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(jobs)
		_, err := eachCDRBatch(readCtx, file, m, *batchSize, func(batch []portico.CDR, _ []int, _ *portico.LineErrors) error {
			if err := imp.Rate(readCtx, batch); err != nil {
				return err
			}
			select {
			case jobs <- job{batch}:
				return nil
			case <-readCtx.Done():
				return readCtx.Err()
			}
		})
		readErr <- err
	}()
	start, done := time.Now(), 0
	for j := range jobs {
		if _, err := imp.Store(ctx, j.batch); err != nil {
			stop()
			return err
		}
		done += len(j.batch)
		bar.stored(done, total, start)
	}
	if err := <-readErr; err != nil {
		return lineReport(err, stderr)
	}
	bar.done()
	if err := imp.Finish(ctx); err != nil {
		return err
	}
	r := imp.Result()
	fmt.Fprintf(stdout, "%d CDRs: %d accepted, %d duplicates, %d unrated (%.0f rows/s)\n",
		total, r.Accepted, r.Duplicates, r.Unrated, float64(total)/time.Since(start).Seconds())
	return nil
}

// eachCDRBatch reads file and calls fn with each batch of good CDRs (and
// their line numbers), then returns the number of good CDRs, or the
// problems found (by fn too) as a *portico.LineErrors.
func eachCDRBatch(ctx context.Context, file string, mapping map[string]string, size int,
	fn func(batch []portico.CDR, lines []int, errs *portico.LineErrors) error) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := billing.NewCDRReader(f, mapping)
	if err != nil {
		return 0, err
	}
	n := 0
	batch, lines := make([]portico.CDR, 0, size), make([]int, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(batch, lines, r.Errs); err != nil {
			return err
		}
		n += len(batch)
		// A fresh slice: the last one may still be in use by the writer.
		batch, lines = make([]portico.CDR, 0, size), lines[:0]
		return nil
	}
	for {
		c, line, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", file, err)
		}
		batch, lines = append(batch, c), append(lines, line)
		if len(batch) == size {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := r.Errs.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errors.New("the file has a header but no CDRs")
	}
	return n, nil
}

// lineReport prints every problem of a *portico.LineErrors on its own
// line, in line order, and returns the summary as the error.
func lineReport(err error, stderr io.Writer) error {
	le, ok := errors.AsType[*portico.LineErrors](err)
	if !ok {
		return err
	}
	for _, l := range le.Lines {
		field := ""
		if l.Field != "" {
			field = l.Field + ": "
		}
		fmt.Fprintf(stderr, "%s %d: %s%s\n", le.Unit, l.Line, field, l.Message)
	}
	return errors.New(le.Summary())
}

// parseWithFile parses flags given before or after the one positional FILE
// argument (Go's flag package stops at the first non-flag).
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	var files, flags []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			files = append(files, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") || name == "" {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if err := parse(fs, flags); err != nil {
		return "", err
	}
	if len(files) != 1 {
		return "", fmt.Errorf("give exactly one FILE (got %d)", len(files))
	}
	return files[0], nil
}

// progress draws a one-line progress bar on stderr, at most five times a
// second; on a terminal it redraws in place, elsewhere (a log file) it
// prints a line every ten percent.
type progress struct {
	w       io.Writer
	tty     bool
	last    time.Time
	lastPct int
	drawn   bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, lastPct: -1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) checked(line int) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last, p.drawn = time.Now(), true
	fmt.Fprintf(p.w, "\rchecking: %d lines", line)
}

func (p *progress) stored(done, total int, start time.Time) {
	pct := done * 100 / max(total, 1)
	rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
	if !p.tty {
		if pct/10 > p.lastPct/10 || done == total {
			p.lastPct = pct
			fmt.Fprintf(p.w, "importing: %3d%% %d/%d rows, %.0f rows/s\n", pct, done, total, rate)
		}
		return
	}
	if time.Since(p.last) < 200*time.Millisecond && done != total {
		return
	}
	const width = 30
	filled := width * done / max(total, 1)
	p.last, p.drawn = time.Now(), true
	fmt.Fprintf(p.w, "\rimporting [%s%s] %3d%% %d/%d rows, %.0f rows/s ",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), pct, done, total, rate)
}

// done ends a line drawn in place.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
