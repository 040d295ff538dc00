package e2e

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // for image.DecodeConfig
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portico/internal/testkit"
)

// The browser kit: one Chromium tab driven like a person would (typing,
// clicking, pressing Tab and Enter) against a booted Portico, with a check
// after every page load. A flow is a list of steps run in order as subtests
// on one browser and one instance; a failed step skips the rest, since each
// builds on the one before.

// EnvScreenshots names a folder (relative to the module root, or absolute)
// where the suite writes its screenshots, e.g.
//
//	PORTICO_SCREENSHOTS=docs/screenshots go test ./internal/e2e -run Browser
//
// Without it the screenshots are still taken and decoded, so rendering is
// exercised, but nothing is written and the tree stays clean.
const EnvScreenshots = "PORTICO_SCREENSHOTS"

// Viewport sizes every audited page is checked at: a small phone and a
// laptop. The wide one is the size pages are driven and audited at.
const (
	narrowWidth = 375
	wideWidth   = 1280
	viewHeight  = 800
)

// actionTimeout bounds one browser action, so a missing button or a page
// that never comes fails the step in seconds with what was being done,
// instead of using up the whole browser's time.
const actionTimeout = 10 * time.Second

//go:embed testdata/axe-core/axe.min.js
var axeSource string

// ui is a browser tab on a booted instance, and what it has checked.
type ui struct {
	t     *testing.T // the running step's
	root  *testing.T // the flow's, which owns the browser
	ctx   context.Context
	in    *testkit.Instance
	audit bool // run axe, the width checks and the screenshots

	axeProven bool // axe was seen to flag a known violation

	console *consoleLog
	audited map[string]bool // page names checked by axe and at both widths
	shotDir string          // where to write screenshots; "" keeps them in memory
}

// newUI starts Chromium for a flow.
func newUI(t *testing.T, in *testkit.Instance, audit bool) *ui {
	u := &ui{t: t, root: t, in: in, audit: audit, audited: map[string]bool{}}
	u.restart()
	if dir := os.Getenv(EnvScreenshots); dir != "" && audit {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(moduleRoot(t), dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		u.shotDir = dir
	}
	return u
}

// restart closes the browser and starts a new one, with no cookies: a
// later flow starts as a new visitor would. Each browser has its own time
// limit (testkit.Browser), so long suites run as several browsers.
func (u *ui) restart() {
	if u.ctx != nil {
		if err := chromedp.Cancel(u.ctx); err != nil {
			u.t.Logf("close the browser: %v", err)
		}
	}
	u.ctx = testkit.Browser(u.root)
	u.console = watchConsole(u.ctx)
	u.axeProven = false
	u.do("set the viewport", chromedp.EmulateViewport(wideWidth, viewHeight))
}

// moduleRoot is the folder holding go.mod, so a relative screenshot folder
// means the same from any package's working directory.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// --- driving the page -----------------------------------------------------

// do runs actions with a deadline, failing the step with what was being
// done and where.
func (u *ui) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		u.t.Fatalf("%s: %v\n%s", what, err, u.where())
	}
}

