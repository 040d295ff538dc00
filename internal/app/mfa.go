package app

import (
	"context"
	"fmt"
	"time"

	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
)

// Two-factor authentication: TOTP (RFC 6238) with single-use recovery
// codes, for operator users and portal contacts alike. The secret is
// sealed with the secret key before it reaches the database, a code works
// once, and codes are throttled per login and per address like passwords.
const (
	// mfaPendingLifetime is how long the second-factor form stays usable
	// after a right password.
	mfaPendingLifetime = 5 * time.Minute
	recoveryCodeCount  = 10
)

// MFAStatus is what the security pages show about a login's second factor.
type MFAStatus struct {
	Enabled       bool
	RecoveryCodes int // unused ones left
}

// Enrolment is a started TOTP set-up: the key to add to an app. Nothing
// changes at login until ConfirmTOTP proves the app has it.
type Enrolment struct {
	Key *auth.TOTPKey
}

var badCode = portico.FieldError("code", "That code is not right. Use the current code from your authenticator app, or one of your recovery codes.")

func (s *Service) mfaStatus(ctx context.Context, p store.Principal) (MFAStatus, error) {
	q := s.DB.Read()
	t, err := q.FindTOTP(ctx, p)
	if err != nil {
		return MFAStatus{}, err
	}
	st := MFAStatus{Enabled: t.Enabled}
	if t.Enabled {
		st.RecoveryCodes, err = q.CountRecoveryCodes(ctx, p)
	}
	return st, err
}

// beginTOTP generates a secret and stores it unconfirmed. A login that
// already has a confirmed authenticator must remove it first, so a
// hijacked session cannot quietly swap it.
func (s *Service) beginTOTP(ctx context.Context, p store.Principal, issuer, account string) (*Enrolment, error) {
	t, err := s.DB.Read().FindTOTP(ctx, p)
	if err != nil {
		return nil, err
	}
	if t.Enabled {
		return nil, portico.Errorf(portico.ECONFLICT, "Two-factor authentication is already on. Turn it off first to set up another app.")
	}
	key, err := auth.NewTOTPKey(issuer, account)
	if err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(q *store.Q) error { return q.SetTOTP(ctx, p, s.Box.Seal(key.Secret), false) })
	return &Enrolment{Key: key}, err
}

// pendingKey returns the unconfirmed key being set up, to show it again
// after a wrong code, or nil.
func (s *Service) pendingKey(ctx context.Context, p store.Principal, issuer, account string) (*Enrolment, error) {
	t, err := s.DB.Read().FindTOTP(ctx, p)
	if err != nil || t.Enabled || t.SecretEnc == nil {
		return nil, err
	}
	secret, err := s.Box.Open(t.SecretEnc)
	if err != nil {
		return nil, err
	}
	key, err := auth.TOTPKeyFor(issuer, account, secret)
	return &Enrolment{Key: key}, err
}

// confirmTOTP turns the pending secret on when code matches it, and
// returns fresh recovery codes (shown once; only their hashes are kept).
func (s *Service) confirmTOTP(ctx context.Context, p store.Principal, code string, entry store.AuditEntry) ([]string, error) {
	var codes []string
	err := s.DB.Write(ctx, func(q *store.Q) error {
		t, err := q.FindTOTP(ctx, p)
		if err != nil {
			return err
		}
		if t.Enabled || t.SecretEnc == nil {
			return portico.Errorf(portico.ECONFLICT, "Start the set-up again: no authenticator is waiting to be confirmed.")
		}
		secret, err := s.Box.Open(t.SecretEnc)
		if err != nil {
			return err
		}
		step := auth.CheckTOTP(secret, code, q.Now())
		if step == 0 {
			return badCode
		}
		if err := q.SetTOTP(ctx, p, t.SecretEnc, true); err != nil {
			return err
		}
		if _, err := q.UseTOTPStep(ctx, p, step); err != nil {
			return err
		}
		var hashes []string
		codes, hashes = auth.NewRecoveryCodes(recoveryCodeCount)
		if err := q.ReplaceRecoveryCodes(ctx, p, hashes); err != nil {
			return err
		}
		entry.Action = "mfa.enable"
		return q.Audit(ctx, entry)
	})
	return codes, err
}

