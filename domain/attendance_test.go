package domain

import (
	"testing"
	"time"
)

func TestAttendanceStateMachine(t *testing.T) {
	t1, t2 := now.Add(time.Minute), now.Add(2*time.Minute)
	tests := []struct {
		name  string
		steps func(a *Attendance) error
		check func(t *testing.T, a *Attendance, err error)
	}{
		{"client messages count as unread", func(a *Attendance) error {
			_ = a.Touch(FromClient, t1)
			return a.Touch(FromClient, t2)
		}, func(t *testing.T, a *Attendance, err error) {
			if err != nil || a.Unread != 3 || !a.LastActivityAt.Equal(t2) || a.LastMessageFrom != FromClient {
				t.Fatalf("%+v %v", a, err)
			}
		}},
		{"a reply clears unread", func(a *Attendance) error { return a.Touch(FromAttendant, t1) },
			func(t *testing.T, a *Attendance, err error) {
				if err != nil || a.Unread != 0 || a.LastMessageFrom != FromAttendant {
					t.Fatalf("%+v %v", a, err)
				}
			}},
		{"an older message does not move activity back", func(a *Attendance) error {
			_ = a.Touch(FromClient, t2)
			return a.Touch(FromClient, t1)
		}, func(t *testing.T, a *Attendance, err error) {
			if !a.LastActivityAt.Equal(t2) {
				t.Fatalf("activity = %v", a.LastActivityAt)
			}
		}},
		{"closed refuses everything", func(a *Attendance) error {
			if err := a.Close(ClosedIdle, t1); err != nil {
				return err
			}
			if a.Touch(FromClient, t2) == nil || a.Assign("x") == nil {
				return Conflict("x", "closed attendance accepted a change")
			}
			return a.Close(ClosedManual, t2)
		}, func(t *testing.T, a *Attendance, err error) {
			if KindOf(err) != KindConflict || a.ClosedReason != ClosedIdle || !a.ClosedAt.Equal(t1) {
				t.Fatalf("%+v %v", a, err)
			}
		}},
		{"the first message counts as unread", func(a *Attendance) error { return nil },
			func(t *testing.T, a *Attendance, err error) {
				if a.Unread != 1 || a.LastMessageFrom != FromClient || a.Status != AttendanceOpen || !a.LastActivityAt.Equal(now) {
					t.Fatalf("%+v", a)
				}
			}},
		{"an unknown speaker is refused", func(a *Attendance) error { return a.Touch(Speaker("bot"), t1) },
			func(t *testing.T, a *Attendance, err error) {
				if err == nil || a.Unread != 1 || a.LastMessageFrom != FromClient {
					t.Fatalf("%+v %v", a, err)
				}
			}},
		{"an unknown close reason is refused", func(a *Attendance) error { return a.Close(CloseReason("bored"), t1) },
			func(t *testing.T, a *Attendance, err error) {
				if err == nil || a.Status != AttendanceOpen || a.ClosedAt != nil {
					t.Fatalf("%+v %v", a, err)
				}
			}},
		{"assign needs an attendant", func(a *Attendance) error {
			if a.Assign("") == nil {
				return Conflict("x", "empty attendant accepted")
			}
			return a.Assign("ana")
		}, func(t *testing.T, a *Attendance, err error) {
			if err != nil || a.AttendantID != "ana" {
				t.Fatalf("%+v %v", a, err)
			}
		}},
		{"close by hand", func(a *Attendance) error { return a.Close(ClosedManual, t1) },
			func(t *testing.T, a *Attendance, err error) {
				if err != nil || a.Status != AttendanceClosed || a.ClosedReason != ClosedManual || !a.ClosedAt.Equal(t1) || a.IdleSince(t2) {
					t.Fatalf("%+v %v", a, err)
				}
			}},
		{"idle", func(a *Attendance) error { return nil }, func(t *testing.T, a *Attendance, err error) {
			if !a.IdleSince(now.Add(time.Second)) || a.IdleSince(now) {
				t.Fatal("idle check wrong")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := OpenAttendance("i", "c", now)
			tt.check(t, a, tt.steps(a))
		})
	}
}

func TestNewAttendantAndFeedback(t *testing.T) {
	if _, err := NewAttendant("Ana", "Ana@Example.com", "", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, email, role string }{{"", "a@b.co", ""}, {"A", "not-an-email", ""}, {"A", "a@b.co", "boss"}} {
		if _, err := NewAttendant(c.name, c.email, c.role, now); KindOf(err) != KindInvalid {
			t.Errorf("%v accepted", c)
		}
	}
	if ValidPassword("short") == nil || ValidPassword("long enough") != nil {
		t.Error("password rules")
	}
	for r, ok := range map[int]bool{0: false, 1: true, 5: true, 6: false} {
		if _, err := NewFeedback("a", r, "", now); (err == nil) != ok {
			t.Errorf("rating %d: %v", r, err)
		}
	}
}

func TestParseAttendanceStatus(t *testing.T) {
	tests := []struct {
		in   string
		want AttendanceStatus
		ok   bool
	}{
		{"open", AttendanceOpen, true},
		{"closed", AttendanceClosed, true},
		{"", "", false},
		{"OPEN", "", false},
		{"pending", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseAttendanceStatus(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAttendanceStatus(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAttendantSetPasswordHash(t *testing.T) {
	tests := []struct {
		name, hash string
		ok         bool
	}{
		{"a hash", "$2a$10$abc", true},
		{"no hash", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAttendant("Ana", "ana@example.com", "", now)
			if err != nil {
				t.Fatal(err)
			}
			err = a.SetPasswordHash(tt.hash)
			if (err == nil) != tt.ok || (tt.ok && a.PasswordHash != tt.hash) || (!tt.ok && a.PasswordHash != "") {
				t.Fatalf("%q: %+v %v", tt.hash, a, err)
			}
		})
	}
}
