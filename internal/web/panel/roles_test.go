package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestSupportIsReadOnly: the support role sees every page but no write
// form or button, and every write answers 403 and changes nothing.
func TestSupportIsReadOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.user("ops@example.com", portico.RoleOwner)
		owner.postMultipart("/domains", domainForm("portal.acme.example"), pngOf(10)).wantRedirect("/domains/1")
		acc := pendingSignup(t, e, portico.KindCustomer, "Hooli", "gavin@hooli.example")
		ct, err := db.Read().FindContactByEmail(ctx, "gavin@hooli.example")
		if err != nil {
			t.Fatal(err)
		}
		account, contact := fmt.Sprintf("/customers/%d", acc.ID), fmt.Sprintf("/contacts/%d", ct.ID)

		support := e.user("help@example.com", portico.RoleSupport)
		for _, path := range []string{"/", "/domains", "/domains/1", "/customers", account, contact, "/carriers", "/pending", "/emails", "/audit"} {
			p := support.get(path).want(http.StatusOK)
			if forms := p.postForms(); len(forms) != 1 || forms[0] != "/logout" {
				t.Errorf("%s: support sees write forms %v", path, forms)
			}
			p.wantText("You have read-only access")
			for _, button := range []string{"+ Add", "Delete…", "Change password", "Approve", "Save"} {
				if strings.Contains(p.text(), button) {
					t.Errorf("%s: support sees %q", path, button)
				}
			}
		}
		if p := support.get(contact); p.control("name", "") == nil || !hasAttr(p.control("name", ""), "disabled") || p.value("name") != "Hooli contact" {
			t.Error("support does not see the contact's details as read-only fields")
		}

		for _, path := range []string{"/domains/new", "/customers/new", account + "/delete", account + "/contacts/new", contact + "/password", contact + "/delete", "/domains/1/delete"} {
			support.get(path).want(http.StatusForbidden).wantText("read-only", "Ask an owner or admin")
		}
		posts := map[string]url.Values{
			"/domains":                   domainForm("portal.other.example"),
			"/domains/1":                 domainForm("portal.acme.example"),
			"/domains/1/delete":          nil,
			"/customers":                 {"name": {"Sneaky"}},
			account:                      {"name": {"Renamed"}, "status": {"active"}, "currency": {"USD"}},
			account + "/approve":         nil,
			account + "/reject":          nil,
			account + "/delete":          nil,
			account + "/contacts":        {"name": {"X"}, "email": {"x@example.com"}, "password": {"a sturdy passphrase"}},
			contact:                      {"name": {"Renamed"}, "email": {"gavin@hooli.example"}},
			contact + "/password":        {"password": {"a sturdy passphrase"}},
			contact + "/delete":          nil,
			"/customers?credit_limit=x":  {"credit_limit": {"not a number"}},
			"/carriers/1/contacts?bad=1": {"email": {"bad"}},
		}
		for path, form := range posts {
			support.post(path, form).want(http.StatusForbidden).wantText("Your role (support) is read-only")
		}
		support.postMultipart("/domains/1", domainForm("portal.acme.example"), pngOf(20)).want(http.StatusForbidden)

		got, _ := db.Read().FindAccountByID(ctx, acc.ID)
		if got.Status != portico.StatusPendingApproval || got.Name != "Hooli" {
			t.Errorf("support changed the account: %+v", got)
		}
		if accs, _ := db.Read().FindAccounts(ctx, portico.AccountFilter{Kind: portico.KindCustomer}); len(accs) != 1 {
			t.Errorf("support created accounts: %d", len(accs))
		}
		if ds, _ := db.Read().AllDomains(ctx); len(ds) != 1 {
			t.Errorf("support created or deleted domains: %d", len(ds))
		}
	})
}
