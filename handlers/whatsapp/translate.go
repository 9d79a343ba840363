// Package whatsapp translates whatsmeow's events into app calls: link
// states, receipts, incoming messages, group changes and what WhatsApp
// tells of people. It holds no connection; the whatsmeow driver feeds it.
package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// Sink is the app side of the translation.
type Sink interface {
	SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error
	ApplyReceipt(ctx context.Context, instanceID, waMessageID string, status domain.MessageStatus, at time.Time) error
	ReceiveMessage(ctx context.Context, d domain.IncomingDraft, media *app.IncomingMedia) (*domain.Message, bool, error)
}

// Downloader fetches and decrypts a media attachment.
type Downloader interface {
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
}

// Translator handles one instance's events.
type Translator struct {
	InstanceID string
	Sink       Sink
	Download   Downloader
	// Phone returns the linked phone number, "" before pairing.
	Phone func() string
	// Alarm is called for bans and an outdated client, which need a person.
	Alarm func(kind string)
	Log   *slog.Logger

	// PhoneForLID looks a LID's phone up in whatsmeow's LID store, for a
	// sender WhatsApp names by LID alone; it returns the empty JID when the
	// store does not know. nil: no lookup.
	PhoneForLID func(ctx context.Context, lid types.JID) (types.JID, error)
	// Contacts records what contact and push-name events tell of people;
	// nil: those events are ignored.
	Contacts ContactSink
	// Groups receives group events; nil: they are ignored.
	Groups GroupSink
	// ConvertGroup reads a group as the driver does (meow.ConvertGroup),
	// so that a joined group and a listed one look the same; injected to
	// keep this package off infra.
	ConvertGroup func(types.GroupInfo) app.GroupInfo
	// Self is the instance's own phone and LID JIDs (either may be empty),
	// to tell "we left" from "someone left".
	Self func() (phone, lid types.JID)
	// DecryptPollVote reads a poll vote with the poll's secret from
	// whatsmeow's store (whatsmeow.Client.DecryptPollVote); Votes takes
	// the result. Either nil: votes are dropped.
	DecryptPollVote func(ctx context.Context, evt *events.Message) (*waE2E.PollVoteMessage, error)
	Votes           VoteSink
	// Changes receives reactions, edits and revokes, which change the
	// message they point at; nil: they are dropped.
	Changes ChangeSink
	// Health receives WhatsApp's warnings (bans, reach-out time locks) as
	// pauses (health.go); nil: they are only logged.
	Health HealthSink
}

// Handle applies one event; unknown events are ignored.
func (t *Translator) Handle(ctx context.Context, evt any) error {
	id := t.InstanceID
	switch e := evt.(type) {
	case *events.PairSuccess:
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceConnected, e.ID.User, "")
	case *events.Connected:
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceConnected, t.phone(), "")
	case *events.Disconnected:
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceDisconnected, t.phone(), "connection closed by WhatsApp; reconnecting")
	case *events.StreamReplaced:
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceDisconnected, t.phone(), "another session took over this device (stream replaced)")
	case *events.LoggedOut:
		reason := "logged out from the phone"
		if e.OnConnect {
			reason = fmt.Sprintf("logged out: %s", e.Reason)
		}
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceLoggedOut, "", reason)
	case *events.TemporaryBan:
		t.alarm("temporary_ban")
		if err := t.health(ctx, e); err != nil {
			return err
		}
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceDisconnected, t.phone(), e.String())
	case *events.NotifyAccountReachoutTimelock:
		return t.health(ctx, e)
	case *events.ClientOutdated:
		t.alarm("client_outdated")
		return t.Sink.SetInstanceStatus(ctx, id, domain.InstanceDisconnected, t.phone(), "WhatsApp says this client is outdated: update zapgate")
	case *events.Receipt:
		return t.receipt(ctx, e)
	case *events.Message:
		return t.message(ctx, e)
	case *events.JoinedGroup:
		return t.joinedGroup(ctx, e)
	case *events.GroupInfo:
		return t.groupChanged(ctx, e)
	case *events.Contact:
		return t.contact(ctx, e)
	case *events.PushName:
		return t.pushName(ctx, e)
	}
	return nil
}

