package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// kinds reads the typed columns of locations, contact cards and polls;
// rows received before them keep those in extra (LiftLegacyExtra).
func (r messageRow) kinds(m *domain.Message) {
	// The columns hold only what kindColumns wrote: a row that does not
	// decode is shown without the field rather than failing the read.
	if len(r.Location) > 0 {
		var l domain.Location
		if json.Unmarshal(r.Location, &l) == nil {
			m.Location = &l
		}
	}
	if len(r.Contacts) > 0 {
		_ = json.Unmarshal(r.Contacts, &m.Contacts)
	}
	if len(r.Poll) > 0 {
		var p domain.Poll
		if json.Unmarshal(r.Poll, &p) == nil {
			m.Poll = &p
		}
	}
	m.LiftLegacyExtra()
}

// kindColumns writes the typed fields as jsonb; nil is NULL.
func kindColumns(m *domain.Message) (location, contacts, poll jsonText) {
	enc := func(v any) jsonText {
		b, err := json.Marshal(v)
		if err != nil {
			return nil // plain data: cannot happen
		}
		return jsonText(domain.CleanJSON(b))
	}
	if m.Location != nil {
		location = enc(m.Location)
	}
	if m.Contacts != nil {
		contacts = enc(m.Contacts)
	}
	if m.Poll != nil {
		poll = enc(m.Poll)
	}
	return location, contacts, poll
}

// RecordPollVote implements app.Tx. The upsert keeps the newer vote: one
// WhatsApp redelivers, or one that arrives after a later one, changes
// nothing.
func (t *Tx) RecordPollVote(ctx context.Context, v app.PollVoteRecord) (bool, error) {
	selected := pq.StringArray(v.Selected)
	if selected == nil {
		selected = pq.StringArray{}
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO poll_votes (message_id, voter, selected, wa_message_id, at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (message_id, voter) DO UPDATE SET selected = EXCLUDED.selected,
			wa_message_id = EXCLUDED.wa_message_id, at = EXCLUDED.at
		WHERE poll_votes.at <= EXCLUDED.at
		  AND (EXCLUDED.wa_message_id = '' OR poll_votes.wa_message_id <> EXCLUDED.wa_message_id)`,
		v.MessageID, v.Voter, selected, v.WAMessageID, v.At)
	if err != nil {
		return false, fmt.Errorf("record poll vote: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PollChoices implements app.Tx.
func (t *Tx) PollChoices(ctx context.Context, messageID string) ([][]string, error) {
	var rows []pq.StringArray
	if err := t.tx.SelectContext(ctx, &rows, `SELECT selected FROM poll_votes WHERE message_id = $1`, messageID); err != nil {
		return nil, fmt.Errorf("poll choices: %w", err)
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out, nil
}

// SavePoll implements app.Tx.
func (t *Tx) SavePoll(ctx context.Context, m *domain.Message) error {
	_, _, poll := kindColumns(m)
	if _, err := t.tx.ExecContext(ctx, `UPDATE messages SET poll = $2 WHERE id = $1`, m.ID, poll); err != nil {
		return fmt.Errorf("save poll: %w", err)
	}
	return nil
}
