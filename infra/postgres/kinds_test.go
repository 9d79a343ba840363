package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

func TestMessageKindsRoundTrip(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	lat, lon := -23.5505, -46.6333
	drafts := []domain.OutgoingDraft{
		{To: "5511999998888", Type: "location", Location: &domain.LocationDraft{Latitude: &lat, Longitude: &lon, Name: "Store", Address: "Av. Paulista 1000"}},
		{To: "5511999998888", Type: "contact", Contacts: []domain.ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}, Organization: "ACME", Email: "a@b.c"}}},
		{To: "5511999998888", Type: "poll", Poll: &domain.PollDraft{Question: "Lunch?", Options: []string{"pizza", "sushi"}, Selectable: 1}},
		{To: "5511999998888", Type: "text", Text: "plain"},
	}
	for _, d := range drafts {
		d.InstanceID = in.ID
		m, err := domain.NewOutgoing(d, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
			t.Fatal(err)
		}
		got, err := s.Message(ctx, in.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Location, m.Location) || !reflect.DeepEqual(got.Contacts, m.Contacts) || !reflect.DeepEqual(got.Poll, m.Poll) {
			t.Errorf("%s: got %+v %+v %+v, want %+v %+v %+v", d.Type, got.Location, got.Contacts, got.Poll, m.Location, m.Contacts, m.Poll)
		}
	}
}

func TestLegacyExtraReadsAsTypedFields(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	m, err := domain.NewIncoming(domain.IncomingDraft{InstanceID: in.ID, WAMessageID: "OLD1", From: "5511999998888", Type: domain.TypeContact,
		Extra: map[string]any{"location": map[string]any{"latitude": 1.5, "longitude": 2.5},
			"contacts": []map[string]string{{"display_name": "Ana", "vcard": "BEGIN:VCARD\nFN:Ana\nTEL;waid=5511988887777:+5511988887777\nEND:VCARD"}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Message(ctx, in.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Location == nil || got.Location.Latitude != 1.5 || len(got.Contacts) != 1 || got.Contacts[0].Name != "Ana" ||
		!reflect.DeepEqual(got.Contacts[0].Phones, []string{"5511988887777"}) {
		t.Errorf("legacy row reads as %+v %+v", got.Location, got.Contacts)
	}
}

func TestPollVotesReplaceAndTally(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: in.ID, To: "5511999998888", Type: "poll",
		Poll: &domain.PollDraft{Question: "Lunch?", Options: []string{"pizza", "sushi"}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		vote      app.PollVoteRecord
		wantFresh bool
		wantVotes []int
	}{
		{"first", app.PollVoteRecord{Voter: "a", Selected: []string{"pizza"}, WAMessageID: "V1", At: now}, true, []int{1, 0}},
		{"redelivered", app.PollVoteRecord{Voter: "a", Selected: []string{"pizza"}, WAMessageID: "V1", At: now}, false, []int{1, 0}},
		{"second voter", app.PollVoteRecord{Voter: "b", Selected: []string{"pizza", "sushi"}, WAMessageID: "V2", At: now}, true, []int{2, 1}},
		{"replaced", app.PollVoteRecord{Voter: "a", Selected: []string{"sushi"}, WAMessageID: "V3", At: now.Add(time.Second)}, true, []int{1, 2}},
		{"older one late", app.PollVoteRecord{Voter: "a", Selected: []string{"pizza"}, WAMessageID: "V0", At: now.Add(-time.Second)}, false, []int{1, 2}},
		{"withdrawn", app.PollVoteRecord{Voter: "b", Selected: nil, At: now.Add(2 * time.Second)}, true, []int{0, 1}},
	}
	for _, st := range steps {
		st.vote.MessageID = m.ID
		err := s.InTx(ctx, func(tx app.Tx) error {
			fresh, err := tx.RecordPollVote(ctx, st.vote)
			if err != nil {
				return err
			}
			if fresh != st.wantFresh {
				t.Errorf("%s: fresh = %v", st.name, fresh)
			}
			choices, err := tx.PollChoices(ctx, m.ID)
			if err != nil {
				return err
			}
			if err := m.TallyPoll(choices); err != nil {
				return err
			}
			return tx.SavePoll(ctx, m)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Message(ctx, in.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if votes := []int{got.Poll.Options[0].Votes, got.Poll.Options[1].Votes}; !reflect.DeepEqual(votes, st.wantVotes) {
			t.Errorf("%s: votes = %v, want %v", st.name, votes, st.wantVotes)
		}
	}
}
