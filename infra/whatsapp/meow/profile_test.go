package meow

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
)

func TestPictureURL(t *testing.T) {
	tests := []struct {
		name string
		info *types.ProfilePictureInfo
		err  error
		want string
		perm bool // the error is WhatsApp's refusal
		fail bool
	}{
		{"a picture", &types.ProfilePictureInfo{URL: "https://pps.whatsapp.net/v/x.jpg", ID: "1"}, nil, "https://pps.whatsapp.net/v/x.jpg", false, false},
		{"not set", nil, whatsmeow.ErrProfilePictureNotSet, "", false, false},
		{"hidden from us", nil, fmt.Errorf("wrapped: %w", whatsmeow.ErrProfilePictureUnauthorized), "", false, false},
		{"unchanged answer", nil, nil, "", false, false},
		{"bad request", nil, whatsmeow.ErrIQBadRequest, "", true, true},
		{"timed out", nil, whatsmeow.ErrIQTimedOut, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PictureURL(tt.info, tt.err)
			if got != tt.want || (err != nil) != tt.fail || errors.Is(err, app.ErrPermanent) != tt.perm {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestBlocklistAction(t *testing.T) {
	if BlocklistAction(true) != events.BlocklistChangeActionBlock || BlocklistAction(false) != events.BlocklistChangeActionUnblock {
		t.Fatal("block and unblock swapped")
	}
}

type fakeProfiles struct {
	calls []string
	info  *types.ProfilePictureInfo
	err   error
}

func (f *fakeProfiles) GetProfilePictureInfo(ctx context.Context, jid types.JID, params *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error) {
	f.calls = append(f.calls, fmt.Sprintf("picture %s preview=%t", jid, params.Preview))
	return f.info, f.err
}

func (f *fakeProfiles) UpdateBlocklist(ctx context.Context, jid types.JID, action events.BlocklistChangeAction) (*types.Blocklist, error) {
	f.calls = append(f.calls, fmt.Sprintf("blocklist %s %s", jid, action))
	return &types.Blocklist{}, f.err
}

func TestProfileCalls(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func(c profileClient) error
		want string // the one call made; "" for none
		perm bool
	}{
		{"picture of a phone", func(c profileClient) error { _, err := profilePicture(ctx, c, "5511988880001"); return err },
			"picture 5511988880001@s.whatsapp.net preview=false", false},
		{"picture of a group", func(c profileClient) error { _, err := profilePicture(ctx, c, "120363000000000001@g.us"); return err },
			"picture 120363000000000001@g.us preview=false", false},
		{"picture of nothing", func(c profileClient) error { _, err := profilePicture(ctx, c, "x"); return err }, "", true},
		{"block a LID", func(c profileClient) error { return setBlocked(ctx, c, "111111111111111@lid", true) },
			"blocklist 111111111111111@lid block", false},
		{"unblock a phone", func(c profileClient) error { return setBlocked(ctx, c, "5511988880001@s.whatsapp.net", false) },
			"blocklist 5511988880001@s.whatsapp.net unblock", false},
		{"a group is not blocked", func(c profileClient) error { return setBlocked(ctx, c, "120363000000000001@g.us", true) }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeProfiles{info: &types.ProfilePictureInfo{URL: "u"}}
			err := tt.call(f)
			if errors.Is(err, app.ErrPermanent) != tt.perm || (err != nil) != tt.perm {
				t.Fatalf("err %v", err)
			}
			if tt.want == "" && len(f.calls) != 0 || tt.want != "" && (len(f.calls) != 1 || f.calls[0] != tt.want) {
				t.Fatalf("calls %q, want %q", f.calls, tt.want)
			}
		})
	}
	f := &fakeProfiles{err: whatsmeow.ErrIQNotAuthorized}
	if err := setBlocked(ctx, f, "5511988880001", true); !errors.Is(err, app.ErrPermanent) {
		t.Fatalf("refused block: %v", err)
	}
}
