package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/cli"
	"portico/internal/store"
	"portico/internal/testkit"
)

// TestBrowserPanelSmoke drives the control panel in Chromium: create the
// first owner from the setup link, then add a portal domain.
func TestBrowserPanelSmoke(t *testing.T) {
	ctx := testkit.Browser(t)
	in := testkit.Boot(t, cli.DBConfig{Data: t.TempDir()}, testkit.Options{})
	link := strings.Replace(in.SetupLink(t), "127.0.0.1", "localhost", 1)

	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "owner@operator.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "owner passphrase 9"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.side`)),
		chromedp.Navigate(in.URL("localhost", "/domains/new")),
		chromedp.SendKeys(chromedp.CSS(`input[name="domain"]`), "acme.localhost"),
		chromedp.SendKeys(chromedp.CSS(`input[name="brand_name"]`), "Acme Telecom"),
		chromedp.Submit(chromedp.CSS(`input[name="brand_name"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice.ok`)),
		chromedp.Navigate(in.URL("localhost", "/domains")),
	)
	if err != nil {
		t.Fatalf("browser steps: %v", err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "acme.localhost") || !strings.Contains(body, "Acme Telecom") {
		t.Fatalf("the new domain is not listed; page says:\n%s", body)
	}
	domains, err := in.Server.Service().DB.Read().FindDomains(t.Context(), store.DomainFilter{})
	if err != nil || len(domains) != 1 || domains[0].BrandName != "Acme Telecom" {
		t.Fatalf("domain not saved: %v %v", domains, err)
	}
}