func (t *Translator) phone() string {
	if t.Phone == nil {
		return ""
	}
	return t.Phone()
}

func (t *Translator) alarm(kind string) {
	if t.Alarm != nil {
		t.Alarm(kind)
	}
}

// ReceiptStatus maps a receipt type to a message status; ok is false for
// receipts that do not move an outgoing message (our own reads, retries).
func ReceiptStatus(rt types.ReceiptType) (domain.MessageStatus, bool) {
	switch rt {
	case types.ReceiptTypeDelivered:
		return domain.StatusDelivered, true
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		return domain.StatusRead, true
	}
	return "", false
}

func (t *Translator) receipt(ctx context.Context, e *events.Receipt) error {
	status, ok := ReceiptStatus(e.Type)
	if !ok {
		return nil
	}
	for _, mid := range e.MessageIDs {
		err := t.Sink.ApplyReceipt(ctx, t.InstanceID, mid, status, e.Timestamp.UTC())
		if err != nil && !domain.IsNotFound(err) { // receipts for messages sent elsewhere
			return err
		}
	}
	return nil
}

func (t *Translator) message(ctx context.Context, e *events.Message) error {
	info := e.Info
	info.MessageSource = t.withSenderPhone(ctx, info.MessageSource)
	if e.Message.GetPollUpdateMessage() != nil {
		// A vote changes its poll; it never becomes a message.
		return t.pollVote(ctx, e, info)
	}
	if ch, ok := ConvertChange(t.InstanceID, info, e.Message); ok {
		return t.change(ctx, ch)
	}
	d, media := ConvertMessage(t.InstanceID, info, e.Message)
	var in *app.IncomingMedia
	if media != nil && t.Download != nil {
		data, err := t.Download.Download(ctx, media.Downloadable)
		if err != nil {
			// The message still counts; its file is noted as missing.
			t.Log.Warn("download incoming media", "instance", t.InstanceID, "wa_message_id", d.WAMessageID, "err", err)
		} else {
			in = &app.IncomingMedia{Data: data, Mime: media.Mime, Filename: media.Filename}
		}
	}
	_, _, err := t.Sink.ReceiveMessage(ctx, d, in)
	return err
}

// withSenderPhone fills the phone of a sender WhatsApp named by LID alone
// from whatsmeow's LID store, so the message joins the person's phone and
// LID as one with the alternative address had it come with the message.
func (t *Translator) withSenderPhone(ctx context.Context, src types.MessageSource) types.MessageSource {
	if t.PhoneForLID == nil || src.Sender.Server != types.HiddenUserServer || !src.SenderAlt.IsEmpty() {
		return src
	}
	pn, err := t.PhoneForLID(ctx, src.Sender.ToNonAD())
	if err != nil {
		// The message counts without it; the next one may bring the phone.
		t.Log.Warn("look up the phone of a LID", "instance", t.InstanceID, "lid", src.Sender.ToNonAD().String(), "err", err)
		return src
	}
	if pn.Server == types.DefaultUserServer {
		src.SenderAlt = pn.ToNonAD()
	}
	return src
}

// Media is an attachment to download.
type Media struct {
	Downloadable whatsmeow.DownloadableMessage
	Mime         string
	Filename     string
}

// Extra carries what a message has beyond its typed fields. (Messages
// received before locations and contact cards were typed kept them here
// too; domain.Message.LiftLegacyExtra reads them.)
type Extra struct {
	LID       string `json:"lid,omitempty"`
	VoiceNote bool   `json:"voice_note,omitempty"`
	Kind      string `json:"kind,omitempty"` // the WhatsApp kind of an unsupported message
}

