package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

const (
	anaJID = "5511988880001@s.whatsapp.net"
	anaLID = "123456789012345@lid"
)

func recordContacts(t *testing.T, s *postgres.Store, instanceID string, obs ...domain.ContactObservation) error {
	t.Helper()
	return s.InTx(context.Background(), func(tx app.Tx) error { return tx.RecordContacts(context.Background(), instanceID, obs) })
}

func TestRecordContactsMergesPhoneAndLIDRows(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []domain.ContactObservation{
		{JID: anaJID, Phone: "5511988880001", At: t0},
		{LID: anaLID, PushName: "Ana", At: t0.Add(time.Second)},
		{JID: anaJID, LID: anaLID, Phone: "5511988880001", At: t0.Add(2 * time.Second)},
	}
	for _, o := range steps {
		if err := recordContacts(t, s, in.ID, o); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := s.ListContacts(context.Background(), in.ID, "", app.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Contact{JID: anaJID, LID: anaLID, Phone: "5511988880001", PushName: "Ana", UpdatedAt: t0.Add(2 * time.Second)}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("contacts = %+v, want one %+v", got, want)
	}
	for _, addr := range []string{"5511988880001", anaJID, anaLID} {
		a, _ := domain.ParseAddress(addr)
		c, err := s.Contact(context.Background(), in.ID, a)
		if err != nil || *c != want {
			t.Errorf("Contact(%s) = %+v, %v", addr, c, err)
		}
	}
}

func TestRecordContactsConcurrentAddressesOfOnePersonEndInOneRow(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	now := time.Now().UTC()
	kinds := []domain.ContactObservation{
		{JID: anaJID, Phone: "5511988880001", At: now},
		{LID: anaLID, PushName: "Ana", At: now},
		{JID: anaJID, LID: anaLID, Phone: "5511988880001", At: now},
	}
	const rounds = 8
	start := make(chan struct{})
	errs := make(chan error, rounds*len(kinds))
	var wg sync.WaitGroup
	for i := 0; i < rounds; i++ {
		for _, o := range kinds {
			wg.Add(1)
			go func(o domain.ContactObservation) {
				defer wg.Done()
				<-start
				errs <- recordContacts(t, s, in.ID, o)
			}(o)
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := s.ListContacts(context.Background(), in.ID, "", app.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].JID != anaJID || got[0].LID != anaLID || got[0].PushName != "Ana" {
		t.Fatalf("contacts = %+v, want one with both addresses", got)
	}
}

func TestListContactsSearchesAndPages(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	other := newInstance(t, s)
	now := time.Now().UTC()
	if err := recordContacts(t, s, in.ID,
		domain.ContactObservation{JID: anaJID, Phone: "5511988880001", PushName: "Ana Maria", At: now},
		domain.ContactObservation{LID: "777@lid", PushName: "Bruno", At: now},
		domain.ContactObservation{JID: "5521977770000@s.whatsapp.net", Phone: "5521977770000", At: now},
	); err != nil {
		t.Fatal(err)
	}
	if err := recordContacts(t, s, other.ID, domain.ContactObservation{LID: "888@lid", PushName: "ana other", At: now}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string // push names, in order
	}{
		{"", []string{"Ana Maria", "Bruno", ""}},
		{"mARIA", []string{"Ana Maria"}},
		{"777@LID", []string{"Bruno"}},
		{"552197", []string{""}},
		{"%", nil},
	}
	for _, tt := range tests {
		got, _, err := s.ListContacts(context.Background(), in.ID, tt.q, app.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range got {
			names = append(names, c.PushName)
		}
		if len(names) != len(tt.want) {
			t.Errorf("q=%q: got %q, want %q", tt.q, names, tt.want)
			continue
		}
		for i := range names {
			if names[i] != tt.want[i] {
				t.Errorf("q=%q: got %q, want %q", tt.q, names, tt.want)
			}
		}
	}
	page, next, err := s.ListContacts(context.Background(), in.ID, "", app.Page{Limit: 2})
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("first page = %d items, next %q, %v", len(page), next, err)
	}
	rest, next, err := s.ListContacts(context.Background(), in.ID, "", app.Page{Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next != "" || rest[0].Phone != "5521977770000" {
		t.Fatalf("second page = %+v, next %q, %v", rest, next, err)
	}
}
