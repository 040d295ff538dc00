package certs_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/certs"
	"portico/internal/secret"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

var ctx = context.Background()

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func testBox(t *testing.T) *secret.Box {
	t.Helper()
	b, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStorageBehavesLikeAFileTree runs certmagic's storage contract on
// both databases: values, directories, listing, stat, delete of a subtree,
// and keys sealed at rest.
func TestStorageBehavesLikeAFileTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := certs.NewStorage(db, testBox(t), quiet())
		put := func(k, v string) {
			if err := s.Store(ctx, k, []byte(v)); err != nil {
				t.Fatal(err)
			}
		}
		put("certificates/ca/a.test/a.test.crt", "CERT A")
		put("certificates/ca/a.test/a.test.key", "KEY A")
		put("certificates/ca/b.test/b.test.crt", "CERT B")
		put("certificates/ca_x/c.test/c.test.crt", "CERT C") // "_" must not act as a wildcard
		put("acme/ca/users/ops@x.test/ops.json", "{}")

		got, err := s.Load(ctx, "certificates/ca/a.test/a.test.key")
		if err != nil || string(got) != "KEY A" {
			t.Fatalf("load key = %q, %v", got, err)
		}
		raw, _, err := db.Read().CertValue(ctx, "certificates/ca/a.test/a.test.key")
		if err != nil || bytes.Contains(raw, []byte("KEY A")) {
			t.Fatalf("private key stored in the clear: %q %v", raw, err)
		}
		if _, err := s.Load(ctx, "certificates/ca/zzz"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("load of a missing key: %v, want fs.ErrNotExist", err)
		}
		if !s.Exists(ctx, "certificates/ca") || !s.Exists(ctx, "certificates/ca/a.test/a.test.crt") || s.Exists(ctx, "certificates/c") {
			t.Fatal("Exists is wrong for a directory, a value or a partial name")
		}
		list, err := s.List(ctx, "certificates", false)
		if err != nil || !slices.Equal(list, []string{"certificates/ca", "certificates/ca_x"}) {
			t.Fatalf("List(certificates) = %v, %v", list, err)
		}
		list, err = s.List(ctx, "certificates/ca", true)
		want := []string{"certificates/ca/a.test", "certificates/ca/a.test/a.test.crt", "certificates/ca/a.test/a.test.key",
			"certificates/ca/b.test", "certificates/ca/b.test/b.test.crt"}
		if err != nil || !slices.Equal(list, want) {
			t.Fatalf("List(certificates/ca, recursive) = %v, %v", list, err)
		}
		if _, err := s.List(ctx, "nothing", false); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("List of a missing directory: %v", err)
		}
		info, err := s.Stat(ctx, "certificates/ca/b.test/b.test.crt")
		if err != nil || !info.IsTerminal || info.Size != 6 || time.Since(info.Modified) > time.Minute {
			t.Fatalf("Stat(value) = %+v, %v", info, err)
		}
		if info, err := s.Stat(ctx, "certificates/ca"); err != nil || info.IsTerminal {
			t.Fatalf("Stat(directory) = %+v, %v", info, err)
		}
		if err := s.Delete(ctx, "certificates/ca"); err != nil {
			t.Fatal(err)
		}
		if s.Exists(ctx, "certificates/ca") || !s.Exists(ctx, "certificates/ca_x/c.test/c.test.crt") {
			t.Fatal("Delete of a directory removed too little or too much")
		}
		if err := s.Delete(ctx, "certificates/ca"); err != nil {
			t.Fatalf("deleting a missing key is not an error: %v", err)
		}
	})
}

// TestLocksExcludeAcrossNodes opens the same database twice, as two nodes
// would, and checks that a lock is held by one at a time, that a waiter
// gets it on release, and that a dead holder's lock frees itself when its
// lease runs out.
func TestLocksExcludeAcrossNodes(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			a := certs.NewStorage(storetest.Open(t, cfg), nil, quiet())
			b := certs.NewStorage(storetest.Open(t, cfg), nil, quiet())
			for _, s := range []*certs.Storage{a, b} {
				s.Lease, s.Poll = 900*time.Millisecond, 20*time.Millisecond
			}
			// Mutual exclusion under contention: 3 workers per node.
			var inside, most atomic.Int32
			var wg sync.WaitGroup
			for i := 0; i < 6; i++ {
				s := []*certs.Storage{a, b}[i%2]
				wg.Go(func() {
					for j := 0; j < 3; j++ {
						if err := s.Lock(ctx, "issue_cert_a.test"); err != nil {
							t.Error(err)
							return
						}
						n := inside.Add(1)
						if n > most.Load() {
							most.Store(n)
						}
						time.Sleep(5 * time.Millisecond)
						inside.Add(-1)
						if err := s.Unlock(ctx, "issue_cert_a.test"); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if most.Load() != 1 {
				t.Fatalf("%d holders at once", most.Load())
			}

			// A holder that keeps working keeps its lock past the lease.
			if err := a.Lock(ctx, "long"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond)
			if ok, err := b.TryLock(ctx, "long"); ok || err != nil {
				t.Fatalf("lock taken from a live holder: %v %v", ok, err)
			}
			if err := a.Unlock(ctx, "long"); err != nil {
				t.Fatal(err)
			}

			// A holder that died (its lease not extended) loses the lock.
			if err := db(t, cfg).Write(ctx, func(q *store.Q) error {
				_, err := q.TryCertLock(ctx, "orphan", "dead-node/1", q.Now().Add(300*time.Millisecond))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			start := time.Now()
			if err := b.Lock(waitCtx, "orphan"); err != nil {
				t.Fatalf("orphaned lock never freed: %v", err)
			}
			if time.Since(start) < 200*time.Millisecond {
				t.Fatal("an unexpired lock was taken over")
			}
			b.Unlock(ctx, "orphan")

			// Waiting honours the context.
			a.Lock(ctx, "busy")
			short, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel2()
			if err := b.Lock(short, "busy"); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Lock on a busy lock with a short context: %v", err)
			}
			a.Unlock(ctx, "busy")
		})
	}
}

func db(t *testing.T, cfg store.Config) *store.DB { return storetest.Open(t, cfg) }
