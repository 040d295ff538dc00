package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

const staffPassword = "correct horse battery"

// staff creates an operator user as the CLI does and returns them as an
// actor.
func staff(t *testing.T, svc *app.Service, email, role string) app.Actor {
	t.Helper()
	u := &portico.User{Email: email, Name: role + " " + email, Role: role}
	if err := svc.CreateUser(ctx, u, staffPassword); err != nil {
		t.Fatal(err)
	}
	return app.Actor{UserID: u.ID, Email: u.Email, Role: role, IP: "127.0.0.1"}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if portico.ErrorCode(err) != code {
		t.Errorf("%s: %v (code %q), want %s", what, err, portico.ErrorCode(err), code)
	}
}

func wantField(t *testing.T, what string, err error, field, text string) {
	t.Helper()
	if msg := portico.ErrorFields(err)[field]; !strings.Contains(msg, text) {
		t.Errorf("%s: field %s says %q (error %v), want %q", what, field, msg, err, text)
	}
}

func userOf(t *testing.T, db *store.DB, id int64) *portico.User {
	t.Helper()
	u, err := db.Read().FindUserByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func auditActions(t *testing.T, db *store.DB, prefix string) []string {
	t.Helper()
	es, err := db.Read().FilterAuditEntries(ctx, store.AuditFilter{Action: prefix, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+" "+e.Target+" "+e.Actor)
	}
	return out
}

// TestOnlyOwnersManageUsers: admin and support are refused by the app
// itself (not just by the panel's links), and nothing changes.
func TestOnlyOwnersManageUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		own := staff(t, svc, "owner@operator.example", portico.RoleOwner)
		adm := staff(t, svc, "admin@operator.example", portico.RoleAdmin)
		sup := staff(t, svc, "support@operator.example", portico.RoleSupport)
		for _, a := range []app.Actor{adm, sup} {
			_, err := svc.ListUsers(ctx, a)
			wantCode(t, a.Role+" lists users", err, portico.EFORBIDDEN)
			_, err = svc.FindUser(ctx, a, own.UserID)
			wantCode(t, a.Role+" reads a user", err, portico.EFORBIDDEN)
			err = svc.CreateOperatorUser(ctx, a, &portico.User{Email: "new@operator.example", Role: portico.RoleOwner},
				app.PasswordChoice{Password: "a sturdy passphrase"})
			wantCode(t, a.Role+" creates a user", err, portico.EFORBIDDEN)
			err = svc.UpdateOperatorUser(ctx, a, &portico.User{ID: a.UserID, Role: portico.RoleOwner, Name: "me"})
			wantCode(t, a.Role+" promotes themselves", err, portico.EFORBIDDEN)
			err = svc.UpdateOperatorUser(ctx, a, &portico.User{ID: own.UserID, Role: portico.RoleOwner, Disabled: true})
			wantCode(t, a.Role+" disables the owner", err, portico.EFORBIDDEN)
			err = svc.SetOperatorPassword(ctx, a, own.UserID, app.PasswordChoice{Password: "a sturdy passphrase"})
			wantCode(t, a.Role+" sets the owner's password", err, portico.EFORBIDDEN)
			wantCode(t, a.Role+" resets the owner's 2FA", svc.ResetOperatorMFA(ctx, a, own.UserID), portico.EFORBIDDEN)
		}
		if _, err := db.Read().FindUserByEmail(ctx, "new@operator.example"); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Errorf("a refused create made the user: %v", err)
		}
		if u := userOf(t, db, adm.UserID); u.Role != portico.RoleAdmin {
			t.Errorf("admin promoted themselves: %+v", u)
		}
		if u := userOf(t, db, own.UserID); u.Disabled {
			t.Error("the owner was disabled by a non-owner")
		}
		if got := auditActions(t, db, "user."); len(got) != 3 || strings.Contains(strings.Join(got, " "), "@operator.example") {
			t.Errorf("refused changes were audited as done: %q", got)
		}
		users, err := svc.ListUsers(ctx, own)
		if err != nil || len(users) != 3 {
			t.Fatalf("owner lists %d users: %v", len(users), err)
		}
	})
}

