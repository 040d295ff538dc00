package app

import (
	"context"
	"fmt"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// Operator user management: only owners list, add and change operator
// users. The rules that keep the panel manageable (nobody disables or
// demotes themselves, and the last enabled owner stays an enabled owner)
// are checked here, inside the write, so the panel, a crafted form and
// two owners acting at once all meet the same rules.

// panelBrand names the control panel in the emails operator users get.
const panelBrand = "Portico control panel"

// mustOwn refuses every role but owner.
func (a Actor) mustOwn() error {
	if a.Role != portico.RoleOwner {
		return portico.Errorf(portico.EFORBIDDEN, "Only an owner may manage operator users; your role is %s.", a.Role)
	}
	return nil
}

// stillOwner checks, inside an owner's write, that the acting user is
// still an enabled owner: the role in the Actor was read when the request
// began, and another owner may have demoted or disabled them since. It
// takes the role lock first (PostgreSQL), so a demotion either committed
// before this read or waits for this write.
func (a Actor) stillOwner(ctx context.Context, q *store.Q) error {
	if err := q.LockUserRoles(ctx); err != nil {
		return err
	}
	u, err := q.FindUserByID(ctx, a.UserID)
	if err != nil || u.Disabled || u.Role != portico.RoleOwner {
		return portico.Errorf(portico.EFORBIDDEN, "Only an owner may manage operator users.")
	}
	return nil
}

func userTarget(id int64) string { return fmt.Sprintf("user:%d", id) }

// ListUsers returns every operator user, for an owner.
func (s *Service) ListUsers(ctx context.Context, a Actor) ([]store.UserSummary, error) {
	if err := a.mustOwn(); err != nil {
		return nil, err
	}
	return s.DB.Read().FindUsers(ctx)
}

// FindUser returns one operator user and whether their second factor is
// on, for an owner.
func (s *Service) FindUser(ctx context.Context, a Actor, id int64) (store.UserSummary, error) {
	if err := a.mustOwn(); err != nil {
		return store.UserSummary{}, err
	}
	u, err := s.DB.Read().FindUserByID(ctx, id)
	if err != nil {
		return store.UserSummary{}, err
	}
	mfa, err := s.mfaStatus(ctx, store.Principal{UserID: id})
	return store.UserSummary{User: u, TwoFactor: mfa.Enabled}, err
}

// plain returns the password the choice stands for: a generated one, or
// the typed one after the password rules (a breach is added to fields
// under "password", so it shows with every other problem).
func (pw PasswordChoice) plain(fields portico.FieldErrors) string {
	if pw.AutoGenerate {
		return auth.GeneratePassword()
	}
	if err := auth.CheckPolicy("password", pw.Password); err != nil {
		fields.Add("password", portico.ErrorFields(err)["password"])
	}
	return pw.Password
}

// choosePassword adds a typed password's problems to fields and, when
// fields hold none at all, returns the password and its hash.
func (s *Service) choosePassword(ctx context.Context, pw PasswordChoice, fields portico.FieldErrors) (plain, hash string, err error) {
	plain = pw.plain(fields)
	if err := fields.Err(); err != nil {
		return "", "", err
	}
	hash, err = s.Hasher.Hash(ctx, plain)
	return plain, hash, err
}

// panelMail is the data of an email to an operator user: it speaks for
// the control panel and links to its login page.
func (s *Service) panelMail(u *portico.User) mail.Data {
	return mail.Data{To: u.Email, Name: u.Name, Brand: panelBrand, LoginURL: s.Links.URL(s.Links.PanelHost, "/login")}
}

// CreateOperatorUser adds an operator user for an owner. With
// AutoGenerate a strong password is generated, emailed (sealed in the
// outbox) and must be changed at the first login; otherwise the typed
// one is checked against the password rules.
func (s *Service) CreateOperatorUser(ctx context.Context, a Actor, u *portico.User, pw PasswordChoice) error {
	if err := a.mustOwn(); err != nil {
		return err
	}
	fields := portico.FieldErrors{}
	for k, v := range portico.ErrorFields(u.Validate()) {
		fields.Add(k, v)
	}
	plain, hash, err := s.choosePassword(ctx, pw, fields)
	if err != nil {
		return err
	}
	u.PasswordHash, u.MustChangePassword, u.Disabled = hash, pw.AutoGenerate, false
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if err := a.stillOwner(ctx, q); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		if pw.AutoGenerate {
			if err := s.queueMail(ctx, q, nil, mail.KindWelcome, s.panelMail(u), plain); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("user.create", userTarget(u.ID), fmt.Sprintf("%s %s (generated password: %v)", u.Email, u.Role, pw.AutoGenerate)))
	})
	if err == nil && pw.AutoGenerate {
		s.kickMail()
	}
	return err
}