// newRecoveryCodes replaces a login's recovery codes.
func (s *Service) newRecoveryCodes(ctx context.Context, p store.Principal, entry store.AuditEntry) ([]string, error) {
	var codes []string
	err := s.DB.Write(ctx, func(q *store.Q) error {
		t, err := q.FindTOTP(ctx, p)
		if err != nil {
			return err
		}
		if !t.Enabled {
			return portico.Errorf(portico.ECONFLICT, "Two-factor authentication is off; there are no recovery codes to replace.")
		}
		var hashes []string
		codes, hashes = auth.NewRecoveryCodes(recoveryCodeCount)
		if err := q.ReplaceRecoveryCodes(ctx, p, hashes); err != nil {
			return err
		}
		entry.Action = "mfa.recovery_codes"
		return q.Audit(ctx, entry)
	})
	return codes, err
}

// removeTOTP turns two-factor off and drops the recovery codes.
func removeTOTP(ctx context.Context, q *store.Q, p store.Principal) error {
	if err := q.SetTOTP(ctx, p, nil, false); err != nil {
		return err
	}
	return q.ReplaceRecoveryCodes(ctx, p, nil)
}

// checkSecondFactor reports whether code is a right TOTP code not used
// before, or an unused recovery code (then used up), for p; it runs in
// q's transaction so a code is consumed exactly once.
func (s *Service) checkSecondFactor(ctx context.Context, q *store.Q, p store.Principal, code string) (ok, recovery bool, err error) {
	t, err := q.FindTOTP(ctx, p)
	if err != nil || !t.Enabled {
		return false, false, err
	}
	secret, err := s.Box.Open(t.SecretEnc)
	if err != nil {
		return false, false, err
	}
	if step := auth.CheckTOTP(secret, code, q.Now()); step != 0 {
		ok, err := q.UseTOTPStep(ctx, p, step)
		return ok, false, err
	}
	if n := len(auth.NormalizeCode(code)); n < 8 || n > 20 {
		return false, false, nil
	}
	ok, err = q.UseRecoveryCode(ctx, p, auth.HashRecoveryCode(code))
	return ok, ok, err
}

// auditBlock records, once per refusal window, that a failure started one,
// so the log shows throttling without a write per refused attempt (a
// flood of refusals costs reads only).
func auditBlock(ctx context.Context, q *store.Q, e store.AuditEntry, w time.Duration) error {
	if w == 0 {
		return nil
	}
	e.Outcome, e.Detail = "throttled", "further attempts refused for "+w.String()
	return q.Audit(ctx, e)
}

// verifyPending checks the second factor for a session waiting for it,
// throttled per login and per address. On success fn runs in the same
// transaction (it rotates the session); on failure the failure counts.
func (s *Service) verifyPending(ctx context.Context, p store.Principal, code, ip string, fail store.AuditEntry, fn func(q *store.Q, recovery bool) error) error {
	who := throttleKey("mfa", fmt.Sprintf("%d/%d", p.UserID, p.ContactID))
	byIP := throttleKey("mfa-ip", ip)
	if err := s.throttled(ctx, who, byIP); err != nil {
		return err
	}
	var wrong bool
	err := s.DB.Write(ctx, func(q *store.Q) error {
		ok, recovery, err := s.checkSecondFactor(ctx, q, p, code)
		if err != nil {
			return err
		}
		if !ok {
			wrong = true
			return nil
		}
		if err := q.ThrottleClear(ctx, who); err != nil {
			return err
		}
		return fn(q, recovery)
	})
	if err != nil || !wrong {
		return err
	}
	err = s.DB.Write(ctx, func(q *store.Q) error {
		w, err := countFailure(ctx, q, keyRule{who, ruleMFA}, keyRule{byIP, ruleMFAIP})
		if err != nil {
			return err
		}
		fail.Outcome = "denied"
		if err := q.Audit(ctx, fail); err != nil {
			return err
		}
		return auditBlock(ctx, q, fail, w)
	})
	if err != nil {
		return err
	}
	return badCode
}
