// Package whatsmeow is the real WhatsApp driver, on go.mau.fi/whatsmeow:
// sessions stored in the project's Postgres, linking by QR or pairing code,
// sending every message type, events handed to the translator.
package whatsmeow

import (
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// MediaTypeFor is the upload class of a message type.
func MediaTypeFor(t domain.MessageType) whatsmeow.MediaType {
	switch t {
	case domain.TypeImage:
		return whatsmeow.MediaImage
	case domain.TypeAudio:
		return whatsmeow.MediaAudio
	case domain.TypeVideo:
		return whatsmeow.MediaVideo
	}
	return whatsmeow.MediaDocument
}

// ParseRecipient turns phone digits into a user JID.
func ParseRecipient(to string) (types.JID, error) {
	p, ok := domain.NormalizePhone(to)
	if !ok {
		return types.JID{}, fmt.Errorf("recipient %q: %s: %w", to, domain.PhoneRule, app.ErrPermanent)
	}
	return types.NewJID(p, types.DefaultUserServer), nil
}

// BuildMessage is the waE2E message for m; media types need the upload.
func BuildMessage(m app.OutboundMessage, up *whatsmeow.UploadResponse) (*waE2E.Message, error) {
	if m.Type == domain.TypeText {
		return &waE2E.Message{Conversation: proto.String(m.Text)}, nil
	}
	if up == nil {
		return nil, errors.New("media message without an upload")
	}
	caption := optional(m.Caption)
	switch m.Type {
	case domain.TypeImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), Caption: caption, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	case domain.TypeAudio:
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256,
			FileLength: proto.Uint64(up.FileLength),
			// An Opus voice note plays as one, with a waveform.
			PTT: proto.Bool(strings.HasPrefix(m.Mime, "audio/ogg")),
		}}, nil
	case domain.TypeVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), Caption: caption, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	case domain.TypeDocument:
		name := m.Filename
		if name == "" {
			name = "document"
		}
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), Caption: caption, FileName: proto.String(name), Title: proto.String(name),
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	}
	return nil, fmt.Errorf("cannot send a %s message: %w", m.Type, app.ErrPermanent)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}

// classify maps whatsmeow's send errors onto the port's: not connected is
// retried once the session is back, a refusal by the server for the
// request itself is permanent, anything else transient.
func classify(err error) error {
	var iq *whatsmeow.IQError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return fmt.Errorf("%w: %v", app.ErrNotConnected, err)
	case errors.As(err, &iq) && iq.Code >= 400 && iq.Code < 500 && iq.Code != 408 && iq.Code != 429:
		return fmt.Errorf("%w: %v", app.ErrPermanent, err)
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		return fmt.Errorf("%w: %v", app.ErrPermanent, err)
	}
	return err
}
