package certs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"

	"portico/internal/portico"
	"portico/internal/store"
)

// Sealer encrypts private keys at rest; *secret.Box is one.
type Sealer interface {
	Seal(plaintext string) []byte
	Open(sealed []byte) (string, error)
}

// Storage is certmagic's storage in Portico's database, so that every node
// sharing the database serves the same certificates and one node's order
// is never repeated by another. Private keys (paths ending in ".key") are
// sealed with the secret key, so a database dump alone does not give them
// away. Locks are leases in the cert_locks table: a holder extends its
// lease while it works, and a lock whose holder died frees itself when the
// lease runs out.
type Storage struct {
	db  *store.DB
	box Sealer
	log *slog.Logger
	// Lease is how long a lock lasts without being extended; the holder
	// extends it every Lease/3. Poll is how often a waiter tries again.
	Lease, Poll time.Duration
	owner       string
	mu          sync.Mutex
	held        map[string]*heldLock
}

type heldLock struct {
	token string
	stop  chan struct{}
	done  chan struct{}
}

var _ certmagic.Storage = (*Storage)(nil)

// NewStorage returns a storage over db; box may be nil (keys stored as
// they are, for tests).
func NewStorage(db *store.DB, box Sealer, log *slog.Logger) *Storage {
	b := make([]byte, 8)
	rand.Read(b)
	return &Storage{db: db, box: box, log: log, Lease: time.Minute, Poll: 250 * time.Millisecond,
		owner: hex.EncodeToString(b), held: map[string]*heldLock{}}
}

func sealed(key string) bool { return strings.HasSuffix(key, ".key") }

// Store puts value at key.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	if s.box != nil && sealed(key) {
		value = s.box.Seal(string(value))
	}
	return s.db.Write(ctx, func(q *store.Q) error { return q.PutCertValue(ctx, key, value) })
}

// Load returns the value at key, or fs.ErrNotExist.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	v, _, err := s.db.Read().CertValue(ctx, key)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if s.box != nil && sealed(key) {
		plain, err := s.box.Open(v)
		if err != nil {
			return nil, fmt.Errorf("open sealed %s (is the secret key the same on every node?): %w", key, err)
		}
		return []byte(plain), nil
	}
	return v, nil
}

// Delete deletes key and everything below it; a missing key is no error.
func (s *Storage) Delete(ctx context.Context, key string) error {
	return s.db.Write(ctx, func(q *store.Q) error { return q.DeleteCertValues(ctx, key) })
}

// Exists reports whether key is a value or a directory of values.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	es, err := s.db.Read().CertValuesUnder(ctx, key)
	return err == nil && len(es) > 0
}

// List returns the keys below path: its immediate children (values and
// directories), or with recursive every value and directory below it.
func (s *Storage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	path = strings.Trim(path, "/")
	es, err := s.db.Read().CertValuesUnder(ctx, path)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, e := range es {
		rest := e.Path
		if path != "" {
			if e.Path == path {
				continue // path is a value, not a directory
			}
			rest = strings.TrimPrefix(e.Path, path+"/")
		}
		parts := strings.Split(rest, "/")
		if !recursive {
			parts = parts[:1]
		}
		for i := range parts {
			k := strings.Join(parts[:i+1], "/")
			if path != "" {
				k = path + "/" + k
			}
			add(k)
		}
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	return out, nil
}

// Stat describes key, a value or a directory.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	es, err := s.db.Read().CertValuesUnder(ctx, key)
	if err != nil {
		return certmagic.KeyInfo{}, err
	}
	if len(es) == 0 {
		return certmagic.KeyInfo{}, fs.ErrNotExist
	}
	if es[0].Path == key {
		return certmagic.KeyInfo{Key: key, Modified: es[0].Modified, Size: es[0].Size, IsTerminal: true}, nil
	}
	info := certmagic.KeyInfo{Key: key}
	for _, e := range es {
		if e.Modified.After(info.Modified) {
			info.Modified = e.Modified
		}
	}
	return info, nil
}

// Lock waits until it holds the named lock or ctx ends.
func (s *Storage) Lock(ctx context.Context, name string) error {
	for {
		ok, err := s.TryLock(ctx, name)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.Poll):
		}
	}
}

// TryLock takes the named lock if it is free and reports whether it did.
func (s *Storage) TryLock(ctx context.Context, name string) (bool, error) {
	b := make([]byte, 8)
	rand.Read(b)
	token := s.owner + "/" + hex.EncodeToString(b)
	var ok bool
	err := s.db.Write(ctx, func(q *store.Q) error {
		var err error
		ok, err = q.TryCertLock(ctx, name, token, q.Now().Add(s.Lease))
		return err
	})
	if err != nil || !ok {
		return false, err
	}
	h := &heldLock{token: token, stop: make(chan struct{}), done: make(chan struct{})}
	s.mu.Lock()
	s.held[name] = h
	s.mu.Unlock()
	go s.keep(name, h)
	return true, nil
}

// keep extends a held lock's lease until it is released.
func (s *Storage) keep(name string, h *heldLock) {
	defer close(h.done)
	t := time.NewTicker(s.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.Lease/3)
			var ok bool
			err := s.db.Write(ctx, func(q *store.Q) error {
				var err error
				ok, err = q.ExtendCertLock(ctx, name, h.token, q.Now().Add(s.Lease))
				return err
			})
			cancel()
			if err == nil && !ok {
				s.log.Warn("certificate lock lost: its lease ran out and another node took it", "lock", name)
				return
			}
		}
	}
}

// Unlock releases a lock taken by Lock or TryLock.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	s.mu.Lock()
	h := s.held[name]
	delete(s.held, name)
	s.mu.Unlock()
	if h == nil {
		return errors.New("unlock of a lock not held: " + name)
	}
	close(h.stop)
	<-h.done
	// Release even when ctx has ended, or the lock would stay taken for a
	// whole lease.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return s.db.Write(ctx, func(q *store.Q) error { return q.ReleaseCertLock(ctx, name, h.token) })
}

// String names the storage in certmagic's logs.
func (s *Storage) String() string { return "portico database" }
