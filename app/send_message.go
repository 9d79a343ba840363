package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// SendMessage is a client's request to send one message.
type SendMessage struct {
	InstanceID     string
	To             string
	Type           string
	Text           string
	Caption        string
	Media          *MediaUpload
	SendAt         *time.Time
	IdempotencyKey string
	AttendanceID   string // a reply filed in this attendance
	// RepliedBy is the attendant who wrote the reply: an unassigned
	// attendance becomes theirs.
	RepliedBy  string
	Mentions   []string // addresses of people
	MentionAll bool     // mention every member of the group `to`
	// What a location, contact or poll message carries.
	Location *domain.LocationDraft
	Contacts []domain.ContactCard
	Poll     *domain.PollDraft
	PTT      bool   // audio as a voice note (converted when not Ogg/Opus)
	ReplyTo  string // the id of a message of the instance to quote
	// MessageID and Emoji make a reaction: the message reacted to (its
	// chat is `to`) and the emoji, "" to remove ours.
	MessageID string
	Emoji     string
}

// MediaUpload is decoded media as the client sent it, or the URL zapgate
// fetches it from (fetch_media.go).
type MediaUpload struct {
	Data     []byte
	URL      string
	Mime     string // declared, may be empty
	Filename string
}

// MediaKey is the content-addressed storage key of a file.
func MediaKey(sha256hex string) string { return "media/" + sha256hex[:2] + "/" + sha256hex }

// SendMessage validates and stores a message and, in the same transaction,
// queues its cmd.send_message. It reports created=false when the
// idempotency key matched an earlier message for the same request, which it
// returns instead; the key reused for a different request is refused.
//
// With a Committer, a send that files no attendance reply is written in a
// batch with others (accept_messages.go); the instance's existence is then
// checked by the write itself, saving a read per message.
func (a *App) SendMessage(ctx context.Context, cmd SendMessage) (*domain.Message, bool, error) {
	batched := a.committer != nil && cmd.AttendanceID == ""
	switch {
	case !batched:
		if _, err := a.GetInstance(ctx, cmd.InstanceID); err != nil {
			return nil, false, err
		}
	case !domain.ValidID(cmd.InstanceID):
		return nil, false, domain.NotFound("instance")
	}
	// Checked before the key is looked up: Postgres refuses NUL in a query too.
	if err := domain.CheckText("Idempotency-Key", cmd.IdempotencyKey); err != nil {
		return nil, false, err
	}
	now := a.now()
	draft := domain.OutgoingDraft{
		InstanceID: cmd.InstanceID, To: cmd.To, Type: cmd.Type, Text: cmd.Text, Caption: cmd.Caption,
		SendAt: cmd.SendAt, IdempotencyKey: cmd.IdempotencyKey, Mentions: cmd.Mentions, MentionAll: cmd.MentionAll,
		Location: cmd.Location, Contacts: cmd.Contacts, Poll: cmd.Poll, PTT: cmd.PTT,
		ReplyTo: cmd.ReplyTo, TargetID: cmd.MessageID, Emoji: cmd.Emoji,
	}
	if cmd.IdempotencyKey != "" {
		// Only keyed requests pay for the fingerprint (a hash of the media).
		draft.RequestFingerprint = requestFingerprint(draft, cmd.Media)
		m, err := a.store.MessageByIdempotencyKey(ctx, cmd.InstanceID, cmd.IdempotencyKey)
		if err == nil {
			return repeated(m, draft.RequestFingerprint)
		}
		if !domain.IsNotFound(err) {
			return nil, false, err
		}
	}
	if err := a.resolveQuotes(ctx, &draft); err != nil {
		return nil, false, err
	}
	if cmd.Media != nil {
		media, err := a.storeMedia(ctx, cmd.Type, cmd.Media, cmd.PTT)
		if err != nil {
			return nil, false, err
		}
		draft.Media = media
	}
	m, err := domain.NewOutgoing(draft, now)
	if err != nil {
		return nil, false, err
	}
	if cmd.MentionAll {
		if err := a.mentionAll(ctx, m); err != nil {
			return nil, false, err
		}
	}
	if batched {
		return a.acceptBatched(ctx, m, draft.RequestFingerprint, now)
	}
	if err := a.knowRecipient(ctx, m); err != nil {
		return nil, false, err
	}
	if cmd.AttendanceID != "" {
		if err := m.FileInto(cmd.AttendanceID); err != nil {
			return nil, false, err
		}
	}
	created := false
	err = a.store.InTx(ctx, func(tx Tx) error {
		ok, err := tx.InsertMessage(ctx, m)
		if err != nil || !ok {
			return err
		}
		created = true
		var envs []events.Envelope
		if m.AttendanceID != "" {
			if envs, err = a.fileReply(ctx, tx, m, cmd.RepliedBy, now); err != nil {
				return err
			}
		}
		if m.Status == domain.StatusQueued { // else the scheduler queues it at send_at
			envs = append(envs, sendCommand(m, now))
		}
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return nil, false, fmt.Errorf("send message: %w", err)
	}
	if !created {
		return a.keyTaken(ctx, m, draft.RequestFingerprint)
	}
	return m, true, nil
}

// acceptBatched stores m and queues its command in the committer's next
// batch; the committer fills the recipient from the contacts.
func (a *App) acceptBatched(ctx context.Context, m *domain.Message, fingerprint string, now time.Time) (*domain.Message, bool, error) {
	var envs []events.Envelope
	if m.Status == domain.StatusQueued { // else the scheduler queues it at send_at
		envs = append(envs, sendCommand(m, now))
	}
	inserted, err := a.committer.accept(ctx, Accepted{Message: m, Envelopes: envs})
	if err != nil {
		return nil, false, fmt.Errorf("send message: %w", err)
	}
	if !inserted {
		return a.keyTaken(ctx, m, fingerprint)
	}
	return m, true, nil
}

// keyTaken answers a send whose insert found its idempotency key taken (a
// race lost, or an earlier send of the same batch): with the winner.
func (a *App) keyTaken(ctx context.Context, m *domain.Message, fingerprint string) (*domain.Message, bool, error) {
	first, err := a.store.MessageByIdempotencyKey(ctx, m.InstanceID, m.IdempotencyKey)
	if err != nil {
		return nil, false, err
	}
	return repeated(first, fingerprint)
}

// mentionAll mentions every member of the group m goes to, as the bot last
// recorded them; a group the instance is not known to be in is not found.
func (a *App) mentionAll(ctx context.Context, m *domain.Message) error {
	if a.members == nil {
		return domain.NotFound("group")
	}
	jids, err := a.members.GroupMemberJIDs(ctx, m.InstanceID, m.Chat)
	if err != nil {
		return err
	}
	// Everyone but ourselves: WhatsApp does not notify the sender of their
	// own mention, and the list would show the instance as mentioned.
	in, err := a.store.Instance(ctx, m.InstanceID)
	if err != nil {
		return err
	}
	if self, ok := domain.ParseAddress(in.Phone); ok && in.Phone != "" {
		jids = slices.DeleteFunc(jids, func(j string) bool { return j == self.JID() })
	}
	return m.MentionMembers(jids)
}

// knowRecipient fills the recipient's phone and LID from the instance's
// contacts (API.md "Addresses"): to a LID whose phone a check or a message
// revealed, `to` shows the phone and to_lid the LID.
func (a *App) knowRecipient(ctx context.Context, m *domain.Message) error {
	if a.contacts == nil || m.IsGroup {
		return nil
	}
	addr, ok := domain.ParseAddress(m.Chat)
	if !ok {
		return nil
	}
	c, err := a.contacts.Contact(ctx, m.InstanceID, addr)
	if domain.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the recipient's contact: %w", err)
	}
	m.KnowRecipient(*c)
	return nil
}

