package postgres

import (
	"context"
	"fmt"
)

// InstanceCounts counts the instances by status and by health state in
// one grouped read (metrics.InstanceCounts).
func (s *Store) InstanceCounts(ctx context.Context) (map[string]int, map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		Health string `db:"health_state"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT status, health_state, count(*) AS n FROM instances GROUP BY 1, 2`); err != nil {
		return nil, nil, fmt.Errorf("count instances: %w", err)
	}
	byStatus, byHealth := map[string]int{}, map[string]int{}
	for _, r := range rows {
		byStatus[r.Status] += r.N
		byHealth[r.Health] += r.N
	}
	return byStatus, byHealth, nil
}
