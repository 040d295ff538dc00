package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"portico/internal/secret"
	"portico/internal/store"
)

// Worker delivers the outbox. Every Portico node may run one: messages are
// claimed in the database before sending, so nodes sharing PostgreSQL never
// send the same message twice.
type Worker struct {
	DB  *store.DB   // required
	Box *secret.Box // required: opens outbox secrets and brand SMTP passwords
	// Default is the operator's SMTP server, used for messages whose brand
	// has none; nil when the operator configured none.
	Default *SMTPConfig
	Logger  *slog.Logger // nil: slog.Default()

	// Timings, settable before Run; zero values take the defaults named
	// beside them.
	PollInterval time.Duration // between looks at the outbox (5 s)
	Lease        time.Duration // a claim's length, longer than any send (5 min)
	NoSMTPWait   time.Duration // recheck after finding no SMTP server (1 min)
	// Retries are the waits before each retry: a message is tried
	// len(Retries)+1 times, then failed. Nil means 1 min, 5 min, 15 min,
	// 1 h, 4 h, 8 h, 24 h (eight attempts).
	Retries []time.Duration

	initOnce sync.Once
	kick     chan struct{}
}

// defaultRetries spaces eight attempts over about a day and a half, long
// enough to ride out a mail server's maintenance or a full mailbox.
var defaultRetries = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour,
}

// batchSize is how many due messages one query fetches.
const batchSize = 50

// Kick wakes Run at once, for a message just queued. It never blocks.
func (w *Worker) Kick() {
	select {
	case w.kicks() <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run sends due mail until ctx ends, looking again every PollInterval or
// at once after Kick.
func (w *Worker) Run(ctx context.Context) {
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.logger().Error("mail: outbox", "err", err)
		}
		t := time.NewTimer(or(w.PollInterval, 5*time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-w.kicks():
			t.Stop()
		}
	}
}

// SendDue delivers every message due now and returns how many went out.
// A failed delivery is not an error here: it is recorded on the message
// and retried later. The error reports database trouble only.
func (w *Worker) SendDue(ctx context.Context) (sent int, err error) {
	seen := map[int64]bool{}
	for ctx.Err() == nil {
		due, err := w.DB.Read().DueEmails(ctx, batchSize)
		if err != nil {
			return sent, err
		}
		fresh := 0
		for _, e := range due {
			// With a retry wait of zero (tests) a message can be due again
			// at once; one pass handles each message at most once.
			if seen[e.ID] {
				continue
			}
			seen[e.ID] = true
			fresh++
			ok, err := w.deliver(ctx, e)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if fresh == 0 {
			break
		}
	}
	return sent, nil
}

func (w *Worker) kicks() chan struct{} {
	w.initOnce.Do(func() { w.kick = make(chan struct{}, 1) })
	return w.kick
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *Worker) retries() []time.Duration {
	if w.Retries != nil {
		return w.Retries
	}
	return defaultRetries
}

// or returns d, or def when d is zero.
func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
