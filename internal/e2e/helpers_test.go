// Package e2e drives the booted product over HTTP and real SMTP, the way an
// operator, a customer and a script would.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/cli"
	"portico/internal/testkit"
)

// apiClient calls the operator API with a bearer token.
type apiClient struct {
	t     *testing.T
	in    *testkit.Instance
	http  *http.Client
	token string
}

func (c *apiClient) do(method, path string, body any) (int, map[string]any, string) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.in.URL("localhost", path), r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out, string(raw)
}

// must calls the API and fails the test unless the status is want.
func (c *apiClient) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	status, out, raw := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, status, want, raw)
	}
	return out
}

// newAPI creates an owner with the CLI and an API token for them.
func newAPI(t *testing.T, in *testkit.Instance) *apiClient {
	t.Helper()
	args := []string{"--data", in.Data}
	if in.DatabaseURL != "" {
		args = append(args, "--database-url", in.DatabaseURL)
	}
	run(t, append([]string{"user", "create", "--email", "ops@operator.test", "--role", "owner", "--password-stdin"}, args...),
		"operator passphrase 1\n")
	token := strings.TrimSpace(run(t, append([]string{"token", "create", "--email", "ops@operator.test", "--name", "e2e"}, args...), ""))
	return &apiClient{t: t, in: in, http: in.Client(), token: token}
}

// run runs a portico subcommand in-process, as the binary would.
func run(t *testing.T, args []string, stdin string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb); code != 0 {
		t.Fatalf("portico %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// postForm posts a form like a script would (no browser headers).
func postForm(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