// eval evaluates a JavaScript expression in the page (awaiting it when it
// is a promise).
func eval[T any](u *ui, expr string) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("evaluate %.80q: %v\n%s", expr, err, u.where())
	}
	return v
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// where describes the current page for failure messages: its URL, title
// and the start of its text.
func (u *ui) where() string {
	ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " «" + document.title + "»\n" + (document.body ? document.body.innerText.slice(0, 600) : "")`))
	if err != nil {
		return "(page unavailable: " + err.Error() + ")"
	}
	return "page: " + s
}

// open navigates to url and checks the page that answers.
func (u *ui) open(url, name string, status int) {
	u.t.Helper()
	u.do("open "+url, chromedp.Navigate(url))
	u.loaded(name, status)
}

// fill types value into the visible control with id, replacing what was
// there. The text goes in as the browser's text input (one protocol call,
// the same input events as typing) rather than key by key, which is
// several times slower; keyboard behaviour has its own checks (tabTo).
func (u *ui) fill(id, value string) {
	u.t.Helper()
	sel := chromedp.CSS("#" + id)
	u.do("fill #"+id, chromedp.WaitVisible(sel), chromedp.Focus(sel))
	eval[chromedp.Void](u, `document.getElementById(`+js(id)+`).select()`)
	u.do("type into #"+id, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if value == "" {
			_, err := chromedp.KeyEvent(kb.Delete)(ctx, t)
			return err
		}
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: value})
		return err
	}))
	if got := u.value(id); got != value {
		u.t.Fatalf("#%s holds %q after typing %q", id, got, value)
	}
}

// tick sets a checkbox (by its id, or by a CSS selector) by clicking it
// when it is not already in the wanted state, as a person would.
func (u *ui) tick(sel string, on bool) {
	u.t.Helper()
	if !strings.ContainsAny(sel, "[ .#") {
		sel = "#" + sel
	}
	if eval[bool](u, `document.querySelector(`+js(sel)+`).checked`) != on {
		u.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
	if eval[bool](u, `document.querySelector(`+js(sel)+`).checked`) != on {
		u.t.Fatalf("checkbox %s did not become %v", sel, on)
	}
}

// choose picks the option of select #id whose visible text is label.
func (u *ui) choose(id, label string) {
	u.t.Helper()
	ok := eval[bool](u, `(() => {
		const s = document.getElementById(`+js(id)+`);
		const o = s && [...s.options].find(o => o.text.trim() === `+js(label)+`);
		if (!o) return false;
		s.focus(); s.value = o.value;
		s.dispatchEvent(new Event("input", {bubbles: true}));
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`)
	if !ok {
		u.t.Fatalf("select #%s has no option %q\n%s", id, label, u.where())
	}
}

// submit clicks a button (CSS selector) that sends a form and waits for the
// page that answers, then checks it.
func (u *ui) submit(button, name string, status int) {
	u.t.Helper()
	u.markPage()
	u.do("click "+button, chromedp.Click(chromedp.CSS(button)))
	u.waitNewPage()
	u.loaded(name, status)
}

// markPage tags the current document, so waitNewPage can tell when it has
// been replaced.
func (u *ui) markPage() {
	u.t.Helper()
	eval[chromedp.Void](u, `window.__e2eOld = true`)
}

// waitNewPage waits until the marked document is gone and the next one
// has loaded.
func (u *ui) waitNewPage() {
	u.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(u.ctx, time.Second)
		fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__e2eOld && document.readyState === "complete"`))
		cancel()
		if err == nil && fresh {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	u.console.mu.Lock()
	var logged []string
	for _, m := range u.console.msgs {
		logged = append(logged, m.String())
	}
	u.console.mu.Unlock()
	u.t.Fatalf("no new page within %s; the browser logged %q\n%s", actionTimeout, logged, u.where())
}

// text is the visible text of the first element matching sel, or "" when
// there is none.
func (u *ui) text(sel string) string {
	u.t.Helper()
	return eval[string](u, `(() => { const e = document.querySelector(`+js(sel)+`); return e ? e.innerText.trim() : ""; })()`)
}

// texts are the visible texts of every element matching sel.
func (u *ui) texts(sel string) []string {
	u.t.Helper()
	return eval[[]string](u, `[...document.querySelectorAll(`+js(sel)+`)].map(e => e.innerText.trim())`)
}

// exists reports whether an element matches sel.
func (u *ui) exists(sel string) bool {
	u.t.Helper()
	return eval[bool](u, `document.querySelector(`+js(sel)+`) !== null`)
}

// value is the current value of the form control with id.
func (u *ui) value(id string) string {
	u.t.Helper()
	return eval[string](u, `document.getElementById(`+js(id)+`).value`)
}

// checked reports whether checkbox sel is ticked.
func (u *ui) checked(sel string) bool {
	u.t.Helper()
	return eval[bool](u, `document.querySelector(`+js(sel)+`).checked`)
}

// path is the path (and query) of the current page.
func (u *ui) path() string {
	u.t.Helper()
	return eval[string](u, `location.pathname + location.search`)
}

// host is the host:port of the current page.
func (u *ui) host() string {
	u.t.Helper()
	return eval[string](u, `location.host`)
}

// body is the page's whole visible text.
func (u *ui) body() string {
	u.t.Helper()
	return u.text("body")
}

// html is the page's markup, to look for what must not be there at all.
func (u *ui) html() string {
	u.t.Helper()
	return eval[string](u, `document.documentElement.outerHTML`)
}

// wantPath fails unless the current page is at path.
func (u *ui) wantPath(path string) {
	u.t.Helper()
	if got := u.path(); got != path {
		u.t.Fatalf("on %s, want %s\n%s", got, path, u.where())
	}
}

// wantText fails unless the element sel contains each of want.
func (u *ui) wantText(sel string, want ...string) {
	u.t.Helper()
	if !u.exists(sel) {
		u.t.Fatalf("no %s on the page\n%s", sel, u.where())
	}
	got := u.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			u.t.Fatalf("%s does not say %q; it says:\n%s\n%s", sel, w, got, u.where())
		}
	}
}

