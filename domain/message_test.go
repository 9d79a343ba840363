package domain

import (
	"errors"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestNewOutgoing(t *testing.T) {
	media := &Media{Key: "media/ab/abc", Mime: "image/png", Size: 10, SHA256: "abc"}
	future := now.Add(time.Hour)
	past := now.Add(-time.Hour)
	tooFar := now.Add(MaxScheduleAhead + time.Hour)
	tests := []struct {
		name       string
		draft      OutgoingDraft
		wantFields []string
		wantStatus MessageStatus
	}{
		{"text", OutgoingDraft{To: "+5511999998888", Type: "text", Text: "hi"}, nil, StatusQueued},
		{"image with caption", OutgoingDraft{To: "5511999998888", Type: "image", Caption: "menu", Media: media}, nil, StatusQueued},
		{"scheduled", OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi", SendAt: &future}, nil, StatusScheduled},
		{"send_at in the past sends now", OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi", SendAt: &past}, nil, StatusQueued},
		{"too far ahead", OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi", SendAt: &tooFar}, []string{"send_at"}, ""},
		{"bad phone", OutgoingDraft{To: "12ab", Type: "text", Text: "hi"}, []string{"to"}, ""},
		{"unknown type", OutgoingDraft{To: "5511999998888", Type: "sticker", Text: "hi"}, []string{"type"}, ""},
		{"empty text", OutgoingDraft{To: "5511999998888", Type: "text", Text: "  "}, []string{"text"}, ""},
		{"media without file", OutgoingDraft{To: "5511999998888", Type: "video"}, []string{"media"}, ""},
		{"text with media", OutgoingDraft{To: "5511999998888", Type: "text", Text: "x", Media: media}, []string{"media"}, ""},
		{"caption on text", OutgoingDraft{To: "5511999998888", Type: "text", Text: "x", Caption: "y"}, []string{"caption"}, ""},
		{"caption on audio", OutgoingDraft{To: "5511999998888", Type: "audio", Caption: "y", Media: media}, []string{"caption"}, ""},
		{"invalid utf8", OutgoingDraft{To: "5511999998888", Type: "text", Text: "\xff"}, []string{"text"}, ""},
		{"everything wrong", OutgoingDraft{To: "", Type: ""}, []string{"to", "type"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewOutgoing(tt.draft, now)
			if len(tt.wantFields) > 0 {
				var de *Error
				if !errors.As(err, &de) || de.Kind != KindInvalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				for _, f := range tt.wantFields {
					if de.Fields[f] == "" {
						t.Errorf("no reason for field %q in %v", f, de.Fields)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != tt.wantStatus || m.Direction != DirectionOut || !ValidID(m.ID) || m.WAMessageID == "" {
				t.Errorf("unexpected message %+v", m)
			}
			if m.To[0] == '+' {
				t.Errorf("phone not normalised: %q", m.To)
			}
		})
	}
}

func TestStatusTransitions(t *testing.T) {
	at := now.Add(time.Second)
	tests := []struct {
		name  string
		steps func(m *Message) []bool
		want  MessageStatus
		check func(t *testing.T, m *Message)
	}{
		{"sent then delivered then read", func(m *Message) []bool {
			return []bool{m.MarkSent(at), m.ApplyReceipt(StatusDelivered, at), m.ApplyReceipt(StatusRead, at)}
		}, StatusRead, nil},
		{"late delivered after read keeps read", func(m *Message) []bool {
			return []bool{m.MarkSent(at), m.ApplyReceipt(StatusRead, at), !m.ApplyReceipt(StatusDelivered, at.Add(time.Second))}
		}, StatusRead, func(t *testing.T, m *Message) {
			if m.DeliveredAt == nil || !m.DeliveredAt.Equal(at) {
				t.Errorf("delivered_at = %v, want filled by the read receipt", m.DeliveredAt)
			}
		}},
		{"sent twice is one send", func(m *Message) []bool { return []bool{m.MarkSent(at), !m.MarkSent(at)} }, StatusSent, nil},
		{"failed cannot be sent", func(m *Message) []bool { return []bool{m.MarkFailed("banned"), !m.MarkSent(at)} }, StatusFailed, nil},
		{"sent cannot fail", func(m *Message) []bool { return []bool{m.MarkSent(at), !m.MarkFailed("x")} }, StatusSent, nil},
		{"queued cannot be canceled", func(m *Message) []bool { return []bool{m.Cancel() != nil} }, StatusQueued, nil},
		{"receipt for a failed message is ignored", func(m *Message) []bool {
			return []bool{m.MarkFailed("x"), !m.ApplyReceipt(StatusRead, at)}
		}, StatusFailed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi"}, now)
			if err != nil {
				t.Fatal(err)
			}
			for i, ok := range tt.steps(m) {
				if !ok {
					t.Errorf("step %d did not behave", i)
				}
			}
			if m.Status != tt.want {
				t.Errorf("status = %s, want %s", m.Status, tt.want)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestScheduledCancelAndQueue(t *testing.T) {
	future := now.Add(time.Hour)
	m, _ := NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi", SendAt: &future}, now)
	if err := m.Cancel(); err != nil || m.Status != StatusCanceled {
		t.Fatalf("cancel: %v %s", err, m.Status)
	}
	if m.Queue() {
		t.Fatal("a canceled message was queued")
	}
	var de *Error
	if err := m.Cancel(); !errors.As(err, &de) || de.Code != "not_cancelable" {
		t.Fatalf("second cancel = %v", err)
	}
}

func TestMessageFileInto(t *testing.T) {
	tests := []struct {
		name, filed, into, want string
		wantErr                 bool
	}{
		{"not filed yet", "", "a1", "a1", false},
		{"filed again in the same", "a1", "a1", "a1", false},
		{"moved to another", "a1", "a2", "a1", true},
		{"no attendance", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Message{AttendanceID: tt.filed}
			err := m.FileInto(tt.into)
			if (err != nil) != tt.wantErr || m.AttendanceID != tt.want {
				t.Fatalf("attendance %q err %v", m.AttendanceID, err)
			}
		})
	}
}
