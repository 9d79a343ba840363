package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// reaction is one element of messages.reactions.
type reaction struct {
	From  string    `json:"from"`
	Emoji string    `json:"emoji"`
	At    time.Time `json:"at"`
}

// reactionsJSON stores reactions as a JSON array; none is [] (the column
// is NOT NULL).
func reactionsJSON(rs []domain.Reaction) jsonText {
	out := make([]reaction, 0, len(rs))
	for _, r := range rs {
		out = append(out, reaction{From: r.From, Emoji: r.Emoji, At: r.At.UTC()})
	}
	b, _ := json.Marshal(out) // plain strings and times: cannot fail
	return jsonText(b)
}

// reactionsOf reads messages.reactions; nil when there are none, as a
// message is built.
func reactionsOf(j jsonText) []domain.Reaction {
	var rs []reaction
	if len(j) == 0 || json.Unmarshal(j, &rs) != nil || len(rs) == 0 {
		return nil
	}
	out := make([]domain.Reaction, len(rs))
	for i, r := range rs {
		out[i] = domain.Reaction{From: r.From, Emoji: r.Emoji, At: r.At.UTC()}
	}
	return out
}

// UpdateMessageContent implements app.Tx.
func (t *Tx) UpdateMessageContent(ctx context.Context, m *domain.Message) error {
	_, err := t.tx.NamedExecContext(ctx, `UPDATE messages SET body = :body, caption = :caption,
		reactions = :reactions, edited_at = :edited_at, revoked_at = :revoked_at
		WHERE id = :id`, toMessageRow(m))
	if err != nil {
		return fmt.Errorf("update message content: %w", err)
	}
	return nil
}
