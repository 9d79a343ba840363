package meow

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/types"
)

// PhoneForLID is the phone JID whatsmeow's LID store keeps for lid, the
// empty JID when it knows none. It reads the store, not WhatsApp, so it
// needs a session in this process but not a live connection.
//
// The store has no "list all": whatsmeow answers one LID or phone at a
// time, and its map is shared by every device in the database.
func (d *Driver) PhoneForLID(ctx context.Context, instanceID string, lid types.JID) (types.JID, error) {
	c := d.client(instanceID)
	if c == nil || c.Store == nil || c.Store.LIDs == nil {
		return types.EmptyJID, nil
	}
	pn, err := c.Store.LIDs.GetPNForLID(ctx, lid.ToNonAD())
	if err != nil {
		return types.EmptyJID, fmt.Errorf("phone of %s: %w", lid, err)
	}
	return pn, nil
}

// Self is the instance's own phone and LID JIDs, empty before pairing.
func (d *Driver) Self(instanceID string) (phone, lid types.JID) {
	c := d.client(instanceID)
	if c == nil || c.Store == nil {
		return types.EmptyJID, types.EmptyJID
	}
	return c.Store.GetJID().ToNonAD(), c.Store.GetLID().ToNonAD()
}