// requestFingerprint is the draft's fingerprint with the media as the client
// sent it: its content hash, declared mime and file name.
func requestFingerprint(d domain.OutgoingDraft, up *MediaUpload) string {
	if up != nil && up.URL != "" {
		// Media by URL is the same request when it names the same URL.
		d.Media = &domain.Media{SHA256: "url:" + up.URL, Mime: up.Mime, Filename: up.Filename}
	} else if up != nil {
		sum := sha256.Sum256(up.Data)
		d.Media = &domain.Media{SHA256: hex.EncodeToString(sum[:]), Mime: up.Mime, Filename: up.Filename}
	}
	return d.Fingerprint()
}

// repeated answers a request whose Idempotency-Key was used before: with the
// first message when it is the same request, else idempotency_key_reused.
// Messages stored before fingerprints were kept match any request.
func repeated(first *domain.Message, fingerprint string) (*domain.Message, bool, error) {
	if first.RequestFingerprint != "" && first.RequestFingerprint != fingerprint {
		return nil, false, domain.ErrIdempotencyKeyReused
	}
	return first, false, nil
}

// storeMedia checks the media against the message type and stores it under
// its content hash before any row points at it.
func (a *App) storeMedia(ctx context.Context, typ string, up *MediaUpload, ptt bool) (*domain.Media, error) {
	t, ok := domain.ParseMessageType(typ)
	if !ok || !t.IsMedia() {
		return nil, domain.InvalidField("media", "is only for image, audio, video, document and sticker messages")
	}
	if up.URL != "" {
		if err := a.fetchMedia(ctx, up); err != nil {
			return nil, err
		}
	}
	if len(up.Data) > domain.MaxMediaBytes {
		return nil, domain.ErrMediaTooLarge
	}
	if len(up.Data) == 0 {
		return nil, domain.InvalidField("media.data", "is required")
	}
	if len(up.Filename) > domain.MaxFilenameLen {
		return nil, domain.InvalidField("media.filename", "must be at most 255 bytes")
	}
	// Checked before the file is stored; NewOutgoing checks the rest.
	if err := domain.CheckText("media.filename", up.Filename); err != nil {
		return nil, err
	}
	mime, err := domain.ResolveMime(t, up.Mime, up.Data)
	if err != nil {
		return nil, err
	}
	if ptt && t == domain.TypeAudio {
		if up.Data, err = a.voiceNote(ctx, up.Data); err != nil {
			return nil, err
		}
		mime = "audio/ogg"
	}
	return a.putMedia(ctx, up.Data, mime, up.Filename)
}

// putMedia stores a file under its content hash, so the same file sent or
// received twice is kept once, and returns what a message records of it.
func (a *App) putMedia(ctx context.Context, data []byte, mime, filename string) (*domain.Media, error) {
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	key := MediaKey(hexSum)
	if err := a.storage.Put(ctx, key, data, mime); err != nil {
		return nil, fmt.Errorf("store media: %w", err)
	}
	return &domain.Media{Key: key, Mime: mime, Filename: filename, Size: int64(len(data)), SHA256: hexSum}, nil
}

func sendCommand(m *domain.Message, now time.Time) events.Envelope {
	return newEvent(events.CmdSendMessage, m.InstanceID, now, events.SendMessage{MessageID: m.ID})
}
