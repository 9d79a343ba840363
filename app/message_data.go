package app

import (
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// MessageData is the one converter from a message to its wire shape, used
// by the API, webhooks, the websocket and the event log alike.
func MessageData(m *domain.Message) events.Message {
	v := events.Message{
		ID: m.ID, InstanceID: m.InstanceID, Direction: string(m.Direction), Status: string(m.Status),
		To: m.To, From: m.From, PushName: m.PushName, Chat: m.Chat, IsGroup: m.IsGroup, FromMe: m.FromMe,
		FromLID: m.FromLID, ToLID: m.ToLID, Participant: m.Participant, Mentions: m.Mentions,
		PTT: m.PTT, Type: string(m.Type), Text: m.Text, Caption: m.Caption, Extra: m.Extra,
		WAMessageID: m.WAMessageID, AttendanceID: m.AttendanceID, Error: m.Error, CreatedAt: m.CreatedAt,
		SendAt: m.SendAt, SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, ReadAt: m.ReadAt,
	}
	kindData(&v, m)
	v.ReplyTo, v.EditedAt, v.RevokedAt = m.ReplyTo, m.EditedAt, m.RevokedAt
	v.Held = m.Held
	v.Reactions = make([]events.Reaction, 0, len(m.Reactions)) // always a list on the wire
	for _, r := range m.Reactions {
		v.Reactions = append(v.Reactions, events.Reaction{From: r.From, Emoji: r.Emoji, At: r.At})
	}
	if m.Type == domain.TypeReaction {
		emoji := m.Emoji
		v.TargetID, v.Emoji = m.TargetID, &emoji
	}
	if v.Mentions == nil {
		v.Mentions = []string{} // always a list on the wire
	}
	if m.Media != nil {
		v.Media = &events.Media{
			Mime: m.Media.Mime, Filename: m.Media.Filename, Size: m.Media.Size, SHA256: m.Media.SHA256,
			URL: "/v1/instances/" + m.InstanceID + "/messages/" + m.ID + "/media",
		}
	}
	return v
}
