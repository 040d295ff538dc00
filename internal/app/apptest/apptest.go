// Package apptest builds an app.Service over a test database with cheap
// password hashing, so handler tests stay fast while using every real part.
package apptest

import (
	"crypto/rand"
	"testing"

	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/secret"
	"portico/internal/store"
)

// NewService returns a Service over db with a random secret key, links on
// http port 8080 and USD as the default currency.
func NewService(t testing.TB, db *store.DB) *app.Service {
	t.Helper()
	key := make([]byte, secret.KeySize)
	rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return &app.Service{
		DB: db, Box: box, DefaultCurrency: "USD",
		// Hashing at production cost would dominate handler tests; the
		// parameters do not change behaviour.
		Hasher: auth.NewHasher(auth.Params{Time: 1, Memory: 64, Threads: 1}),
		Links:  app.Links{Scheme: "http", Port: "8080", PanelHost: "localhost"},
	}
}
