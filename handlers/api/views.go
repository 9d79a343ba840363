package api

import (
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// The JSON shapes of API.md; converters keep domain types off the wire.

type instanceView struct {
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	Status            string     `json:"status"`
	StatusReason      string     `json:"status_reason,omitempty"`
	Phone             string     `json:"phone"`
	SendRatePerMinute *int       `json:"send_rate_per_minute"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	Token             string     `json:"token,omitempty"`
	QRExpiresAt       *time.Time `json:"qr_expires_at,omitempty"`
	// Helpdesk texts: the closing message in effect (the default until one
	// is set) and whether the unanswered are asked for feedback.
	ClosingMessage         string `json:"closing_message"`
	FeedbackWhenUnanswered bool   `json:"feedback_when_unanswered"`
	instanceHoursView
	// AttendGroups: group messages open attendances whose client is the group.
	AttendGroups bool `json:"attend_groups"`
	// Health: how WhatsApp treats the number (instance_health.go).
	Health healthView `json:"health"`
	// Sending safely: the settings, and (one instance only) the figures
	// of the last 24 h and how many messages wait held.
	NewContactsPerDay int        `json:"new_contacts_per_day"`
	WarmupDays        int        `json:"warmup_days"`
	LinkedAt          *time.Time `json:"linked_at,omitempty"`
	Sent24h           *int       `json:"sent_24h,omitempty"`
	NewContacts24h    *int       `json:"new_contacts_24h,omitempty"`
	HeldMessages      *int       `json:"held_messages,omitempty"`
}

func toInstanceView(in *domain.Instance) instanceView {
	v := instanceView{
		ID: in.ID, Name: in.Name, Status: string(in.Status), StatusReason: in.StatusReason, Phone: in.Phone,
		SendRatePerMinute: in.SendRatePerMinute, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
		QRExpiresAt: in.QRExpiresAt, ClosingMessage: in.ClosingMessage, FeedbackWhenUnanswered: in.FeedbackWhenUnanswered,
		AttendGroups: in.AttendGroups, Health: toHealthView(in.Health), NewContactsPerDay: in.NewContactsPerDay, WarmupDays: in.WarmupDays, LinkedAt: in.LinkedAt,
	}
	if v.ClosingMessage == "" {
		v.ClosingMessage = domain.DefaultClosingMessage
	}
	v.instanceHoursView = toInstanceHoursView(in)
	return v
}

// toMessageView is the wire shape shared with events.
func toMessageView(m *domain.Message) events.Message { return app.MessageData(m) }

type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

func listOf[S, T any](items []S, next string, conv func(*S) T) list[T] {
	out := make([]T, 0, len(items))
	for i := range items {
		out = append(out, conv(&items[i]))
	}
	return list[T]{Items: out, Next: next}
}
