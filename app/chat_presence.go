package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// ChatPresence is the stored payload of chat_presence, and its result.
type ChatPresence struct {
	Chat  string               `json:"chat"`
	State domain.PresenceState `json:"state"`
}

// SetChatPresence asks the instance's bot to show a chat that the instance
// is typing, recording audio, or neither any more (paused). It is not a
// message: it is not paced and leaves no row behind but the command.
func (a *App) SetChatPresence(ctx context.Context, instanceID, address, state string) (*domain.Command, error) {
	addr, ok := domain.ParseAddress(address)
	if !ok {
		return nil, domain.InvalidField("address", domain.AddressRule)
	}
	st, err := domain.ParsePresenceState(state)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandChatPresence, ChatPresence{Chat: addr.JID(), State: st})
}

// runChatPresence tells WhatsApp.
func (a *App) runChatPresence(ctx context.Context, cmd *domain.Command) ([]byte, error) {
	var p ChatPresence
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, fmt.Errorf("decode chat_presence payload: %w", err)
	}
	cm, err := a.chatManager()
	if err != nil {
		return nil, err
	}
	if err := cm.SendPresence(ctx, cmd.InstanceID, p.Chat, p.State); err != nil {
		return nil, err
	}
	return cmd.Payload, nil
}
