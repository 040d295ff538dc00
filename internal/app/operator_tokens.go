package app

import (
	"context"

	"portico/internal/portico"
	"portico/internal/store"
)

// ListAPITokens lists an operator user's API tokens (names and dates; the
// tokens themselves are stored only hashed), for an owner.
func (s *Service) ListAPITokens(ctx context.Context, a Actor, userID int64) ([]*portico.APIToken, error) {
	if err := a.mustOwn(); err != nil {
		return nil, err
	}
	return s.DB.Read().ListAPITokens(ctx, userID)
}

// RevokeAPIToken deletes one of a user's API tokens, for an owner: calls
// with it are refused from then on. Audited.
func (s *Service) RevokeAPIToken(ctx context.Context, a Actor, userID, tokenID int64) error {
	if err := a.mustOwn(); err != nil {
		return err
	}
	_, err := s.revokeAPITokens(ctx, a.stillOwner, userID, func(t *portico.APIToken) bool { return t.ID == tokenID },
		func(t *portico.APIToken) store.AuditEntry { return a.audit("token.revoke", userTarget(userID), t.Name) })
	return err
}

// RevokeAPITokensByName deletes the tokens named name of the user with
// email (the command line's `token revoke`) and returns how many there
// were; none is a not-found error.
func (s *Service) RevokeAPITokensByName(ctx context.Context, email, name string) (int, error) {
	u, err := s.DB.Read().FindUserByEmail(ctx, email)
	if err != nil {
		return 0, err
	}
	return s.revokeAPITokens(ctx, nil, u.ID, func(t *portico.APIToken) bool { return t.Name == name },
		func(t *portico.APIToken) store.AuditEntry {
			return store.AuditEntry{Actor: "system", Action: "token.revoke", Target: userTarget(u.ID), Detail: t.Name}
		})
}

// revokeAPITokens deletes the user's tokens that match, each audited, in
// one transaction after guard (if any) lets it, and returns how many;
// matching none is a not-found error.
func (s *Service) revokeAPITokens(ctx context.Context, guard func(context.Context, *store.Q) error, userID int64,
	match func(*portico.APIToken) bool, audit func(*portico.APIToken) store.AuditEntry) (int, error) {
	n := 0
	err := s.DB.Write(ctx, func(q *store.Q) error {
		if guard != nil {
			if err := guard(ctx, q); err != nil {
				return err
			}
		}
		tokens, err := q.ListAPITokens(ctx, userID)
		if err != nil {
			return err
		}
		n = 0
		for _, t := range tokens {
			if !match(t) {
				continue
			}
			n++
			if err := q.DeleteAPIToken(ctx, userID, t.ID); err != nil {
				return err
			}
			if err := q.Audit(ctx, audit(t)); err != nil {
				return err
			}
		}
		if n == 0 {
			return portico.Errorf(portico.ENOTFOUND, "No such API token.")
		}
		return nil
	})
	return n, err
}
