package app

import (
	"context"
	"sync"

	"portico/internal/billing"
	"portico/internal/store"
)

// maxCachedCards bounds the rating cache; a 50k-prefix card takes a few MB.
const maxCachedCards = 32

// ratingCache keeps rate cards built for rating (all versions merged into
// one matcher), so an ingest does not reload a large deck. An entry is used
// only while its card's newest version, precision and rounding are what
// the database says; a version loaded on another node is seen at the next
// ingest. Its zero value is ready to use.
type ratingCache struct {
	mu    sync.Mutex
	cards map[int64]*billing.Card
	order []int64 // least recently built first
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
	c := &s.rating
	for id, st := range stamps {
		c.mu.Lock()
		card := c.cards[id]
		c.mu.Unlock()
		if card != nil && card.Version == st.LatestVersion && card.Precision == st.Precision && card.Rounding == st.Rounding {
			out[id] = card
			continue
		}
		rows, err := q.FindCardRates(ctx, id)
		if err != nil {
			return nil, err
		}
		card = billing.NewCard(st, rows)
		c.put(card)
		out[id] = card
	}
	return out, nil
}

func (c *ratingCache) put(card *billing.Card) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cards == nil {
		c.cards = map[int64]*billing.Card{}
	}
	if _, ok := c.cards[card.ID]; !ok {
		c.order = append(c.order, card.ID)
	}
	c.cards[card.ID] = card
	for len(c.order) > maxCachedCards {
		delete(c.cards, c.order[0])
		c.order = c.order[1:]
	}
}