// UpdateOperatorUser changes a user's name, role and disabled flag for an
// owner. Nobody disables or demotes themselves, and the last enabled owner
// can be neither disabled nor demoted. Disabling ends every session of the
// user at once; their API tokens stop working while they are disabled.
func (s *Service) UpdateOperatorUser(ctx context.Context, a Actor, u *portico.User) error {
	if err := a.mustOwn(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := a.stillOwner(ctx, q); err != nil {
			return err
		}
		old, err := q.FindUserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		// The email is the login and stays; Validate checks the rest.
		u.Email, u.IPAllowlist = old.Email, old.IPAllowlist
		fields := portico.FieldErrors{}
		for k, v := range portico.ErrorFields(u.Validate()) {
			fields.Add(k, v)
		}
		demoted := old.Role == portico.RoleOwner && u.Role != portico.RoleOwner && fields["role"] == ""
		disabling := u.Disabled && !old.Disabled
		if u.ID == a.UserID {
			if demoted {
				fields.Add("role", "You cannot change your own role; ask another owner.")
			}
			if disabling {
				fields.Add("disabled", "You cannot disable yourself.")
			}
		}
		if fields.Err() == nil && old.Role == portico.RoleOwner && !old.Disabled && (demoted || disabling) {
			n, err := q.CountEnabledOwners(ctx, u.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				field := "role"
				if disabling {
					field = "disabled"
				}
				fields.Add(field, "This is the last enabled owner. Make another user an owner first.")
			}
		}
		if err := fields.Err(); err != nil {
			return err
		}
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		if disabling {
			if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return auditUserChanges(ctx, q, a, old, u)
	})
}

// auditUserChanges records each kind of change under its own action, so
// the audit log's filter finds role changes and disables by name.
func auditUserChanges(ctx context.Context, q *store.Q, a Actor, old, u *portico.User) error {
	var entries []store.AuditEntry
	target := userTarget(u.ID)
	if old.Name != u.Name {
		entries = append(entries, a.audit("user.update", target, fmt.Sprintf("%s name %q", u.Email, u.Name)))
	}
	if old.Role != u.Role {
		entries = append(entries, a.audit("user.role", target, fmt.Sprintf("%s %s -> %s", u.Email, old.Role, u.Role)))
	}
	switch {
	case u.Disabled && !old.Disabled:
		entries = append(entries, a.audit("user.disable", target, u.Email+", sessions ended"))
	case !u.Disabled && old.Disabled:
		entries = append(entries, a.audit("user.enable", target, u.Email))
	}
	for _, e := range entries {
		if err := q.Audit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// SetOperatorPassword gives another user a new password for an owner:
// generated and emailed (to be changed at the next login), or typed.
// Every session of the user ends. Owners change their own password with
// ChangeOwnPassword, which asks for the current one.
func (s *Service) SetOperatorPassword(ctx context.Context, a Actor, id int64, pw PasswordChoice) error {
	if err := a.mustOwn(); err != nil {
		return err
	}
	if id == a.UserID {
		return portico.FieldError("password", "Change your own password under Your security, with your current password.")
	}
	u, err := s.DB.Read().FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	plain, hash, err := s.choosePassword(ctx, pw, portico.FieldErrors{})
	if err != nil {
		return err
	}
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if err := a.stillOwner(ctx, q); err != nil {
			return err
		}
		if err := q.ReplaceUserPassword(ctx, id, hash, pw.AutoGenerate); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, id, ""); err != nil {
			return err
		}
		if pw.AutoGenerate {
			if err := s.queueMail(ctx, q, nil, mail.KindPasswordChanged, s.panelMail(u), plain); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("user.password", userTarget(id), fmt.Sprintf("%s (generated: %v), sessions ended", u.Email, pw.AutoGenerate)))
	})
	if err == nil && pw.AutoGenerate {
		s.kickMail()
	}
	return err
}

// ResetOperatorMFA removes another user's second factor for an owner, as
// `portico user reset-2fa` does on the host, and ends their sessions.
func (s *Service) ResetOperatorMFA(ctx context.Context, a Actor, id int64) error {
	if err := a.mustOwn(); err != nil {
		return err
	}
	if id == a.UserID {
		return portico.Errorf(portico.EINVALID, "Turn your own two-factor off under Your security, with your password.")
	}
	u, err := s.DB.Read().FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	return s.resetUserMFA(ctx, u, a.audit("mfa.reset", userTarget(id), u.Email), a.stillOwner)
}

// resetUserMFA removes u's second factor, ends their sessions and records
// entry, in one transaction, after guard (if any) lets it.
func (s *Service) resetUserMFA(ctx context.Context, u *portico.User, entry store.AuditEntry,
	guard func(context.Context, *store.Q) error) error {
	return s.DB.Write(ctx, func(q *store.Q) error {
		if guard != nil {
			if err := guard(ctx, q); err != nil {
				return err
			}
		}
		if err := removeTOTP(ctx, q, store.Principal{UserID: u.ID}); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return q.Audit(ctx, entry)
	})
}

// ChangeOwnPassword sets a password the logged-in user chose, after
// checking the current one, with the same rules as everywhere. Every
// session of the user ends, this one included, which is replaced: the
// returned token goes in the cookie. It also clears a must-change flag.
func (s *Service) ChangeOwnPassword(ctx context.Context, a Actor, current, next string) (string, error) {
	u, err := s.DB.Read().FindUserByID(ctx, a.UserID)
	if err != nil {
		return "", err
	}
	hash, err := s.newPasswordHash(ctx, u.PasswordHash, current, next)
	if err != nil {
		return "", err
	}
	token, tokenHash := auth.NewToken()
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.ReplaceUserPassword(ctx, u.ID, hash, false); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		uid := u.ID
		if err := q.CreateSession(ctx, tokenHash, &store.Session{Kind: store.SessionPanel, UserID: &uid, IP: a.IP,
			UserAgent: portico.ClientFrom(ctx).UserAgent, ExpiresAt: q.Now().Add(PanelAbsolute)}); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("user.password_change", userTarget(u.ID), "every other session ended"))
	})
	return token, err
}
