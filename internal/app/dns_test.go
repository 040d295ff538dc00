package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/dnscheck"
	"portico/internal/dnscheck/dnstest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var dnsOwner = app.Actor{UserID: 1, Email: "ops@operator.test", Role: portico.RoleOwner, IP: "127.0.0.1"}

// TestPeriodicDNSChecks follows two domains through the background checks
// with a controlled clock: checked at once when new, hourly while not
// verified, daily once verified, soon again after a resolver failure,
// and a domain that stops pointing at Portico is flagged.
func TestPeriodicDNSChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return now }
		dns := dnstest.Start(t)
		checker, err := dnscheck.New(dns.Addr)
		if err != nil {
			t.Fatal(err)
		}
		svc := apptest.NewService(t, db)
		svc.TLS = app.DomainTLS{PortalHost: "portal.operator.test", DNS: checker, Grace: 48 * time.Hour}
		w := &app.DNSWorker{Svc: svc, Logger: slog.New(slog.DiscardHandler)}

		good := &portico.Domain{Domain: "good.acme.test", BrandName: "Good"}
		bad := &portico.Domain{Domain: "bad.acme.test", BrandName: "Bad"}
		for _, d := range []*portico.Domain{good, bad} {
			if err := svc.CreateDomain(ctx, dnsOwner, d); err != nil {
				t.Fatal(err)
			}
		}
		dns.SetCNAME("good.acme.test", "portal.operator.test")
		status := func(d *portico.Domain) *portico.Domain {
			t.Helper()
			got, err := db.Read().FindDomainByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		due := func() int {
			t.Helper()
			ds, err := db.Read().DomainsDueForDNSCheck(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(ds)
		}

		w.RunOnce(ctx)
		if g, b := status(good), status(bad); g.DNSStatus != portico.DNSVerified || b.DNSStatus != portico.DNSMissing ||
			g.DNSVerifiedAt == nil || b.DNSCheckedAt == nil || !strings.Contains(b.DNSDetail, "CNAME portal.operator.test") {
			t.Fatalf("first checks: good %s, bad %s %q", g.DNSStatus, b.DNSStatus, b.DNSDetail)
		}
		if n := due(); n != 0 {
			t.Fatalf("%d domains due right after their check", n)
		}
		now = now.Add(61 * time.Minute)
		if n := due(); n != 1 {
			t.Fatalf("after an hour %d domains due, want only the unverified one", n)
		}
		now = now.Add(24 * time.Hour)
		if n := due(); n != 2 {
			t.Fatalf("after a day %d domains due, want both", n)
		}

		// The resolver fails: nothing is concluded, and it tries again soon.
		svc.TLS.DNS, _ = dnscheck.New("127.0.0.1:9")
		w.RunOnce(ctx)
		if g := status(good); g.DNSStatus != portico.DNSVerified || !strings.Contains(g.DNSDetail, "try again") {
			t.Fatalf("after a resolver failure: %s %q", g.DNSStatus, g.DNSDetail)
		}
		now = now.Add(16 * time.Minute)
		if n := due(); n != 2 {
			t.Fatalf("%d domains due 16 minutes after a resolver failure, want 2", n)
		}

		// The good domain's CNAME moves elsewhere: flagged, with the date
		// its certificate goes.
		svc.TLS.DNS = checker
		dns.SetCNAME("good.acme.test", "shop.elsewhere.test")
		d, err := svc.VerifyDomain(ctx, dnsOwner, good.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.DNSStatus != portico.DNSPointsElsewhere || !strings.Contains(d.DNSDetail, "shop.elsewhere.test") ||
			!strings.Contains(d.DNSDetail, "certificate is kept until") {
			t.Fatalf("lapsed domain: %s %q", d.DNSStatus, d.DNSDetail)
		}
		st := svc.DomainTLSStatusOf(ctx, d)
		if !st.CertificateAllowed || st.GraceEndsAt == nil || st.Record.Value != "portal.operator.test" {
			t.Fatalf("status within grace: %+v", st)
		}
		now = now.Add(49 * time.Hour)
		if st := svc.DomainTLSStatusOf(ctx, d); st.CertificateAllowed || !strings.Contains(st.Summary, "HTTPS is off") {
			t.Fatalf("status after grace: %+v", st)
		}

		// Renaming a domain forgets its verification.
		dns.SetCNAME("good.acme.test", "portal.operator.test")
		if _, err := svc.VerifyDomain(ctx, dnsOwner, good.ID); err != nil {
			t.Fatal(err)
		}
		g := status(good)
		g.Domain = "renamed.acme.test"
		g.SMTP.Password = app.SMTPPasswordKeep
		if err := svc.UpdateDomain(ctx, dnsOwner, g); err != nil {
			t.Fatal(err)
		}
		if g := status(good); g.DNSStatus != portico.DNSUnchecked || g.DNSVerifiedAt != nil || g.DNSCheckedAt != nil || g.DNSDetail != "" {
			t.Fatalf("renamed domain kept its verification: %+v", g)
		}

		// Every manual check and every automatic change is in the audit log.
		entries, err := db.Read().FindAuditEntries(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var checks int
		for _, e := range entries {
			if e.Action == "domain.dns_check" {
				checks++
			}
		}
		if checks != 4 { // two first checks, two manual ones
			t.Fatalf("%d dns_check audit entries, want 4", checks)
		}

		// A read-only operator cannot run checks.
		if _, err := svc.VerifyDomain(ctx, app.Actor{Role: portico.RoleSupport}, bad.ID); portico.ErrorCode(err) != portico.EFORBIDDEN {
			t.Fatalf("support role check: %v", err)
		}
	})
}
