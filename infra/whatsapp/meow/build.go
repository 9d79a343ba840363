// Package meow is the real WhatsApp driver, on go.mau.fi/whatsmeow:
// sessions stored in the project's Postgres, linking by QR or pairing code,
// sending every message type, events handed to the translator.
package meow

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// MediaTypeFor is the upload class of a message type; anything else travels
// as a document.
func MediaTypeFor(t domain.MessageType) whatsmeow.MediaType {
	switch t {
	case domain.TypeImage, domain.TypeSticker: // WhatsApp uploads stickers as images
		return whatsmeow.MediaImage
	case domain.TypeAudio:
		return whatsmeow.MediaAudio
	case domain.TypeVideo:
		return whatsmeow.MediaVideo
	}
	return whatsmeow.MediaDocument
}

// ParseRecipient turns an address (a phone number, or a phone, LID or group
// JID) into the JID to send to. A bad address wraps app.ErrPermanent.
func ParseRecipient(to string) (types.JID, error) {
	a, ok := domain.ParseAddress(to)
	if !ok {
		return types.JID{}, fmt.Errorf("recipient %q %s: %w", to, domain.AddressRule, app.ErrPermanent)
	}
	return JIDOf(a), nil
}

// JIDOf is the whatsmeow JID of a parsed address.
func JIDOf(a domain.Address) types.JID {
	server := types.DefaultUserServer
	switch {
	case a.IsLID():
		server = types.HiddenUserServer
	case a.IsGroup():
		server = types.GroupServer
	}
	return types.NewJID(a.User(), server)
}

// BuildMessage is the waE2E message for m; media types need the upload.
func BuildMessage(m app.OutboundMessage, up *whatsmeow.UploadResponse) (*waE2E.Message, error) {
	if m.Type == domain.TypeReaction {
		return BuildReaction(m, time.Now())
	}
	ci := withQuote(mentionContext(m.Mentions), m.ReplyTo)
	if m.Type == domain.TypeText {
		if ci != nil {
			// Mentions ride in a context, which a plain conversation has not.
			return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(m.Text), ContextInfo: ci}}, nil
		}
		return &waE2E.Message{Conversation: proto.String(m.Text)}, nil
	}
	if _, ok := domain.ParseMessageType(string(m.Type)); !ok {
		return nil, fmt.Errorf("cannot send a %q message: %w", m.Type, app.ErrPermanent)
	}
	if !m.Type.IsMedia() {
		return buildKind(m, ci)
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
			FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength), ContextInfo: ci,
		}}, nil
	case domain.TypeAudio:
		return &waE2E.Message{AudioMessage: audioMessage(m, up, ci)}, nil
	case domain.TypeSticker:
		return &waE2E.Message{StickerMessage: &waE2E.StickerMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256,
			FileLength: proto.Uint64(up.FileLength), ContextInfo: ci,
		}}, nil
	case domain.TypeVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), Caption: caption, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength), ContextInfo: ci,
		}}, nil
	default: // domain.TypeDocument
		name := m.Filename
		if name == "" {
			// WhatsApp shows the name; an empty one looks broken.
			name = "document"
		}
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			Mimetype: proto.String(m.Mime), Caption: caption, FileName: proto.String(name), Title: proto.String(name),
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
			ContextInfo: ci,
		}}, nil
	}
}

// mentionContext is the context that mentions people (JIDs, as WhatsApp
// writes them); nil when nobody is mentioned.
func mentionContext(jids []string) *waE2E.ContextInfo {
	if len(jids) == 0 {
		return nil
	}
	return &waE2E.ContextInfo{MentionedJID: jids}
}

// audioMessage is an audio file, or with m.PTT a voice note: WhatsApp plays
// those only as Opus in Ogg, and shows their length from Seconds.
func audioMessage(m app.OutboundMessage, up *whatsmeow.UploadResponse, ci *waE2E.ContextInfo) *waE2E.AudioMessage {
	a := &waE2E.AudioMessage{
		URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
		Mimetype: proto.String(m.Mime), FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256,
		FileLength: proto.Uint64(up.FileLength), PTT: proto.Bool(m.PTT && isVoiceNote(m.Mime)),
		ContextInfo: ci,
	}
	if a.GetPTT() {
		a.Mimetype = proto.String(domain.VoiceNoteMime)
		if d, ok := domain.OggOpusDuration(m.Media); ok {
			a.Seconds = proto.Uint32(uint32(math.Ceil(d.Seconds())))
		}
	}
	return a
}

// isVoiceNote tells whether an audio mime type is Ogg ("audio/ogg",
// "audio/ogg; codecs=opus"), the container of WhatsApp voice notes.
func isVoiceNote(mimeType string) bool {
	base, _, err := mime.ParseMediaType(mimeType)
	return err == nil && base == "audio/ogg"
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}
