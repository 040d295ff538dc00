package mail

import (
	"context"
	"errors"
	"html"
	"strings"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
)

// NoSMTPError is the last_error of a message waiting for an SMTP server.
const NoSMTPError = "no SMTP server configured; message kept in the outbox"

// maxErrorLen bounds last_error; SMTP servers can be chatty.
const maxErrorLen = 1000

// failure is a problem with one message (a server refusing it, a secret
// that no longer decrypts): recorded on the message and retried. Any other
// error is database trouble and stops the pass.
type failure struct{ error }

// deliver claims e and tries to send it, recording the outcome. It reports
// whether the message went out.
func (w *Worker) deliver(ctx context.Context, due *portico.Email) (bool, error) {
	var e *portico.Email
	err := w.DB.Write(ctx, func(q *store.Q) error {
		var err error
		e, err = q.ClaimEmail(ctx, due.ID, q.Now().Add(or(w.Lease, 5*time.Minute)))
		return err
	})
	if err != nil || e == nil {
		return false, err // e == nil: another worker has it, or it is gone
	}
	cfg, err := w.route(ctx, e)
	if err != nil {
		return false, w.recordFailure(ctx, e, err, nil, "")
	}
	if cfg == nil {
		return false, w.DB.Write(ctx, func(q *store.Q) error {
			return q.DeferEmail(ctx, e.ID, NoSMTPError, q.Now().Add(or(w.NoSMTPWait, time.Minute)))
		})
	}
	m, plain, err := w.compose(ctx, e)
	if err != nil {
		return false, w.recordFailure(ctx, e, err, cfg, "")
	}
	err = send(ctx, *cfg, m)
	if err != nil && ctx.Err() != nil {
		// Shutting down cut the attempt short: it does not count. The
		// lease expires and a node picks the message up again.
		return false, ctx.Err()
	}
	// The outcome must be recorded even if shutdown starts now, or a sent
	// message would go out again after the lease.
	ctx = context.WithoutCancel(ctx)
	if err != nil {
		return false, w.recordFailure(ctx, e, failure{err}, cfg, plain)
	}
	if err := w.DB.Write(ctx, func(q *store.Q) error { return q.MarkEmailSent(ctx, e.ID) }); err != nil {
		return false, err
	}
	w.logger().Info("mail: sent", "email_id", e.ID, "kind", e.Kind, "to", e.To, "smtp_host", cfg.Host)
	return true, nil
}

// route picks the SMTP server for e: its brand's own when the brand has
// one, else the operator's default, else nil (none configured).
func (w *Worker) route(ctx context.Context, e *portico.Email) (*SMTPConfig, error) {
	if e.DomainID == nil {
		return w.Default, nil
	}
	q := w.DB.Read()
	d, err := q.FindDomainByID(ctx, *e.DomainID)
	if portico.ErrorCode(err) == portico.ENOTFOUND || (err == nil && !d.SMTP.Configured()) {
		return w.Default, nil
	}
	if err != nil {
		return nil, err
	}
	enc, err := q.DomainSMTPPassword(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var password string
	if enc != nil {
		if password, err = w.Box.Open(enc); err != nil {
			return nil, failure{errors.New("cannot decrypt the brand's SMTP password (was the secret key replaced?)")}
		}
	}
	return &SMTPConfig{
		Host: d.SMTP.Host, Port: d.SMTP.Port, Username: d.SMTP.Username, Password: password,
		From: d.SMTP.From, Insecure: d.SMTP.Insecure,
		// Brands store no TLS mode; port 465 is implicit TLS by RFC 8314.
		ImplicitTLS: d.SMTP.Port == portImplicit && !d.SMTP.Insecure,
	}, nil
}

// compose builds the message for the wire, with the decrypted secret in
// place of portico.SecretPlaceholder. It also returns the secret so that
// error texts can be scrubbed of it.
func (w *Worker) compose(ctx context.Context, e *portico.Email) (outgoing, string, error) {
	m := outgoing{FromName: e.Brand, To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML}
	if !e.HasSecret {
		return m, "", nil
	}
	enc, err := w.DB.Read().EmailSecret(ctx, e.ID)
	if err != nil {
		return m, "", err
	}
	plain, err := w.Box.Open(enc)
	if err != nil {
		return m, "", failure{errors.New("cannot decrypt the message's secret (was the secret key replaced?)")}
	}
	m.Text = strings.ReplaceAll(m.Text, portico.SecretPlaceholder, plain)
	m.HTML = strings.ReplaceAll(m.HTML, portico.SecretPlaceholder, html.EscapeString(plain))
	return m, plain, nil
}

// recordFailure records a failed attempt on e and schedules the next one,
// or fails the message for good (erasing its secret) when the retries are
// used up. Errors that are not a failure pass through unrecorded.
func (w *Worker) recordFailure(ctx context.Context, e *portico.Email, err error, cfg *SMTPConfig, plain string) error {
	var f failure
	if !errors.As(err, &f) {
		return err
	}
	text := errorText(f.Error(), cfg, plain)
	var next *time.Time
	err = w.DB.Write(ctx, func(q *store.Q) error {
		if r := w.retries(); e.Attempts < len(r) {
			t := q.Now().Add(r[e.Attempts])
			next = &t
		}
		return q.MarkEmailAttemptFailed(ctx, e.ID, text, next)
	})
	if err != nil {
		return err
	}
	log := w.logger().With("email_id", e.ID, "kind", e.Kind, "to", e.To, "attempt", e.Attempts+1, "err", text)
	if next == nil {
		log.Error("mail: giving up on message")
	} else {
		log.Warn("mail: send failed; will retry", "next_attempt_at", *next)
	}
	return nil
}

// errorText makes an error fit for last_error and the log: no SMTP password,
// no secret (in case a server echoes what it was sent), bounded length.
func errorText(s string, cfg *SMTPConfig, plain string) string {
	for _, secret := range []string{plain, html.EscapeString(plain), cfgPassword(cfg)} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	if len(s) > maxErrorLen {
		s = strings.ToValidUTF8(s[:maxErrorLen], "") + "…"
	}
	return s
}

func cfgPassword(cfg *SMTPConfig) string {
	if cfg == nil {
		return ""
	}
	return cfg.Password
}
