package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// pendingSignup arranges what a portal signup leaves behind: a pending
// account on a brand, with one contact.
func pendingSignup(t *testing.T, e *env, kind portico.AccountKind, name, email string) *portico.Account {
	t.Helper()
	a := actorFor(t, e.svc.DB, "ops@example.com")
	acc := &portico.Account{Kind: kind, Name: name, Status: portico.StatusPendingApproval}
	if err := e.svc.CreateAccount(ctx, a, acc); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CreateContact(ctx, a, &portico.Contact{AccountID: acc.ID, Name: name + " contact", Email: email},
		appPassword("a sturdy passphrase")); err != nil {
		t.Fatal(err)
	}
	return acc
}

func TestPendingApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		cust := pendingSignup(t, e, portico.KindCustomer, "Hooli", "gavin@hooli.example")
		carr := pendingSignup(t, e, portico.KindCarrier, "Pied Piper", "richard@pp.example")
		rav := pendingSignup(t, e, portico.KindCustomer, "Raviga", "laurie@raviga.example")

		dash := c.get("/").want(http.StatusOK)
		dash.wantText("Pending approval 3 waiting", "3 waiting for approval", "Pending Approval: 2")
		p := c.get("/pending").want(http.StatusOK)
		p.wantText("Hooli", "Raviga", "Pied Piper", "Approve Hooli", "Reject Pied Piper")

		c.post(fmt.Sprintf("/customers/%d/approve", cust.ID), url.Values{"next": {"/pending"}}).wantRedirect("/pending?flash=approved")
		c.post(fmt.Sprintf("/carriers/%d/reject", carr.ID), url.Values{"next": {"/pending"}}).wantRedirect("/pending?flash=rejected")
		p = c.get("/pending?flash=rejected").want(http.StatusOK)
		p.wantText("Rejected. Its contacts have been emailed.", "Raviga", "No carriers waiting.", "Pending approval 1 waiting")
		if p.contains("Hooli") {
			t.Error("an approved customer is still pending")
		}
		for id, want := range map[int64]string{cust.ID: portico.StatusActive, carr.ID: portico.StatusRejected} {
			if got, _ := db.Read().FindAccountByID(ctx, id); got.Status != want {
				t.Errorf("account %d status %s, want %s", id, got.Status, want)
			}
		}
		c.get("/emails").want(http.StatusOK).wantText("gavin@hooli.example", "account_approved", "richard@pp.example", "account_rejected")

		// Only pending accounts can be decided, and only under their own kind.
		c.post(fmt.Sprintf("/customers/%d/approve", cust.ID), nil).want(http.StatusConflict).wantText("Only accounts pending approval")
		c.post(fmt.Sprintf("/carriers/%d/approve", cust.ID), nil).want(http.StatusNotFound)
		// The account page offers the buttons too, and comes back to itself.
		raviga := fmt.Sprintf("/customers/%d", rav.ID)
		if got := c.get(raviga).want(http.StatusOK).postForms(); !contains(got, raviga+"/approve") || !contains(got, raviga+"/reject") {
			t.Errorf("pending account page forms = %v", got)
		}
		c.post(raviga+"/approve", nil).wantRedirect(raviga + "?flash=approved")
		// The way back after a decision stays on this panel.
		dinesh := pendingSignup(t, e, portico.KindCarrier, "Dinesh Telecom", "dinesh@dt.example")
		c.post(fmt.Sprintf("/carriers/%d/reject", dinesh.ID), url.Values{"next": {"https://evil.example/"}}).wantRedirect("/?flash=rejected")
	})
}

func TestAccountListPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		err := db.Write(ctx, func(q *store.Q) error {
			for i := 1; i <= pageSize+5; i++ {
				acc := &portico.Account{Kind: portico.KindCustomer, Name: fmt.Sprintf("Customer %03d", i), Status: portico.StatusActive, Currency: "USD"}
				if err := q.CreateAccount(ctx, acc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		first := c.get("/customers?q=customer").want(http.StatusOK)
		first.wantText("Customer 001", "Customer 050")
		if first.contains("Customer 051") {
			t.Fatal("the first page shows more than a page")
		}
		next := first.byID("main")
		var link string
		walk(next, func(n *htmlNode) bool {
			if n.Data == "a" && attr(n, "rel") == "next" {
				link = attr(n, "href")
			}
			return true
		})
		if link == "" {
			t.Fatal("no Next page link")
		}
		second := c.get(link).want(http.StatusOK)
		second.wantText("Customer 051", "Customer 055", "« First page")
		if second.contains("Customer 050") || second.contains(`rel="next"`) {
			t.Error("the second page repeats the first or offers a third")
		}
		c.get("/customers?q=customer%20007").want(http.StatusOK).wantText("Customer 007")
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAccountListBalances: the list shows each account's balance, credit
// limit and what it may still spend, and flags an account over its limit.
func TestAccountListBalances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleSupport)
		err := db.Write(ctx, func(q *store.Q) error {
			for _, a := range []struct {
				name          string
				limit, ledger portico.Money
			}{{"Alpha", 10_000_000, -25_000_000}, {"Beta", 5_000_000, 3_000_000}} {
				acc := &portico.Account{Kind: portico.KindCustomer, Name: a.name, Status: portico.StatusActive, Currency: "USD", CreditLimit: a.limit}
				if err := q.CreateAccount(ctx, acc); err != nil {
					return err
				}
				if err := q.AddLedgerEntries(ctx, &portico.LedgerEntry{AccountID: acc.ID, Kind: portico.LedgerAdjustment, Amount: a.ledger, Description: "test"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c.get("/customers").want(http.StatusOK).wantText("Alpha Active USD -25.00 10.00 Over limit -15.00", "Beta Active USD 3.00 5.00 8.00")
	})
}
