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
		{"unknown type", OutgoingDraft{To: "5511999998888", Type: "carrier_pigeon", Text: "hi"}, []string{"type"}, ""},
		{"empty text", OutgoingDraft{To: "5511999998888", Type: "text", Text: "  "}, []string{"text"}, ""},
		{"media without file", OutgoingDraft{To: "5511999998888", Type: "video"}, []string{"media"}, ""},
		{"text with media", OutgoingDraft{To: "5511999998888", Type: "text", Text: "x", Media: media}, []string{"media"}, ""},
		{"caption on text", OutgoingDraft{To: "5511999998888", Type: "text", Text: "x", Caption: "y"}, []string{"caption"}, ""},
		{"caption on audio", OutgoingDraft{To: "5511999998888", Type: "audio", Caption: "y", Media: media}, []string{"caption"}, ""},
		{"invalid utf8", OutgoingDraft{To: "5511999998888", Type: "text", Text: "\xff"}, []string{"text"}, ""},
		{"everything wrong", OutgoingDraft{To: "", Type: ""}, []string{"to", "type"}, ""},
		{"mentions in a group", OutgoingDraft{To: "120363025246125244@g.us", Type: "text", Text: "hi @5511999998888",
			Mentions: []string{"5511999998888", "77@lid"}}, nil, StatusQueued},
		{"mention a bad address", OutgoingDraft{To: "120363025246125244@g.us", Type: "text", Text: "hi", Mentions: []string{"x"}}, []string{"mentions"}, ""},
		{"mention a group", OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi", Mentions: []string{"1203@g.us"}}, []string{"mentions"}, ""},
		{"mention too many", OutgoingDraft{To: "1203@g.us", Type: "text", Text: "hi", Mentions: make([]string, MaxMentions+1)}, []string{"mentions"}, ""},
		{"mention_all in a group", OutgoingDraft{To: "1203@g.us", Type: "text", Text: "all", MentionAll: true}, nil, StatusQueued},
		{"mention_all to a person", OutgoingDraft{To: "5511999998888", Type: "text", Text: "all", MentionAll: true}, []string{"mention_all"}, ""},
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

func TestOutgoingMentions(t *testing.T) {
	tests := []struct {
		name  string
		draft OutgoingDraft
		want  []string
	}{
		{"none", OutgoingDraft{}, nil},
		{"phones and LIDs become JIDs, each once", OutgoingDraft{Mentions: []string{"+5511999998888", "5511999998888@s.whatsapp.net", "77@lid"}},
			[]string{"5511999998888@s.whatsapp.net", "77@lid"}},
		{"mention_all adds the members after the named ones", OutgoingDraft{Mentions: []string{"77@lid"}, MentionAll: true},
			[]string{"77@lid", "5511999998888@s.whatsapp.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.draft
			d.To, d.Type, d.Text = "1203@g.us", "text", "hi"
			m, err := NewOutgoing(d, now)
			if err != nil {
				t.Fatal(err)
			}
			if d.MentionAll {
				if err := m.MentionMembers([]string{"5511999998888@s.whatsapp.net", "77@lid", "not a jid", "1203@g.us"}); err != nil {
					t.Fatal(err)
				}
			}
			if len(m.Mentions) != len(tt.want) {
				t.Fatalf("mentions = %v, want %v", m.Mentions, tt.want)
			}
			for i := range tt.want {
				if m.Mentions[i] != tt.want[i] {
					t.Fatalf("mentions = %v, want %v", m.Mentions, tt.want)
				}
			}
		})
	}
}

func TestMentionsChangeTheFingerprint(t *testing.T) {
	base := OutgoingDraft{To: "1203@g.us", Type: "text", Text: "hi"}
	with := base
	with.Mentions = []string{"5511999998888"}
	same := base
	same.Mentions = []string{"5511999998888@s.whatsapp.net"}
	all := base
	all.MentionAll = true
	if base.Fingerprint() == with.Fingerprint() || base.Fingerprint() == all.Fingerprint() {
		t.Error("mentions do not change the fingerprint")
	}
	if with.Fingerprint() != same.Fingerprint() {
		t.Error("a phone and its JID fingerprint differently")
	}
}

func TestKnowRecipient(t *testing.T) {
	tests := []struct {
		name                 string
		to                   string
		contact              Contact
		wantTo, wantLID, via string
	}{
		{"LID whose phone is known", "77@lid", Contact{JID: "5511999998888@s.whatsapp.net", Phone: "5511999998888", LID: "77@lid"},
			"5511999998888", "77@lid", "77@lid"},
		{"phone whose LID is known", "5511999998888", Contact{JID: "5511999998888@s.whatsapp.net", Phone: "5511999998888", LID: "77@lid"},
			"5511999998888", "77@lid", "5511999998888"},
		{"LID only", "77@lid", Contact{LID: "77@lid"}, "77@lid", "77@lid", "77@lid"},
		{"group left alone", "1203@g.us", Contact{Phone: "5511999998888", LID: "77@lid"}, "1203@g.us", "", "1203@g.us"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewOutgoing(OutgoingDraft{To: tt.to, Type: "text", Text: "hi"}, now)
			if err != nil {
				t.Fatal(err)
			}
			m.KnowRecipient(tt.contact)
			if m.To != tt.wantTo || m.ToLID != tt.wantLID || m.SendTo() != tt.via {
				t.Errorf("to %q to_lid %q send to %q, want %q %q %q", m.To, m.ToLID, m.SendTo(), tt.wantTo, tt.wantLID, tt.via)
			}
		})
	}
}
