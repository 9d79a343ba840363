package domain

import (
	"strings"
	"testing"
	"time"
)

func TestSetLabels(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string // joined by |, or "ERR"
	}{
		{"none", []string{}, ""},
		{"trimmed, first spelling kept", []string{" VIP ", "vip", "Billing"}, "VIP|Billing"},
		{"empty label", []string{"ok", "  "}, "ERR"},
		{"too long", []string{strings.Repeat("a", 33)}, "ERR"},
		{"32 runes fit", []string{strings.Repeat("é", 32)}, strings.Repeat("é", 32)},
		{"too many", strings.Split(strings.Repeat("x,", 20)+"y", ","), "ERR"},
		{"20 distinct fit", strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t", ","), "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t"},
		{"NUL", []string{"a\x00"}, "ERR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Attendance{Labels: []string{"old"}}
			err := a.SetLabels(tt.in)
			if tt.want == "ERR" {
				if KindOf(err) != KindInvalid || strings.Join(a.Labels, "|") != "old" {
					t.Fatalf("err %v, labels %v", err, a.Labels)
				}
				return
			}
			if err != nil || strings.Join(a.Labels, "|") != tt.want {
				t.Fatalf("labels %q, %v", a.Labels, err)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		att     Attendance
		wantErr string
	}{
		{"closed by hand", Attendance{Status: AttendanceClosed, ClosedReason: ClosedManual, ClosedBy: "x", ClosedAt: &now}, ""},
		{"closed idle", Attendance{Status: AttendanceClosed, ClosedReason: ClosedIdle, ClosedAt: &now}, ""},
		{"open", Attendance{Status: AttendanceOpen}, "attendance_open"},
		{"merged", Attendance{Status: AttendanceClosed, ClosedReason: ClosedMerged, ClosedAt: &now}, "attendance_merged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.att
			err := a.Reopen(now.Add(time.Hour))
			if tt.wantErr != "" {
				var de *Error
				if de, _ = err.(*Error); de == nil || de.Code != tt.wantErr {
					t.Fatalf("err %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || a.Status != AttendanceOpen || a.ClosedAt != nil || a.ClosedReason != "" || a.ClosedBy != "" ||
				!a.LastActivityAt.Equal(now.Add(time.Hour)) {
				t.Fatalf("%+v %v", a, err)
			}
		})
	}
}

func TestFirstReply(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := OpenAttendance("i", "c", now)
	_ = a.Touch(FromClient, now.Add(time.Second))
	if a.Answered() {
		t.Fatal("answered by the client")
	}
	_ = a.Touch(FromAttendant, now.Add(2*time.Second))
	_ = a.Touch(FromAttendant, now.Add(3*time.Second))
	if !a.Answered() || !a.FirstReplyAt.Equal(now.Add(2*time.Second)) {
		t.Fatalf("first reply %v", a.FirstReplyAt)
	}
}

func TestCannedReply(t *testing.T) {
	now := time.Now()
	tests := []struct {
		shortcut, text string
		bad            string
	}{
		{"hello", "Hi {{name}}", ""},
		{"/hello", "x", ""},
		{"a_b-9", "x", ""},
		{"Hello", "x", "shortcut"},
		{"", "x", "shortcut"},
		{strings.Repeat("a", 33), "x", "shortcut"},
		{"with space", "x", "shortcut"},
		{"ok", "  ", "text"},
		{"ok", "a\x00", "text"},
		{"ok", strings.Repeat("x", MaxCannedReplyLen+1), "text"},
	}
	for _, tt := range tests {
		r, err := NewCannedReply(tt.shortcut, tt.text, now)
		if tt.bad == "" {
			if err != nil || strings.HasPrefix(r.Shortcut, "/") {
				t.Fatalf("%q: %+v %v", tt.shortcut, r, err)
			}
			continue
		}
		if de, _ := err.(*Error); de == nil || de.Fields[tt.bad] == "" {
			t.Fatalf("%q %q: err %v, want %s", tt.shortcut, tt.text, err, tt.bad)
		}
	}
	r, _ := NewCannedReply("hi", "Hi {{name}}, {{attendant}} here. {{name}}!", now)
	if got := r.Fill("Ana", "Bia"); got != "Hi Ana, Bia here. Ana!" {
		t.Fatal(got)
	}
}

func TestClientProfile(t *testing.T) {
	many := map[string]string{}
	for i := range MaxAttributes + 1 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	tests := []struct {
		name string
		p    ClientProfile
		bad  string
	}{
		{"name and notes", ClientProfile{Name: ptrTo(" Ana "), Notes: ptrTo("likes mornings")}, ""},
		{"attributes", ClientProfile{Attributes: map[string]string{"plan": "gold", "city": ""}}, ""},
		{"too many attributes", ClientProfile{Attributes: many}, "attributes"},
		{"empty key", ClientProfile{Attributes: map[string]string{" ": "x"}}, "attributes"},
		{"long value", ClientProfile{Attributes: map[string]string{"k": strings.Repeat("v", MaxAttrValueLen+1)}}, "attributes"},
		{"NUL value", ClientProfile{Attributes: map[string]string{"k": "\x00"}}, "attributes"},
		{"long name", ClientProfile{Name: ptrTo(strings.Repeat("n", MaxClientNameLen+1))}, "name"},
		{"NUL notes", ClientProfile{Notes: ptrTo("\x00")}, "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{Name: "old", PushName: "push", Phone: "5511"}
			err := tt.p.Apply(c)
			if tt.bad != "" {
				if de, _ := err.(*Error); de == nil || de.Fields[tt.bad] == "" || c.Name != "old" {
					t.Fatalf("err %v, client %+v", err, c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.p.Name != nil && c.Name != strings.TrimSpace(*tt.p.Name) {
				t.Fatalf("name %q", c.Name)
			}
		})
	}
	c := &Client{PushName: "push", Phone: "5511"}
	if c.DisplayName() != "push" {
		t.Fatal(c.DisplayName())
	}
	c.Name = "Ana"
	if c.DisplayName() != "Ana" {
		t.Fatal(c.DisplayName())
	}
}

func ptrTo(s string) *string { return &s }

func TestClosingText(t *testing.T) {
	in := &Instance{}
	if got := in.ClosingText("L"); got != "Thanks for talking to us! How did we do? L" {
		t.Fatal(got)
	}
	if err := in.SetClosingMessage(strings.Repeat("x", MaxClosingMessageLen+1)); KindOf(err) != KindInvalid {
		t.Fatal(err)
	}
	if err := in.SetClosingMessage("a\x00"); KindOf(err) != KindInvalid {
		t.Fatal(err)
	}
	_ = in.SetClosingMessage("Valeu! {{link}} / {{link}}")
	if got := in.ClosingText("L"); got != "Valeu! L / L" {
		t.Fatal(got)
	}
	att := &Attendance{}
	if in.AsksFeedback(att) {
		t.Fatal("asks the unanswered")
	}
	in.AskFeedbackWhenUnanswered(true)
	if !in.AsksFeedback(att) {
		t.Fatal("does not ask when told to")
	}
}
