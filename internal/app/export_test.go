package app

import (
	"context"
	"slices"

	"portico/internal/portico"
)

// PortalUserForTest returns the PortalUser a session of a contact of the
// account would give, on a brand that shows every section: for tests and
// benchmarks that call the portal's use cases directly.
func (s *Service) PortalUserForTest(ctx context.Context, accountID int64) (*PortalUser, error) {
	acc, err := s.DB.Read().ForAccount(accountID).Account(ctx)
	if err != nil {
		return nil, err
	}
	return &PortalUser{contact: &portico.Contact{AccountID: accountID, Email: "contact@portal.example"}, account: acc,
		brand: &portico.Domain{Access: slices.Clone(portico.Sections)}}, nil
}
