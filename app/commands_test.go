package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// newCommandApp is an app whose driver checks contacts, on a clock the test
// moves.
func newCommandApp(t *testing.T, wa *fakeChecker) (*App, *fakeStore, *time.Time, string) {
	t.Helper()
	store := newFakeStore()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := New(Deps{Store: store, WhatsApp: wa, QR: fakeQR{}, Clock: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, err := a.CreateInstance(context.Background(), "sales")
	if err != nil {
		t.Fatal(err)
	}
	store.published = nil
	return a, store, &now, in.ID
}

func TestCheckContactsValidates(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = "5511999998888"
	}
	tests := []struct {
		name     string
		phones   []string
		wantKind domain.Kind
	}{
		{"one phone", []string{"+5511999998888"}, 0},
		{"fifty phones", many[:50], 0},
		{"none", nil, domain.KindInvalid},
		{"fifty-one", many, domain.KindInvalid},
		{"not a phone", []string{"5511999998888", "abc"}, domain.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, _, id := newCommandApp(t, &fakeChecker{})
			cmd, err := a.CheckContacts(context.Background(), id, tt.phones)
			if tt.wantKind != 0 {
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != tt.wantKind || de.Fields["phones"] == "" {
					t.Fatalf("err = %v, want a %v naming phones", err, tt.wantKind)
				}
				if len(store.published) != 0 || len(store.commands) != 0 {
					t.Fatal("a refused check stored something")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Status != domain.CommandPending || len(store.commands) != 1 {
				t.Fatalf("command %+v, %d rows", cmd, len(store.commands))
			}
			if len(store.published) != 1 || store.published[0].Type != events.CmdCheckContacts {
				t.Fatalf("published %+v, want one %s", store.published, events.CmdCheckContacts)
			}
			var data events.RunCommand
			if err := json.Unmarshal(store.published[0].Data, &data); err != nil || data.CommandID != cmd.ID {
				t.Fatalf("command data %s names %q, want %q", store.published[0].Data, data.CommandID, cmd.ID)
			}
		})
	}
}

func TestRunCommand(t *testing.T) {
	known := map[string]ContactCheck{"5511999998888": {Phone: "5511999998888", OnWhatsApp: true,
		JID: "5511999998888@s.whatsapp.net", LID: "123@lid", Business: true}}
	tests := []struct {
		name       string
		driverErr  error
		age        time.Duration // how long the command waited before the run
		wantErr    bool
		wantStatus domain.CommandStatus
		wantCode   string
		wantCalls  int
	}{
		{"answers", nil, time.Second, false, domain.CommandDone, "", 1},
		{"a transient failure is retried", errors.New("connection reset"), time.Second, true, domain.CommandPending, "", 1},
		{"whatsapp refuses", wrapPermanent("rate-overlimit"), time.Second, false, domain.CommandFailed, domain.CommandWhatsAppRefused, 1},
		{"not connected yet is retried", ErrNotConnected, time.Second, true, domain.CommandPending, "", 1},
		{"too old fails without running", nil, 3 * time.Minute, false, domain.CommandFailed, domain.CommandNotConnected, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wa := &fakeChecker{known: known, err: tt.driverErr}
			a, store, now, id := newCommandApp(t, wa)
			ctx := context.Background()
			cmd, err := a.CheckContacts(ctx, id, []string{"5511999998888", "5511000000000"})
			if err != nil {
				t.Fatal(err)
			}
			*now = now.Add(tt.age)
			err = a.RunCommand(ctx, id, cmd.ID)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RunCommand = %v, want error %v", err, tt.wantErr)
			}
			got, _ := a.GetCommand(ctx, id, cmd.ID)
			if got.Status != tt.wantStatus || got.ErrorCode != tt.wantCode || wa.calls != tt.wantCalls {
				t.Fatalf("status %s code %q after %d calls, want %s %q after %d", got.Status, got.ErrorCode, wa.calls,
					tt.wantStatus, tt.wantCode, tt.wantCalls)
			}
			if tt.wantStatus == domain.CommandDone {
				var res ContactsChecked
				if err := json.Unmarshal(got.Result, &res); err != nil {
					t.Fatal(err)
				}
				want := []ContactCheck{known["5511999998888"], {Phone: "5511000000000"}}
				if len(res.Items) != 2 || res.Items[0] != want[0] || res.Items[1] != want[1] {
					t.Fatalf("items %+v, want %+v", res.Items, want)
				}
			}
			// A redelivery of an ended command does not run it again.
			if got.Ended() {
				updates := store.commandUpdates
				if err := a.RunCommand(ctx, id, cmd.ID); err != nil || wa.calls != tt.wantCalls || store.commandUpdates != updates {
					t.Fatalf("redelivery ran again: err %v, %d calls, %d updates", err, wa.calls, store.commandUpdates-updates)
				}
			}
		})
	}
}

