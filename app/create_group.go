package app

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/domain"
)

// createGroupPayload is the stored payload of create_group.
type createGroupPayload struct {
	Subject      string   `json:"subject"`
	Participants []string `json:"participants"` // JIDs
}

// CreateGroup asks the instance's bot to create a group with subject and
// participants (0 to 1024 people); the result is the group.
func (a *App) CreateGroup(ctx context.Context, instanceID, subject string, participants []string) (*domain.Command, error) {
	if err := domain.CheckGroupSubject(subject); err != nil {
		return nil, err
	}
	jids, err := domain.ParseGroupParticipants(participants, 0)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandCreateGroup, createGroupPayload{Subject: subject, Participants: jids})
}

// runCreateGroup creates the group; its ending records it (group.joined).
// People WhatsApp would not add are left out, the group is created anyway.
func (a *App) runCreateGroup(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p createGroupPayload
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, nil, err
	}
	self, err := a.selfJID(ctx, cmd.InstanceID)
	if err != nil {
		return nil, nil, err
	}
	g, err := gm.CreateGroup(ctx, cmd.InstanceID, p.Subject, p.Participants)
	if err != nil {
		return nil, nil, err
	}
	info := normalizeGroup(*g)
	if info.CreatedAt.IsZero() {
		info.CreatedAt = a.now()
	}
	result, err := json.Marshal(GroupView(info))
	if err != nil {
		return nil, nil, err
	}
	return result, func(tx Tx) error { return a.storeGroup(ctx, tx, cmd.InstanceID, self, info) }, nil
}
