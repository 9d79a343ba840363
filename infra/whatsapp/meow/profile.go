package meow

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var _ app.ProfileManager = (*Driver)(nil)

// profileClient is the part of *whatsmeow.Client the profile calls use.
type profileClient interface {
	GetProfilePictureInfo(ctx context.Context, jid types.JID, params *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error)
	UpdateBlocklist(ctx context.Context, jid types.JID, action events.BlocklistChangeAction) (*types.Blocklist, error)
}

// ProfilePicture implements app.ProfileManager.
func (d *Driver) ProfilePicture(ctx context.Context, instanceID, jid string) (string, error) {
	c, err := d.live(instanceID, "profile picture")
	if err != nil {
		return "", err
	}
	return profilePicture(ctx, c, jid)
}

// SetBlocked implements app.ProfileManager.
func (d *Driver) SetBlocked(ctx context.Context, instanceID, jid string, blocked bool) error {
	c, err := d.live(instanceID, "block")
	if err != nil {
		return err
	}
	return setBlocked(ctx, c, jid, blocked)
}

func profilePicture(ctx context.Context, c profileClient, jid string) (string, error) {
	to, err := ParseRecipient(jid) // a person or a group
	if err != nil {
		return "", err
	}
	info, err := c.GetProfilePictureInfo(ctx, to, &whatsmeow.GetProfilePictureParams{})
	return PictureURL(info, err)
}

// PictureURL reads WhatsApp's answer about a profile picture: one that is
// unset or hidden from us is "", not an error.
func PictureURL(info *types.ProfilePictureInfo, err error) (string, error) {
	switch {
	case errors.Is(err, whatsmeow.ErrProfilePictureNotSet), errors.Is(err, whatsmeow.ErrProfilePictureUnauthorized):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("profile picture: %w", classify(err))
	case info == nil: // "unchanged", which only a known picture id asks
		return "", nil
	}
	return info.URL, nil
}

func setBlocked(ctx context.Context, c profileClient, jid string, blocked bool) error {
	a, ok := domain.ParseAddress(jid)
	if !ok || a.IsGroup() {
		return fmt.Errorf("block %q: not a person: %w", jid, app.ErrPermanent)
	}
	if _, err := c.UpdateBlocklist(ctx, JIDOf(a), BlocklistAction(blocked)); err != nil {
		return fmt.Errorf("block %s (%t): %w", jid, blocked, classify(err))
	}
	return nil
}

// BlocklistAction is whatsmeow's action for blocking or unblocking.
func BlocklistAction(blocked bool) events.BlocklistChangeAction {
	if blocked {
		return events.BlocklistChangeActionBlock
	}
	return events.BlocklistChangeActionUnblock
}