// ConvertMessage turns a WhatsApp message into a received message and, for
// a file, what to download. No network.
func ConvertMessage(instanceID string, info types.MessageInfo, msg *waE2E.Message) (domain.IncomingDraft, *Media) {
	d := domain.IncomingDraft{
		InstanceID: instanceID, WAMessageID: info.ID, PushName: info.PushName,
		IsGroup: info.IsGroup, FromMe: info.IsFromMe, At: info.Timestamp,
	}
	var extra Extra
	d.From, extra.LID = sender(info.MessageSource)
	if extra.LID != "" {
		d.FromLID = types.NewJID(extra.LID, types.HiddenUserServer).String()
	}
	// The chat is the group or the person; devices are not chats.
	d.Chat = info.Chat.ToNonAD().String()
	if info.IsGroup {
		d.Participant = info.Sender.ToNonAD().String()
	}
	d.ToLID = recipientLID(info.MessageSource)
	var media *Media
	switch {
	case msg.GetConversation() != "":
		d.Type, d.Text = domain.TypeText, msg.GetConversation()
	case msg.GetExtendedTextMessage() != nil:
		d.Type, d.Text = domain.TypeText, msg.GetExtendedTextMessage().GetText()
	case msg.GetImageMessage() != nil:
		m := msg.GetImageMessage()
		d.Type, d.Caption = domain.TypeImage, m.GetCaption()
		media = &Media{Downloadable: m, Mime: m.GetMimetype()}
	case msg.GetAudioMessage() != nil:
		m := msg.GetAudioMessage()
		d.Type, extra.VoiceNote, d.PTT = domain.TypeAudio, m.GetPTT(), m.GetPTT()
		media = &Media{Downloadable: m, Mime: m.GetMimetype()}
	case msg.GetVideoMessage() != nil:
		m := msg.GetVideoMessage()
		d.Type, d.Caption = domain.TypeVideo, m.GetCaption()
		media = &Media{Downloadable: m, Mime: m.GetMimetype()}
	case msg.GetDocumentMessage() != nil:
		m := msg.GetDocumentMessage()
		d.Type, d.Caption = domain.TypeDocument, m.GetCaption()
		media = &Media{Downloadable: m, Mime: m.GetMimetype(), Filename: m.GetFileName()}
	case msg.GetStickerMessage() != nil:
		m := msg.GetStickerMessage()
		d.Type = domain.TypeSticker
		media = &Media{Downloadable: m, Mime: m.GetMimetype()}
	case convertKind(msg, &d):
		// A location, contact card or poll: convertKind filled it in.
	default:
		d.Type, extra.Kind = domain.TypeUnsupported, kindOf(msg)
	}
	if extra.LID != "" || extra.VoiceNote || extra.Kind != "" {
		d.Extra = extra
	}
	d.Mentions = mentioned(msg)
	d.QuotedWAID = quotedID(msg)
	return d, media
}

// mentioned are the JIDs of the people a message mentions, from its
// context (an extended text's, or a media message's for its caption).
func mentioned(msg *waE2E.Message) []string {
	ci := contextInfo(msg)
	var out []string
	for _, s := range ci.GetMentionedJID() {
		if j, err := types.ParseJID(s); err == nil {
			out = append(out, j.ToNonAD().String())
		}
	}
	return out
}

// sender is the phone number of the sender when WhatsApp gives one, else
// the sender's id; for LID-addressed senders the LID comes back too.
func sender(src types.MessageSource) (from, lid string) {
	// A device (":7") sends, a person writes: the address is the person.
	s := src.Sender.ToNonAD()
	switch s.Server {
	case types.DefaultUserServer:
		if src.SenderAlt.Server == types.HiddenUserServer {
			lid = src.SenderAlt.User
		}
		return s.User, lid
	case types.HiddenUserServer:
		lid = s.User
		if src.SenderAlt.Server == types.DefaultUserServer {
			return src.SenderAlt.User, lid
		}
		return s.String(), lid
	}
	return s.String(), ""
}

// recipientLID is the LID of the person a message from the linked phone
// went to: the chat itself, or its alternative address; "" otherwise.
func recipientLID(src types.MessageSource) string {
	if !src.IsFromMe || src.IsGroup {
		return ""
	}
	for _, j := range []types.JID{src.Chat, src.RecipientAlt} {
		if j.Server == types.HiddenUserServer {
			return j.ToNonAD().String()
		}
	}
	return ""
}

// kindOf names the first field set in an unsupported message.
func kindOf(msg *waE2E.Message) string {
	kind := "empty"
	if msg == nil {
		return kind
	}
	msg.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		kind = string(fd.Name())
		return false
	})
	return kind
}
