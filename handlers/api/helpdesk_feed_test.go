package api

import (
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/events"
)

func TestHelpdeskEventIsWhatAnAttendantsFeedCarries(t *testing.T) {
	attendant := app.Principal{AttendantID: "0193a3c0-0000-7000-8000-000000000001"}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	event := func(typ string, data any) *events.Envelope {
		e, err := events.New("0193a3c0-0000-7000-8000-000000000002", typ, "0193a3c0-0000-7000-8000-000000000003", at, data)
		if err != nil {
			t.Fatal(err)
		}
		return &e
	}
	tests := []struct {
		name string
		e    *events.Envelope
		want bool
	}{
		{"attendance.opened", event(events.AttendanceOpened, events.AttendanceOpenedData{AttendanceID: "a"}), true},
		{"attendance.message", event(events.AttendanceMsg, events.AttendanceMessage{AttendanceID: "a"}), true},
		{"feedback.received", event(events.FeedbackReceived, events.FeedbackGiven{AttendanceID: "a"}), true},
		{"status of an attendance's message", event(events.MessageStatus, events.MessageStatusChanged{MessageID: "m", Status: "read", AttendanceID: "a"}), true},
		{"status of a message of no attendance", event(events.MessageStatus, events.MessageStatusChanged{MessageID: "m", Status: "read"}), false},
		{"reaction on an attendance's message", event(events.MessageReaction, events.MessageReacted{MessageID: "m", Emoji: "👍", AttendanceID: "a"}), true},
		{"reaction on a message of no attendance", event(events.MessageReaction, events.MessageReacted{MessageID: "m", Emoji: "👍"}), false},
		{"edit of an attendance's message", event(events.MessageEdited, events.MessageEditedData{MessageID: "m", AttendanceID: "a"}), true},
		{"edit of a message of no attendance", event(events.MessageEdited, events.MessageEditedData{MessageID: "m"}), false},
		{"revoke of an attendance's message", event(events.MessageRevoked, events.MessageRevokedData{MessageID: "m", AttendanceID: "a"}), true},
		{"revoke of a message of no attendance", event(events.MessageRevoked, events.MessageRevokedData{MessageID: "m"}), false},
		{"vote on an attendance's poll", event(events.PollVote, events.PollVoted{MessageID: "m", AttendanceID: "a"}), true},
		{"vote on a poll of no attendance", event(events.PollVote, events.PollVoted{MessageID: "m"}), false},
		{"message.received", event(events.MessageReceived, events.Message{ID: "m", AttendanceID: "a"}), false},
		{"instance.status", event(events.InstanceStatus, events.InstanceStatusChanged{Status: "connected"}), false},
	}
	for _, tt := range tests {
		if got := helpdeskEvent(attendant, tt.e); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