// TestCreateOperatorUser: every field is validated at once; a generated
// password is emailed sealed, must be changed at first login, and the
// panel keeps the user on the password page until then.
func TestCreateOperatorUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		own := staff(t, svc, "owner@operator.example", portico.RoleOwner)

		err := svc.CreateOperatorUser(ctx, own, &portico.User{Email: "not an email", Role: "root", Name: strings.Repeat("x", 201)},
			app.PasswordChoice{Password: "short"})
		wantCode(t, "bad create", err, portico.EINVALID)
		for _, f := range []string{"email", "role", "name", "password"} {
			if portico.ErrorFields(err)[f] == "" {
				t.Errorf("no error on %s: %v", f, portico.ErrorFields(err))
			}
		}
		err = svc.CreateOperatorUser(ctx, own, &portico.User{Email: "OWNER@operator.example", Role: portico.RoleAdmin},
			app.PasswordChoice{Password: "a sturdy passphrase"})
		wantCode(t, "duplicate email", err, portico.ECONFLICT)

		typed := &portico.User{Email: "Typed@Operator.example ", Name: "Ty", Role: portico.RoleAdmin}
		if err := svc.CreateOperatorUser(ctx, own, typed, app.PasswordChoice{Password: "a sturdy passphrase"}); err != nil {
			t.Fatal(err)
		}
		if u := userOf(t, db, typed.ID); u.Email != "typed@operator.example" || u.MustChangePassword || u.Role != portico.RoleAdmin {
			t.Errorf("typed user stored as %+v", u)
		}
		if _, err := svc.LoginUser(ctx, "typed@operator.example", "a sturdy passphrase", "127.0.0.1", ""); err != nil {
			t.Errorf("typed password does not log in: %v", err)
		}

		gen := &portico.User{Email: "gen@operator.example", Name: "Gen", Role: portico.RoleSupport}
		if err := svc.CreateOperatorUser(ctx, own, gen, app.PasswordChoice{AutoGenerate: true, Password: "ignored"}); err != nil {
			t.Fatal(err)
		}
		if u := userOf(t, db, gen.ID); !u.MustChangePassword {
			t.Error("a generated password need not be changed")
		}
		mails, err := db.Read().FindEmails(ctx, portico.EmailFilter{})
		if err != nil || len(mails) != 1 || mails[0].To != gen.Email || !strings.Contains(mails[0].Text, "/login") {
			t.Fatalf("welcome email: %v %+v", err, mails)
		}
		if !strings.Contains(mails[0].Text, portico.SecretPlaceholder) {
			t.Error("the email log holds something other than the placeholder where the password goes")
		}
		if sealed, err := db.Read().EmailSecret(ctx, mails[0].ID); err != nil || len(sealed) == 0 {
			t.Errorf("generated password not sealed in the outbox: %v", err)
		}
		want := []string{
			fmt.Sprintf("user.create user:%d user:1 owner@operator.example", gen.ID),
			fmt.Sprintf("user.create user:%d user:1 owner@operator.example", typed.ID),
		}
		if got := auditActions(t, db, "user.create"); strings.Join(got[:2], "|") != strings.Join(want, "|") {
			t.Errorf("audit: %q", got)
		}
	})
}

