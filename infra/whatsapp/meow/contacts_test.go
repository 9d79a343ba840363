package meow

import (
	"testing"

	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
)

func TestContactChecks(t *testing.T) {
	phone := types.NewJID("5511999998888", types.DefaultUserServer)
	lid := types.NewJID("123456789012345", types.HiddenUserServer)
	tests := []struct {
		name string
		in   types.IsOnWhatsAppResponse
		want app.ContactCheck
	}{
		{"phone jid", types.IsOnWhatsAppResponse{Query: "+5511999998888", JID: phone, IsIn: true},
			app.ContactCheck{Phone: "5511999998888", OnWhatsApp: true, JID: "5511999998888@s.whatsapp.net"}},
		{"canonical lid with its phone", types.IsOnWhatsAppResponse{Query: "+5511999998888", JID: lid, PhoneNumber: phone, IsIn: true},
			app.ContactCheck{Phone: "5511999998888", OnWhatsApp: true, JID: "5511999998888@s.whatsapp.net", LID: "123456789012345@lid"}},
		{"business", types.IsOnWhatsAppResponse{Query: "+5511999998888", JID: phone, IsIn: true, VerifiedName: &types.VerifiedName{}},
			app.ContactCheck{Phone: "5511999998888", OnWhatsApp: true, JID: "5511999998888@s.whatsapp.net", Business: true}},
		{"not on whatsapp", types.IsOnWhatsAppResponse{Query: "+5511000000000", JID: types.NewJID("5511000000000", types.DefaultUserServer)},
			app.ContactCheck{Phone: "5511000000000"}},
		{"no query echoed", types.IsOnWhatsAppResponse{JID: phone, IsIn: true},
			app.ContactCheck{Phone: "5511999998888", OnWhatsApp: true, JID: "5511999998888@s.whatsapp.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ContactChecks([]types.IsOnWhatsAppResponse{tt.in})
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
