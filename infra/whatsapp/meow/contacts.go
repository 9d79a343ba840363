package meow

import (
	"context"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
)

// CheckContacts implements app.ContactChecker with IsOnWhatsApp.
func (d *Driver) CheckContacts(ctx context.Context, instanceID string, phones []string) ([]app.ContactCheck, error) {
	c := d.client(instanceID)
	if c == nil || !c.IsConnected() || !c.IsLoggedIn() {
		return nil, fmt.Errorf("check contacts through %s: %w", instanceID, app.ErrNotConnected)
	}
	query := make([]string, len(phones))
	for i, p := range phones {
		query[i] = "+" + p // whatsmeow wants the international format
	}
	resp, err := c.IsOnWhatsApp(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("check contacts through %s: %w", instanceID, classify(err))
	}
	return ContactChecks(resp), nil
}

// ContactChecks converts WhatsApp's answer: the canonical JID may be a LID,
// in which case the phone JID is PhoneNumber; a verified name means a
// business account.
func ContactChecks(resp []types.IsOnWhatsAppResponse) []app.ContactCheck {
	out := make([]app.ContactCheck, 0, len(resp))
	for _, r := range resp {
		c := app.ContactCheck{Phone: strings.TrimPrefix(r.Query, "+"), OnWhatsApp: r.IsIn, Business: r.VerifiedName != nil}
		phoneJID := r.JID
		if r.JID.Server == types.HiddenUserServer {
			c.LID = r.JID.String()
			phoneJID = r.PhoneNumber
		} else if r.PhoneNumber.Server == types.HiddenUserServer {
			c.LID = r.PhoneNumber.String()
		}
		if r.IsIn && !phoneJID.IsEmpty() {
			c.JID = phoneJID.ToNonAD().String()
		}
		if c.Phone == "" && phoneJID.User != "" {
			c.Phone = phoneJID.User
		}
		out = append(out, c)
	}
	return out
}

var _ app.ContactChecker = (*Driver)(nil)