// TestOwnerRules: nobody demotes or disables themselves, and the last
// enabled owner stays one, also when two owners demote each other at once.
func TestOwnerRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		a := staff(t, svc, "a@operator.example", portico.RoleOwner)
		b := staff(t, svc, "b@operator.example", portico.RoleOwner)

		err := svc.UpdateOperatorUser(ctx, a, &portico.User{ID: a.UserID, Name: "A", Role: portico.RoleAdmin})
		wantField(t, "self-demotion", err, "role", "cannot change your own role")
		err = svc.UpdateOperatorUser(ctx, a, &portico.User{ID: a.UserID, Name: "A", Role: portico.RoleOwner, Disabled: true})
		wantField(t, "self-disable", err, "disabled", "cannot disable yourself")
		if err := svc.UpdateOperatorUser(ctx, a, &portico.User{ID: a.UserID, Name: "Alice", Role: portico.RoleOwner}); err != nil {
			t.Errorf("an owner cannot rename themselves: %v", err)
		}

		// A demotes B. B's page, opened before, still says owner: app
		// reads B's role again inside the write, so B can no longer
		// demote or disable A, the last enabled owner.
		if err := svc.UpdateOperatorUser(ctx, a, &portico.User{ID: b.UserID, Name: "B", Role: portico.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		err = svc.UpdateOperatorUser(ctx, b, &portico.User{ID: a.UserID, Name: "A", Role: portico.RoleAdmin})
		wantCode(t, "a demoted owner demoting the last owner", err, portico.EFORBIDDEN)
		err = svc.UpdateOperatorUser(ctx, b, &portico.User{ID: a.UserID, Name: "A", Role: portico.RoleOwner, Disabled: true})
		wantCode(t, "a demoted owner disabling the last owner", err, portico.EFORBIDDEN)
		if u := userOf(t, db, a.UserID); u.Role != portico.RoleOwner || u.Disabled {
			t.Fatalf("the last owner was changed: %+v", u)
		}
		// A disabled owner does not count.
		if err := svc.UpdateOperatorUser(ctx, a, &portico.User{ID: b.UserID, Name: "B", Role: portico.RoleOwner, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		err = svc.UpdateOperatorUser(ctx, b, &portico.User{ID: a.UserID, Name: "A", Role: portico.RoleSupport})
		wantCode(t, "a disabled owner demoting the last enabled owner", err, portico.EFORBIDDEN)
		if err := svc.UpdateOperatorUser(ctx, a, &portico.User{ID: b.UserID, Name: "B", Role: portico.RoleOwner}); err != nil {
			t.Fatal(err)
		}

		// Both at once, many times: never zero enabled owners.
		for i := range 5 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for j, pair := range [][2]app.Actor{{a, b}, {b, a}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[j] = svc.UpdateOperatorUser(ctx, pair[0], &portico.User{ID: pair[1].UserID, Name: "x", Role: portico.RoleAdmin})
				}()
			}
			wg.Wait()
			if n, err := db.Read().CountEnabledOwners(ctx, 0); err != nil || n != 1 {
				t.Fatalf("round %d: %d enabled owners after both demoted each other (%v, %v)", i, n, errs[0], errs[1])
			}
			// Put the demoted one back.
			for _, x := range []app.Actor{a, b} {
				if u := userOf(t, db, x.UserID); u.Role == portico.RoleOwner {
					other := a
					if x == a {
						other = b
					}
					if err := svc.UpdateOperatorUser(ctx, x, &portico.User{ID: other.UserID, Name: "x", Role: portico.RoleOwner}); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
		}
		roles := auditActions(t, db, "user.role")
		if len(roles) == 0 || !strings.Contains(roles[len(roles)-1], "user:2 user:1 a@operator.example") {
			t.Errorf("role changes audited as %q", roles)
		}
	})
}

// TestDisabledUserLocksOut: disabling ends the user's sessions, refuses
// their login and their API tokens; enabling lets them log in again and
// their tokens work again, but no old session comes back.
func TestDisabledUserLocksOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		own := staff(t, svc, "owner@operator.example", portico.RoleOwner)
		adm := staff(t, svc, "admin@operator.example", portico.RoleAdmin)
		login, err := svc.LoginUser(ctx, adm.Email, staffPassword, "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		token, err := svc.CreateAPIToken(ctx, adm.Email, "sync")
		if err != nil {
			t.Fatal(err)
		}
		if u := userOf(t, db, adm.UserID); u.LastLoginAt == nil {
			t.Error("the login was not recorded as the last login")
		}

		if err := svc.UpdateOperatorUser(ctx, own, &portico.User{ID: adm.UserID, Name: "Adam", Role: portico.RoleAdmin, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.PanelUser(ctx, login.Token, "127.0.0.1")
		wantCode(t, "session of a disabled user", err, portico.EUNAUTHORIZED)
		_, err = svc.LoginUser(ctx, adm.Email, staffPassword, "127.0.0.1", "")
		wantCode(t, "login of a disabled user", err, portico.EUNAUTHORIZED)
		_, err = svc.APIUser(ctx, token)
		wantCode(t, "API token of a disabled user", err, portico.EUNAUTHORIZED)
		if got := auditActions(t, db, "user.disable"); len(got) != 1 || !strings.HasPrefix(got[0], "user.disable user:2 user:1") {
			t.Errorf("disable audited as %q", got)
		}
		if got := auditActions(t, db, "user.update"); len(got) != 1 {
			t.Errorf("rename audited as %q", got)
		}

		if err := svc.UpdateOperatorUser(ctx, own, &portico.User{ID: adm.UserID, Name: "Adam", Role: portico.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PanelUser(ctx, login.Token, "127.0.0.1"); err == nil {
			t.Error("enabling the user revived a session that disabling ended")
		}
		if _, err := svc.APIUser(ctx, token); err != nil {
			t.Errorf("API token after enabling: %v", err)
		}
		if _, err := svc.LoginUser(ctx, adm.Email, staffPassword, "127.0.0.1", ""); err != nil {
			t.Errorf("login after enabling: %v", err)
		}
		if got := auditActions(t, db, "user.enable"); len(got) != 1 {
			t.Errorf("enable audited as %q", got)
		}
	})
}

// TestOperatorPasswordsAndTwoFactor: an owner sets another user's
// password (their sessions end) and resets their second factor; a user
// changes their own with the current one and keeps only the new session.
func TestOperatorPasswordsAndTwoFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		own := staff(t, svc, "owner@operator.example", portico.RoleOwner)
		sup := staff(t, svc, "support@operator.example", portico.RoleSupport)
		old, err := svc.LoginUser(ctx, sup.Email, staffPassword, "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}

		err = svc.SetOperatorPassword(ctx, own, sup.UserID, app.PasswordChoice{Password: "password"})
		wantField(t, "common password", err, "password", "")
		wantCode(t, "common password", err, portico.EINVALID)
		err = svc.SetOperatorPassword(ctx, own, own.UserID, app.PasswordChoice{Password: "a sturdy passphrase"})
		wantField(t, "own password without the current one", err, "password", "Your security")
		if err := svc.SetOperatorPassword(ctx, own, sup.UserID, app.PasswordChoice{Password: "a sturdy passphrase"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PanelUser(ctx, old.Token, "127.0.0.1"); err == nil {
			t.Error("the user's session survived a new password")
		}
		if _, err := svc.LoginUser(ctx, sup.Email, staffPassword, "127.0.0.1", ""); err == nil {
			t.Error("the old password still logs in")
		}
		if err := svc.SetOperatorPassword(ctx, own, sup.UserID, app.PasswordChoice{AutoGenerate: true}); err != nil {
			t.Fatal(err)
		}
		if u := userOf(t, db, sup.UserID); !u.MustChangePassword {
			t.Error("a generated password need not be changed")
		}
		if got := auditActions(t, db, "user.password"); len(got) != 2 {
			t.Errorf("password sets audited as %q", got)
		}

		// Support turns two-factor on; the owner resets it.
		sup2 := staff(t, svc, "support2@operator.example", portico.RoleSupport)
		e, err := svc.BeginUserTOTP(ctx, sup2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ConfirmUserTOTP(ctx, sup2, auth.TOTPCode(e.Key.Secret, time.Now())); err != nil {
			t.Fatal(err)
		}
		if s, _ := svc.FindUser(ctx, own, sup2.UserID); !s.TwoFactor {
			t.Fatal("two-factor not on")
		}
		wantCode(t, "owner resets own 2FA here", svc.ResetOperatorMFA(ctx, own, own.UserID), portico.EINVALID)
		if err := svc.ResetOperatorMFA(ctx, own, sup2.UserID); err != nil {
			t.Fatal(err)
		}
		if s, _ := svc.FindUser(ctx, own, sup2.UserID); s.TwoFactor {
			t.Error("two-factor still on after the reset")
		}
		if got := auditActions(t, db, "mfa.reset"); len(got) != 1 || !strings.Contains(got[0], "user:1 owner@operator.example") {
			t.Errorf("reset audited as %q", got)
		}

		// Changing one's own password.
		a1, _ := svc.LoginUser(ctx, own.Email, staffPassword, "127.0.0.1", "")
		a2, _ := svc.LoginUser(ctx, own.Email, staffPassword, "127.0.0.1", "")
		_, err = svc.ChangeOwnPassword(ctx, own, "wrong", "short")
		wantField(t, "wrong current", err, "current_password", "incorrect")
		wantField(t, "short new", err, "new_password", "")
		_, err = svc.ChangeOwnPassword(ctx, own, staffPassword, staffPassword)
		wantField(t, "same password", err, "new_password", "different")
		next, err := svc.ChangeOwnPassword(ctx, own, staffPassword, "another sturdy passphrase")
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{a1.Token, a2.Token} {
			if _, err := svc.PanelUser(ctx, tok, "127.0.0.1"); err == nil {
				t.Error("a session survived the password change")
			}
		}
		if u, err := svc.PanelUser(ctx, next, "127.0.0.1"); err != nil || u.ID != own.UserID {
			t.Errorf("the new session: %v", err)
		}
		if _, err := svc.LoginUser(ctx, own.Email, "another sturdy passphrase", "127.0.0.1", ""); err != nil {
			t.Errorf("new password: %v", err)
		}
	})
}

// TestDemotedOwnerStaleActor: a request that began while its user was an
// owner, and reaches its write after another owner demoted them, is
// refused (the role is read again inside the write).
func TestDemotedOwnerStaleActor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		stale := staff(t, svc, "first@operator.example", portico.RoleOwner)
		other := staff(t, svc, "second@operator.example", portico.RoleOwner)
		sup := staff(t, svc, "support@operator.example", portico.RoleSupport)
		if _, err := svc.CreateAPIToken(ctx, sup.Email, "sync"); err != nil {
			t.Fatal(err)
		}
		tokens, _ := db.Read().ListAPITokens(ctx, sup.UserID)
		if err := svc.UpdateOperatorUser(ctx, other, &portico.User{ID: stale.UserID, Name: "First", Role: portico.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		// stale still says owner, as a request begun before the demotion would.
		wantCode(t, "create", svc.CreateOperatorUser(ctx, stale, &portico.User{Email: "new@operator.example", Name: "New", Role: portico.RoleOwner},
			app.PasswordChoice{Password: staffPassword}), portico.EFORBIDDEN)
		wantCode(t, "update", svc.UpdateOperatorUser(ctx, stale, &portico.User{ID: other.UserID, Name: "Second", Role: portico.RoleSupport}), portico.EFORBIDDEN)
		wantCode(t, "set password", svc.SetOperatorPassword(ctx, stale, sup.UserID, app.PasswordChoice{Password: staffPassword}), portico.EFORBIDDEN)
		wantCode(t, "reset 2FA", svc.ResetOperatorMFA(ctx, stale, sup.UserID), portico.EFORBIDDEN)
		wantCode(t, "revoke token", svc.RevokeAPIToken(ctx, stale, sup.UserID, tokens[0].ID), portico.EFORBIDDEN)
		if u := userOf(t, db, other.UserID); u.Role != portico.RoleOwner {
			t.Errorf("the other owner was demoted by a stale request: %+v", u)
		}
		if u, err := db.Read().FindUserByEmail(ctx, "new@operator.example"); err == nil {
			t.Errorf("a stale request created a user: %+v", u)
		}
	})
}
