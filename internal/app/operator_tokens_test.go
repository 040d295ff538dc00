package app_test

import (
	"testing"

	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestRevokeAPIToken: an owner lists and revokes one of a user's tokens
// (calls with it are refused at once, the other token keeps working);
// other roles may not, and another user's token id is not found.
func TestRevokeAPIToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		own := staff(t, svc, "owner@operator.example", portico.RoleOwner)
		adm := staff(t, svc, "admin@operator.example", portico.RoleAdmin)
		sync, err := svc.CreateAPIToken(ctx, adm.Email, "sync")
		if err != nil {
			t.Fatal(err)
		}
		billing, err := svc.CreateAPIToken(ctx, adm.Email, "billing")
		if err != nil {
			t.Fatal(err)
		}
		tokens, err := svc.ListAPITokens(ctx, own, adm.UserID)
		if err != nil || len(tokens) != 2 || tokens[0].Name != "billing" || tokens[1].Name != "sync" {
			t.Fatalf("tokens: %+v %v", tokens, err)
		}
		_, err = svc.ListAPITokens(ctx, adm, adm.UserID)
		wantCode(t, "an admin listing tokens", err, portico.EFORBIDDEN)
		wantCode(t, "an admin revoking", svc.RevokeAPIToken(ctx, adm, adm.UserID, tokens[1].ID), portico.EFORBIDDEN)
		wantCode(t, "another user's token id", svc.RevokeAPIToken(ctx, own, own.UserID, tokens[1].ID), portico.ENOTFOUND)
		if _, err := svc.APIUser(ctx, sync); err != nil {
			t.Fatalf("a refused revoke broke the token: %v", err)
		}

		if err := svc.RevokeAPIToken(ctx, own, adm.UserID, tokens[1].ID); err != nil {
			t.Fatal(err)
		}
		_, err = svc.APIUser(ctx, sync)
		wantCode(t, "a revoked token", err, portico.EUNAUTHORIZED)
		if _, err := svc.APIUser(ctx, billing); err != nil {
			t.Errorf("the other token: %v", err)
		}
		if got := auditActions(t, db, "token.revoke"); len(got) != 1 || got[0] != "token.revoke user:2 user:1 owner@operator.example" {
			t.Errorf("revoke audited as %q", got)
		}
	})
}
