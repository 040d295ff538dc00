package store

import (
	"context"

	"portico/internal/portico"
)

// FindApprovers returns the enabled operator users who may approve a
// signup (owners and admins), so they can be told one is waiting.
func (q *Q) FindApprovers(ctx context.Context) ([]*portico.User, error) {
	rows, err := q.query(ctx, `SELECT `+userColumns+` FROM users
		WHERE disabled = FALSE AND role IN (?, ?) ORDER BY id`, portico.RoleOwner, portico.RoleAdmin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