// wantList fails unless the texts of sel are exactly want, in order.
func (u *ui) wantList(sel string, want ...string) {
	u.t.Helper()
	if got := u.texts(sel); !slices.Equal(got, want) {
		u.t.Fatalf("%s lists %q, want exactly %q\n%s", sel, got, want, u.where())
	}
}

// --- keyboard ---------------------------------------------------------------

// tabTo presses Tab from the top of the page until element id has the
// focus, and fails if it takes more than max presses or focus is not
// visible at some stop. It returns what received focus on the way.
func (u *ui) tabTo(id string, max int) []string {
	u.t.Helper()
	eval[chromedp.Void](u, `document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`)
	var stops []string
	for range max {
		u.do("press Tab", chromedp.KeyEvent(kb.Tab))
		stop := u.focused()
		stops = append(stops, stop.Name)
		if !stop.Visible {
			u.t.Errorf("focus on %s is not visible (no outline or shadow)", stop.Name)
		}
		if stop.ID == id {
			return stops
		}
	}
	u.t.Fatalf("%d Tab presses never reached #%s; focus went %q\n%s", max, id, stops, u.where())
	return nil
}

// focusStop describes the focused element.
type focusStop struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Visible bool   `json:"visible"` // has a focus indicator
}

func (u *ui) focused() focusStop {
	u.t.Helper()
	return eval[focusStop](u, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return {id: "", name: "body", visible: false};
		const s = getComputedStyle(e);
		const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
		const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " «" + (e.innerText || e.name || "").trim().slice(0, 30) + "»";
		return {id: e.id, name: name, visible: ring};
	})()`)
}

// typeKeys types text into whatever has the focus.
func (u *ui) typeKeys(text string) {
	u.t.Helper()
	u.do("type", chromedp.KeyEvent(text))
}

// --- checks on every page ---------------------------------------------------

// loaded checks the page that just loaded: its HTTP status, that the
// browser logged no error (a failed asset, a CSP refusal, a script
// exception), and, once per page name on an audited flow, accessibility
// and layout at both widths, and its screenshot.
func (u *ui) loaded(name string, status int) {
	u.t.Helper()
	got := eval[int](u, `(performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0`)
	if got != status {
		u.t.Fatalf("%s answered %d, want %d\n%s", name, got, status, u.where())
	}
	u.checkConsole(name, status != 200)
	if !u.audit || u.audited[name] {
		return
	}
	u.audited[name] = true
	u.axe(name)
	u.widths(name)
	u.screenshot(name)
}

// axeViolation is one failed axe rule with the elements that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axe runs axe-core on the page (injected through the DevTools protocol,
// which the page's CSP does not govern) and fails on serious or critical
// violations; lesser ones are logged.
func (u *ui) axe(name string) {
	u.t.Helper()
	if !eval[bool](u, `typeof window.axe === "object"`) {
		eval[chromedp.Void](u, axeSource+"\n;undefined")
	}
	if !u.axeProven {
		// Prove once that axe runs and fails what it must: an input
		// without a label is a critical violation.
		got := eval[string](u, `(async () => {
			const i = document.body.appendChild(document.createElement("input"));
			const r = await axe.run(i, {runOnly: ["label"]});
			i.remove();
			return r.violations.map(v => v.id + ":" + v.impact).join(",");
		})()`)
		if got != "label:critical" {
			u.t.Fatalf("axe did not flag an unlabelled input (got %q); the accessibility checks are not working", got)
		}
		u.axeProven = true
	}
	ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
	defer cancel()
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary || ""}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s on %s (%s): %s — %s", v.Impact, name, u.path(), v.ID, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s: %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
		fmt.Fprintf(&b, "\n    see %s", v.URL)
		if v.Impact == "serious" || v.Impact == "critical" {
			u.t.Error(b.String())
		} else {
			u.t.Log(b.String())
		}
	}
}

// widths checks that the page fits a phone and a laptop screen without
// scrolling sideways, naming the elements that stick out when it does not.
func (u *ui) widths(name string) {
	u.t.Helper()
	for _, w := range []int64{narrowWidth, wideWidth} {
		u.do("resize", chromedp.EmulateViewport(w, viewHeight))
		wide := eval[[]string](u, `(() => {
			const root = document.documentElement, limit = root.clientWidth;
			if (root.scrollWidth <= limit) return [];
			const out = [root.scrollWidth + "px wide for " + limit + "px"];
			for (const e of document.body.querySelectorAll("*")) {
				const r = e.getBoundingClientRect();
				if (r.right > limit + 1 && getComputedStyle(e).position !== "absolute" && out.length < 8)
					out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " right=" + Math.round(r.right));
			}
			return out;
		})()`)
		if len(wide) > 0 {
			u.t.Errorf("%s (%s) scrolls sideways at %d px: %s", name, u.path(), w, strings.Join(wide, "; "))
		}
	}
}

// screenshot takes the page's full-length screenshot when name is a key
// page (see keyPages), at the wide width and, for pages that get a phone
// shot too, the narrow one; it checks the PNG and writes it when asked to.
func (u *ui) screenshot(name string) {
	u.t.Helper()
	file, ok := keyPages[name]
	if !ok {
		return
	}
	widths := []int64{wideWidth}
	if slices.Contains(phoneShots, name) {
		widths = append(widths, narrowWidth)
	}
	for _, w := range widths {
		u.do("resize", chromedp.EmulateViewport(w, viewHeight))
		ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			u.t.Fatalf("screenshot of %s: %v", name, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(shot))
		if err != nil || format != "png" || cfg.Width != int(w) || cfg.Height < 200 {
			u.t.Fatalf("screenshot of %s is not a %d px wide PNG: %s %dx%d %v", name, w, format, cfg.Width, cfg.Height, err)
		}
		f := file
		if w == narrowWidth {
			f = strings.TrimSuffix(file, ".png") + "-phone.png"
		}
		if u.shotDir != "" {
			if err := os.WriteFile(filepath.Join(u.shotDir, f), shot, 0o644); err != nil {
				u.t.Fatal(err)
			}
		}
	}
	u.do("resize", chromedp.EmulateViewport(wideWidth, viewHeight))
}

// --- the browser's console -------------------------------------------------

// consoleLog collects what the page logs as errors: failed loads (a
// missing stylesheet, a broken image), CSP refusals and script exceptions.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				c.mu.Lock()
				c.msgs = append(c.msgs, m)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// checkConsole fails on errors the browser logged since the last check.
// The page's own non-200 status is expected when errorStatus is set, and
// Chromium's own favicon request is not the product's concern.
func (u *ui) checkConsole(name string, errorStatus bool) {
	u.t.Helper()
	time.Sleep(10 * time.Millisecond) // let events of the load arrive
	u.console.mu.Lock()
	msgs := u.console.msgs
	u.console.msgs = nil
	u.console.mu.Unlock()
	here := eval[string](u, `location.href`)
	for _, m := range msgs {
		if strings.HasSuffix(m.URL, "/favicon.ico") {
			continue
		}
		if errorStatus && m.Source == "network" && (m.URL == here || m.URL == "") {
			continue
		}
		u.t.Errorf("on %s the browser logged %s (%s %s)", name, m.String(), m.Source, m.URL)
	}
}
