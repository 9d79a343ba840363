package meow

import (
	"context"
	"errors"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// fakeLIDs is whatsmeow's LID store with one mapping.
type fakeLIDs struct {
	store.LIDStore // the methods PhoneForLID does not use panic
	lid, pn        types.JID
	err            error
}

func (f fakeLIDs) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	if lid == f.lid {
		return f.pn, f.err
	}
	return types.EmptyJID, f.err
}

func TestPhoneForLID(t *testing.T) {
	ctx := context.Background()
	dev := types.JID{User: anaLID.User, Server: types.HiddenUserServer, Device: 5}
	tests := []struct {
		name    string
		store   fakeLIDs
		lid     types.JID
		want    types.JID
		wantErr bool
	}{
		{"known", fakeLIDs{lid: anaLID, pn: anaPN}, anaLID, anaPN, false},
		{"a device asks for the person", fakeLIDs{lid: anaLID, pn: anaPN}, dev, anaPN, false},
		{"unknown", fakeLIDs{lid: anaLID, pn: anaPN}, boLID, types.EmptyJID, false},
		{"store failure", fakeLIDs{err: errors.New("db down")}, anaLID, types.EmptyJID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self := types.JID{User: "5511900000001", Server: types.DefaultUserServer, Device: 7}
			client := &whatsmeow.Client{Store: &store.Device{ID: &self, LID: types.JID{User: "900", Server: types.HiddenUserServer, Device: 7}, LIDs: tt.store}}
			d := &Driver{sessions: map[string]*session{"i": {client: client}}}
			got, err := d.PhoneForLID(ctx, "i", tt.lid)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("got %v, %v", got, err)
			}
			if p, l := d.Self("i"); p.String() != "5511900000001@s.whatsapp.net" || l.String() != "900@lid" {
				t.Fatalf("self %v %v", p, l)
			}
		})
	}
}

func TestLIDStoreWithoutSession(t *testing.T) {
	d := &Driver{sessions: map[string]*session{}}
	if pn, err := d.PhoneForLID(context.Background(), "i", anaLID); err != nil || !pn.IsEmpty() {
		t.Fatalf("%v %v", pn, err)
	}
	if p, l := d.Self("i"); !p.IsEmpty() || !l.IsEmpty() {
		t.Fatalf("%v %v", p, l)
	}
}
