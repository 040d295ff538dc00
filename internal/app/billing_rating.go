package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
)

// maxCachedCards bounds the card cache; a 50k-prefix card takes a few MB.
const maxCachedCards = 32

// ratingCache keeps rate cards built with all their versions merged (a
// billing.Card), so that neither an ingest nor a portal Rate Card page
// reads a large deck again. An entry is used only while its card's newest
// version, precision, rounding and creation time are what the database
// says, so a version loaded on another node is seen at the next ingest or
// page. Its zero value is ready to use.
type ratingCache struct {
	mu    sync.Mutex
	cards map[int64]cachedCard
	order []int64 // least recently used first
	// building holds, per card, a channel closed when the build under way
	// ends: a new version makes every page of the card miss at once, and
	// one read of the deck serves them all.
	building map[int64]chan struct{}
}

type cachedCard struct {
	card *billing.Card
	// created tells a card from a deleted one whose id SQLite reused.
	created time.Time
}

// current reports whether the entry still is the card st describes. A
// newer version than st's is current too: it was loaded after st was read.
func (e cachedCard) current(st *portico.RateCard) bool {
	return e.card != nil && e.card.Version >= st.LatestVersion && e.card.Precision == st.Precision &&
		e.card.Rounding == st.Rounding && e.created.Equal(st.CreatedAt)
}

// ratingCards returns the cards with the given ids, built or from the
// cache; ids of cards that do not exist are absent from the result.
func (s *Service) ratingCards(ctx context.Context, q *store.Q, ids []int64) (map[int64]*billing.Card, error) {
	out := make(map[int64]*billing.Card, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	stamps, err := q.RateCardStamps(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, st := range stamps {
		card, err := s.rating.card(ctx, st, func() ([]portico.Rate, error) { return q.FindCardRates(ctx, id) })
		if err != nil {
			return nil, err
		}
		out[id] = card
	}
	return out, nil
}

// accountCard returns the account's rate card and its rows built for
// listing, or nils when it has none. Both come through the account's
// scoped handle: the cache is asked only for the card the account has.
func (s *Service) accountCard(ctx context.Context, q *store.AccountQ) (*portico.RateCard, *billing.Card, error) {
	st, err := q.RateCard(ctx)
	if err != nil || st == nil {
		return nil, nil, err
	}
	card, err := s.rating.card(ctx, st, func() ([]portico.Rate, error) { return q.RateCardRows(ctx, st.ID) })
	return st, card, err
}

// card returns the card st describes: the cached one if current, else one
// built from the rows load returns (all versions of that card). One build
// per card runs at a time; others asking meanwhile wait for it. A card
// without rows is not kept: it is cheap to read again, and an account's
// scoped read returns none when the account has just been given another
// card, which must not stand for the card in the cache.
func (c *ratingCache) card(ctx context.Context, st *portico.RateCard, load func() ([]portico.Rate, error)) (*billing.Card, error) {
	for {
		c.mu.Lock()
		if e, ok := c.cards[st.ID]; ok && e.current(st) {
			c.use(st.ID)
			c.mu.Unlock()
			return e.card, nil
		}
		done, busy := c.building[st.ID]
		if !busy {
			break
		}
		c.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// c.mu is held: claim the build.
	done := make(chan struct{})
	if c.building == nil {
		c.building = map[int64]chan struct{}{}
	}
	c.building[st.ID] = done
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.building, st.ID)
		c.mu.Unlock()
		close(done)
	}()
	rows, err := load()
	if err != nil {
		return nil, err
	}
	card := billing.NewCard(st, rows)
	if len(rows) > 0 {
		c.put(st, card)
	}
	return card, nil
}

func (c *ratingCache) put(st *portico.RateCard, card *billing.Card) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cards == nil {
		c.cards = map[int64]cachedCard{}
	}
	if old, ok := c.cards[st.ID]; ok && old.current(st) {
		return // built meanwhile from a newer stamp than st
	}
	c.cards[st.ID] = cachedCard{card: card, created: st.CreatedAt}
	c.use(st.ID)
	for len(c.order) > maxCachedCards {
		delete(c.cards, c.order[0])
		c.order = c.order[1:]
	}
}

// use moves id to the most recently used end of the order; c.mu is held.
func (c *ratingCache) use(id int64) {
	if i := slices.Index(c.order, id); i >= 0 {
		c.order = slices.Delete(c.order, i, i+1)
	}
	c.order = append(c.order, id)
}
