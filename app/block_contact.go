package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// BlockChange is the stored payload of block_contact and unblock_contact,
// and their result: whom, and whether they are now blocked.
type BlockChange struct {
	JID     string `json:"jid"`
	Blocked bool   `json:"blocked"`
}

// BlockContact asks the instance's bot to block a person (phone or LID);
// the result is {"jid","blocked":true}.
func (a *App) BlockContact(ctx context.Context, instanceID, address string) (*domain.Command, error) {
	return a.requestBlock(ctx, instanceID, address, true)
}

// UnblockContact asks the instance's bot to unblock a person; the result
// is {"jid","blocked":false}.
func (a *App) UnblockContact(ctx context.Context, instanceID, address string) (*domain.Command, error) {
	return a.requestBlock(ctx, instanceID, address, false)
}

func (a *App) requestBlock(ctx context.Context, instanceID, address string, blocked bool) (*domain.Command, error) {
	addr, ok := domain.ParseAddress(address)
	if !ok {
		return nil, domain.InvalidField("address", domain.AddressRule)
	}
	if addr.IsGroup() {
		return nil, domain.InvalidField("address", "must name a person, not a group")
	}
	typ := domain.CommandUnblockContact
	if blocked {
		typ = domain.CommandBlockContact
	}
	return a.requestCommand(ctx, instanceID, typ, BlockChange{JID: addr.JID(), Blocked: blocked})
}

// runSetBlocked blocks or unblocks on WhatsApp; its ending records the
// contact as blocked or not (creating it when unknown), so the contacts
// list agrees with WhatsApp from the moment the command is done.
func (a *App) runSetBlocked(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p BlockChange
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, nil, fmt.Errorf("decode %s payload: %w", cmd.Type, err)
	}
	addr, ok := domain.ParseAddress(p.JID)
	if !ok {
		return nil, nil, fmt.Errorf("%s payload names %q: %w", cmd.Type, p.JID, ErrPermanent)
	}
	o, ok := domain.NewContactObservation(addr, a.now())
	if !ok {
		return nil, nil, fmt.Errorf("%s payload names a group: %w", cmd.Type, ErrPermanent)
	}
	pm, err := a.profileManager()
	if err != nil {
		return nil, nil, err
	}
	if err := pm.SetBlocked(ctx, cmd.InstanceID, p.JID, p.Blocked); err != nil {
		return nil, nil, err
	}
	o.Blocked, o.BlockedKnown = p.Blocked, true
	return cmd.Payload, func(tx Tx) error {
		return tx.RecordContacts(ctx, cmd.InstanceID, []domain.ContactObservation{o})
	}, nil
}
