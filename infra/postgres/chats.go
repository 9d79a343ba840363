package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

// ChatIncoming implements app.Store: the named incoming messages of the
// chats, or with no ids the unread ones (messages_unread_in serves them).
func (s *Store) ChatIncoming(ctx context.Context, instanceID string, chats, ids []string, limit int) ([]domain.Message, error) {
	q := `SELECT ` + messageColumns + ` FROM messages
		WHERE instance_id = $1 AND chat = ANY($2) AND direction = 'in' AND read_at IS NULL
		ORDER BY id LIMIT $3`
	args := []any{instanceID, pq.StringArray(chats), limit}
	if len(ids) > 0 {
		q = `SELECT ` + messageColumns + ` FROM messages
			WHERE instance_id = $1 AND chat = ANY($2) AND direction = 'in' AND id = ANY($4::uuid[])
			ORDER BY id LIMIT $3`
		args = append(args, pq.StringArray(ids))
	}
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("chat incoming: %w", err)
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
