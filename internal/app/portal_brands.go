package app

import (
	"context"
	"sync"
	"sync/atomic"

	"portico/internal/portico"
	"portico/internal/store"
)

// Brands maps portal host names to their brands from memory. Every lookup
// first reads the store's "domains" change counter (one tiny row) and
// reloads the whole map when it moved, so a change saved on any node — this
// one or another sharing the database — is in force on the very next
// request, with no LISTEN/NOTIFY and no polling goroutine to start or stop.
type Brands struct {
	db    *store.DB
	state atomic.Pointer[brandMap]
	// reload serialises reloads so a burst of requests after a change
	// reads the domains table once, not once per request.
	reload sync.Mutex
}

// brandMap is one immutable snapshot of the domains table.
type brandMap struct {
	counter int64
	byHost  map[string]*portico.Domain
}

// NewBrands returns an empty map that loads on first use.
func (s *Service) NewBrands() *Brands { return &Brands{db: s.DB} }

// Lookup returns the brand whose domain is host after normalisation (lower
// case, no port, no trailing dot, punycode), or ENOTFOUND. Matching is
// exact: no suffix or substring rules, no default brand. The returned
// domain is shared between requests and must not be modified.
func (b *Brands) Lookup(ctx context.Context, host string) (*portico.Domain, error) {
	m, err := b.current(ctx)
	if err != nil {
		return nil, err
	}
	if d := m.byHost[portico.NormalizeHost(host)]; d != nil {
		return d, nil
	}
	return nil, portico.Errorf(portico.ENOTFOUND, "No portal is configured for this address.")
}

// current returns a snapshot no older than the store's counter.
func (b *Brands) current(ctx context.Context) (*brandMap, error) {
	counter, err := b.db.Read().ChangeCounter(ctx, "domains")
	if err != nil {
		return nil, err
	}
	if m := b.state.Load(); m != nil && m.counter == counter {
		return m, nil
	}
	b.reload.Lock()
	defer b.reload.Unlock()
	if m := b.state.Load(); m != nil && m.counter >= counter {
		return m, nil // another request reloaded while this one waited
	}
	// The counter is read before the rows: a write landing in between
	// leaves the snapshot labelled older than its content, so the next
	// lookup reloads again rather than missing the change.
	q := b.db.Read()
	if counter, err = q.ChangeCounter(ctx, "domains"); err != nil {
		return nil, err
	}
	all, err := q.AllDomains(ctx)
	if err != nil {
		return nil, err
	}
	m := &brandMap{counter: counter, byHost: make(map[string]*portico.Domain, len(all))}
	for _, d := range all {
		m.byHost[d.Domain] = d
	}
	b.state.Store(m)
	return m, nil
}

// BrandLogo returns a brand's logo image and its content type.
func (s *Service) BrandLogo(ctx context.Context, brand *portico.Domain) ([]byte, string, error) {
	return s.DB.Read().DomainLogo(ctx, brand.ID)
}
