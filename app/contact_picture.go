package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// profileTarget is the stored payload of profile_picture: whose picture.
type profileTarget struct {
	JID string `json:"jid"`
}

// ContactPicture is the result of profile_picture: the picture's URL, ""
// when it is hidden from the instance or unset.
type ContactPicture struct {
	URL string `json:"url"`
}

// GetContactPicture asks the instance's bot for the profile picture of a
// person (phone or LID) or a group; the answer is the command's result.
func (a *App) GetContactPicture(ctx context.Context, instanceID, address string) (*domain.Command, error) {
	addr, ok := domain.ParseAddress(address)
	if !ok {
		return nil, domain.InvalidField("address", domain.AddressRule)
	}
	return a.requestCommand(ctx, instanceID, domain.CommandProfilePicture, profileTarget{JID: addr.JID()})
}

// runContactPicture asks WhatsApp for the picture.
func (a *App) runContactPicture(ctx context.Context, cmd *domain.Command) ([]byte, error) {
	var p profileTarget
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, fmt.Errorf("decode profile_picture payload: %w", err)
	}
	pm, err := a.profileManager()
	if err != nil {
		return nil, err
	}
	url, err := pm.ProfilePicture(ctx, cmd.InstanceID, p.JID)
	if err != nil {
		return nil, err
	}
	return json.Marshal(ContactPicture{URL: url})
}

// profileManager is the driver's profile side; a driver without one
// refuses for good.
func (a *App) profileManager() (ProfileManager, error) {
	pm, ok := a.wa.(ProfileManager)
	if !ok {
		return nil, fmt.Errorf("the WhatsApp driver cannot read profiles or block: %w", ErrPermanent)
	}
	return pm, nil
}