func wrapPermanent(reason string) error { return errors.Join(errors.New(reason), ErrPermanent) }

func TestFailStaleCommands(t *testing.T) {
	a, _, now, id := newCommandApp(t, &fakeChecker{})
	ctx := context.Background()
	old, err := a.CheckContacts(ctx, id, []string{"5511999998888"})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(DefaultCommandTimeout)
	fresh, err := a.CheckContacts(ctx, id, []string{"5511999998888"})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Second)
	for i, want := range []int{1, 0} { // the second sweep finds nothing left
		if n, err := a.FailStaleCommands(ctx, 10); err != nil || n != want {
			t.Fatalf("sweep %d failed %d (%v), want %d", i, n, err, want)
		}
	}
	for _, tc := range []struct {
		id   string
		want domain.CommandStatus
	}{{old.ID, domain.CommandFailed}, {fresh.ID, domain.CommandPending}} {
		got, _ := a.GetCommand(ctx, id, tc.id)
		if got.Status != tc.want {
			t.Fatalf("command %s is %s, want %s", tc.id, got.Status, tc.want)
		}
	}
	got, _ := a.GetCommand(ctx, id, old.ID)
	if de := got.Err(); domain.KindOf(de) != domain.KindConflict {
		t.Fatalf("stale command error %v, want 409 not_connected", de)
	}
}

func TestLogoutIsACommand(t *testing.T) {
	tests := []struct {
		name       string
		status     domain.InstanceStatus
		wantKind   domain.Kind
		wantStatus domain.InstanceStatus
	}{
		{"connected logs out", domain.InstanceConnected, 0, domain.InstanceLoggedOut},
		{"not connected is refused at once", domain.InstanceQR, domain.KindConflict, domain.InstanceQR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wa := &fakeChecker{}
			a, store, _, id := newCommandApp(t, wa)
			ctx := context.Background()
			in := store.instances[id]
			in.Status = tt.status
			store.instances[id] = in
			cmd, err := a.RequestLogout(ctx, id)
			if tt.wantKind != 0 {
				if domain.KindOf(err) != tt.wantKind || len(store.commands) != 0 || len(store.published) != 0 {
					t.Fatalf("err %v with %d commands, want %v and nothing stored", err, len(store.commands), tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var data events.LogoutInstance
			if len(store.published) != 1 || store.published[0].Type != events.CmdLogoutInstance ||
				json.Unmarshal(store.published[0].Data, &data) != nil || data.CommandID != cmd.ID {
				t.Fatalf("published %+v, want one %s naming %s", store.published, events.CmdLogoutInstance, cmd.ID)
			}
			store.published = nil
			for range 2 { // the second is a redelivery
				if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := a.GetCommand(ctx, id, cmd.ID)
			if got.Status != domain.CommandDone || wa.logouts != 1 || store.instances[id].Status != tt.wantStatus {
				t.Fatalf("command %s, %d logouts, instance %s", got.Status, wa.logouts, store.instances[id].Status)
			}
			if len(store.published) != 1 || store.published[0].Type != events.InstanceStatus {
				t.Fatalf("published %+v, want one instance.status with the ending", store.published)
			}
		})
	}
}
