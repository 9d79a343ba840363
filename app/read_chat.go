package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// readChat is the stored payload of read_chat: the chat and the incoming
// messages to mark read, chosen at request time.
type readChat struct {
	Chat     string     `json:"chat"`
	Messages []readMark `json:"messages"`
}

type readMark struct {
	ID          string `json:"id"`
	WAMessageID string `json:"wa_message_id"`
	Sender      string `json:"sender"` // who wrote it: the group member, or the chat
}

// ChatRead is the result of read_chat: the messages marked read.
type ChatRead struct {
	Chat       string   `json:"chat"`
	MessageIDs []string `json:"message_ids"`
}

// ReadChat asks the instance's bot to send read receipts (blue ticks) for
// incoming messages of a chat: those named, or with none every message the
// instance has not marked read yet. Named messages must be incoming
// messages of that chat.
func (a *App) ReadChat(ctx context.Context, instanceID, address string, messageIDs []string) (*domain.Command, error) {
	addr, ok := domain.ParseAddress(address)
	if !ok {
		return nil, domain.InvalidField("address", domain.AddressRule)
	}
	if len(messageIDs) > domain.MaxReadIDs {
		return nil, domain.InvalidField("message_ids", fmt.Sprintf("must name at most %d messages", domain.MaxReadIDs))
	}
	for _, id := range messageIDs {
		if !domain.ValidID(id) {
			return nil, domain.InvalidField("message_ids", "must be ids of messages of this instance")
		}
	}
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	chats, err := a.chatJIDs(ctx, instanceID, addr)
	if err != nil {
		return nil, err
	}
	ms, err := a.store.ChatIncoming(ctx, instanceID, chats, messageIDs, domain.MaxReadIDs)
	if err != nil {
		return nil, fmt.Errorf("read chat: %w", err)
	}
	if len(messageIDs) > 0 {
		if missing := missingIDs(messageIDs, ms); len(missing) > 0 {
			return nil, domain.InvalidField("message_ids", missing[0]+" is not an incoming message of this chat")
		}
	}
	p := readChat{Chat: addr.JID(), Messages: make([]readMark, 0, len(ms))}
	for _, m := range ms {
		sender := m.Chat
		if m.IsGroup && m.Participant != "" {
			sender = m.Participant
		}
		p.Messages = append(p.Messages, readMark{ID: m.ID, WAMessageID: m.WAMessageID, Sender: sender})
	}
	return a.requestCommand(ctx, instanceID, domain.CommandReadChat, p)
}

// chatJIDs are the JIDs a chat's messages may be filed under: a person's
// phone and LID when the contacts pair them, else the address itself.
func (a *App) chatJIDs(ctx context.Context, instanceID string, addr domain.Address) ([]string, error) {
	jids := []string{addr.JID()}
	if a.contacts == nil || addr.IsGroup() {
		return jids, nil
	}
	c, err := a.contacts.Contact(ctx, instanceID, addr)
	if domain.IsNotFound(err) {
		return jids, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the chat's contact: %w", err)
	}
	for _, other := range []string{c.JID, c.LID} {
		if o, ok := domain.ParseAddress(other); ok && o.JID() != addr.JID() {
			jids = append(jids, o.JID())
		}
	}
	if p, ok := domain.ParseAddress(c.Phone); ok && p.JID() != addr.JID() {
		jids = append(jids, p.JID())
	}
	return jids, nil
}

func missingIDs(want []string, got []domain.Message) []string {
	found := make(map[string]bool, len(got))
	for _, m := range got {
		found[m.ID] = true
	}
	var missing []string
	for _, id := range want {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

// runReadChat sends the receipts, one call per sender as WhatsApp takes
// them; its ending marks the messages read (read_at), so the next default
// read skips them.
func (a *App) runReadChat(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p readChat
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, nil, fmt.Errorf("decode read_chat payload: %w", err)
	}
	result := ChatRead{Chat: p.Chat, MessageIDs: make([]string, 0, len(p.Messages))}
	var senders []string
	bySender := map[string][]string{}
	for _, m := range p.Messages {
		if _, ok := bySender[m.Sender]; !ok {
			senders = append(senders, m.Sender)
		}
		bySender[m.Sender] = append(bySender[m.Sender], m.WAMessageID)
		result.MessageIDs = append(result.MessageIDs, m.ID)
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return nil, nil, err
	}
	if len(senders) == 0 {
		return raw, nil, nil // nothing unread: nothing to tell WhatsApp
	}
	cm, err := a.chatManager()
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	for _, sender := range senders {
		if err := cm.MarkRead(ctx, cmd.InstanceID, p.Chat, sender, bySender[sender], now); err != nil {
			return nil, nil, err
		}
	}
	return raw, func(tx Tx) error {
		ms, err := tx.LockMessages(ctx, cmd.InstanceID, result.MessageIDs)
		if err != nil {
			return err
		}
		changed := make([]*domain.Message, 0, len(ms))
		for i := range ms {
			if ms[i].MarkReadByUs(now) {
				changed = append(changed, &ms[i])
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return tx.UpdateMessages(ctx, changed)
	}, nil
}

// chatManager is the driver's chat side; a driver without one refuses for
// good.
func (a *App) chatManager() (ChatManager, error) {
	cm, ok := a.wa.(ChatManager)
	if !ok {
		return nil, fmt.Errorf("the WhatsApp driver cannot send read receipts or presence: %w", ErrPermanent)
	}
	return cm, nil
}
