package sim

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var _ app.ChatManager = (*Network)(nil)

// MarkRead implements app.ChatManager: a sent row of kind read naming the
// chat, the sender and the message ids. Like a send, it needs a linked
// session.
func (n *Network) MarkRead(ctx context.Context, instanceID, chat, sender string, waMessageIDs []string, at time.Time) error {
	if len(waMessageIDs) == 0 {
		return fmt.Errorf("sim: a read receipt names no message: %w", app.ErrPermanent)
	}
	ids, err := json.Marshal(waMessageIDs)
	if err != nil {
		return err
	}
	return n.chatEvent(ctx, instanceID, chat, sender, "read", "", waMessageIDs[0], string(ids))
}

// SendPresence implements app.ChatManager: a sent row of kind presence
// with the state.
func (n *Network) SendPresence(ctx context.Context, instanceID, chat string, state domain.PresenceState) error {
	return n.chatEvent(ctx, instanceID, chat, chat, "presence", string(state), "", "[]")
}

// chatEvent records what the instance told a chat that is not a message;
// to_phone holds whom it concerns (the sender of the messages read).
func (n *Network) chatEvent(ctx context.Context, instanceID, chat, to, kind, state, target, ids string) error {
	a, ok := domain.ParseAddress(chat)
	if !ok {
		return fmt.Errorf("sim: chat %q %s: %w", chat, domain.AddressRule, app.ErrPermanent)
	}
	if err := n.linked(ctx, instanceID); err != nil {
		return fmt.Errorf("sim %s: %w", kind, err)
	}
	if _, err := n.db.ExecContext(ctx, `INSERT INTO sim_sent
		(instance_id, to_phone, chat, type, wa_message_id, kind, state, target_wa_message_id, message_ids)
		VALUES ($1, $2, $3, '', '', $4, $5, $6, $7)`, instanceID, to, a.JID(), kind, state, target, ids); err != nil {
		return fmt.Errorf("sim %s: %w", kind, err)
	}
	return nil
}

// jsonList is a jsonb array of strings.
type jsonList []string

// Scan implements sql.Scanner.
func (l *jsonList) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case nil:
		*l = jsonList{}
		return nil
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return fmt.Errorf("jsonList: cannot scan %T", src)
	}
	out := jsonList{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// Value implements driver.Valuer.
func (l jsonList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}
