package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

func (t *fakeTx) RecordPollVote(ctx context.Context, v PollVoteRecord) (bool, error) {
	if t.s.pollVotes == nil {
		t.s.pollVotes = map[string]PollVoteRecord{}
	}
	key := v.MessageID + "|" + v.Voter
	if old, ok := t.s.pollVotes[key]; ok && (old.At.After(v.At) || (v.WAMessageID != "" && old.WAMessageID == v.WAMessageID)) {
		return false, nil
	}
	t.s.pollVotes[key] = v
	return true, nil
}

func (t *fakeTx) PollChoices(ctx context.Context, messageID string) ([][]string, error) {
	var out [][]string
	for _, v := range t.s.pollVotes {
		if v.MessageID == messageID {
			out = append(out, v.Selected)
		}
	}
	return out, nil
}

func (t *fakeTx) SavePoll(ctx context.Context, m *domain.Message) error {
	t.messages[m.ID] = *m
	return nil
}

func TestReceivePollVote(t *testing.T) {
	ctx := context.Background()
	store := newFakeStore()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := New(Deps{Store: store, Clock: func() time.Time { return now }})
	store.instances["i1"] = domain.Instance{ID: "i1"}
	poll := domain.Message{ID: "m1", InstanceID: "i1", Direction: domain.DirectionOut, Type: domain.TypePoll, WAMessageID: "POLL1",
		Poll: &domain.Poll{Question: "Lunch?", Options: []domain.PollOption{{Name: "pizza"}, {Name: "sushi"}, {Name: "salad"}}}}
	store.messages["m1"] = poll
	store.messages["t1"] = domain.Message{ID: "t1", InstanceID: "i1", Type: domain.TypeText, WAMessageID: "TEXT1"}
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	at := func(s int) time.Time { return now.Add(time.Duration(s) * time.Second) }

	steps := []struct {
		name      string
		vote      PollVote
		wantVotes []int // pizza, sushi, salad
		wantEvent []string
		wantErr   func(error) bool
	}{
		{"first voter by hash", PollVote{Voter: "5511", WAMessageID: "V1", SelectedHashes: [][]byte{hash("pizza")}, At: at(1)}, []int{1, 0, 0}, []string{"pizza"}, nil},
		{"the same vote again changes nothing", PollVote{Voter: "5511", WAMessageID: "V1", SelectedHashes: [][]byte{hash("pizza")}, At: at(1)}, []int{1, 0, 0}, nil, nil},
		{"second voter by name", PollVote{Voter: "5522", Selected: []string{"salad", "pizza"}, At: at(2)}, []int{2, 0, 1}, []string{"pizza", "salad"}, nil},
		{"first voter changes their mind", PollVote{Voter: "5511", WAMessageID: "V2", SelectedHashes: [][]byte{hash("sushi")}, At: at(3)}, []int{1, 1, 1}, []string{"sushi"}, nil},
		{"an older vote arriving late is ignored", PollVote{Voter: "5511", WAMessageID: "V0", SelectedHashes: [][]byte{hash("salad")}, At: at(0)}, []int{1, 1, 1}, nil, nil},
		{"second voter withdraws", PollVote{Voter: "5522", SelectedHashes: [][]byte{}, At: at(4)}, []int{0, 1, 0}, []string{}, nil},
		{"an unknown option by name is refused", PollVote{Voter: "5533", Selected: []string{"burger"}}, []int{0, 1, 0}, nil, isInvalid},
		{"an unknown hash counts for nothing", PollVote{Voter: "5533", SelectedHashes: [][]byte{hash("burger")}, At: at(5)}, []int{0, 1, 0}, []string{}, nil},
		{"not a poll", PollVote{Voter: "5533", TargetWAMessageID: "TEXT1"}, []int{0, 1, 0}, nil, domain.IsNotFound},
		{"no such message", PollVote{Voter: "5533", TargetWAMessageID: "NOPE"}, []int{0, 1, 0}, nil, domain.IsNotFound},
	}
	for _, st := range steps {
		before := len(store.published)
		st.vote.InstanceID = "i1"
		if st.vote.TargetWAMessageID == "" {
			st.vote.TargetWAMessageID = "POLL1"
		}
		counted, err := a.ReceivePollVote(ctx, st.vote)
		if counted != (st.wantEvent != nil) {
			t.Errorf("%s: counted = %v", st.name, counted)
		}
		if st.wantErr != nil {
			if !st.wantErr(err) {
				t.Fatalf("%s: err = %v", st.name, err)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		m := store.messages["m1"]
		var got []int
		for _, o := range m.Poll.Options {
			got = append(got, o.Votes)
		}
		if !reflect.DeepEqual(got, st.wantVotes) {
			t.Errorf("%s: votes = %v, want %v", st.name, got, st.wantVotes)
		}
		fresh := store.published[before:]
		if st.wantEvent == nil {
			if len(fresh) != 0 {
				t.Errorf("%s: published %d events, want none", st.name, len(fresh))
			}
			continue
		}
		if len(fresh) != 1 || fresh[0].Type != events.PollVote {
			t.Fatalf("%s: published %+v, want one poll.vote", st.name, fresh)
		}
		var data events.PollVoted
		if err := json.Unmarshal(fresh[0].Data, &data); err != nil {
			t.Fatal(err)
		}
		sort.Strings(data.Selected)
		if data.MessageID != "m1" || data.Voter != st.vote.Voter || !reflect.DeepEqual(data.Selected, st.wantEvent) {
			t.Errorf("%s: event = %+v, want selected %v", st.name, data, st.wantEvent)
		}
	}
}

func TestMessageDataShowsKinds(t *testing.T) {
	m := &domain.Message{ID: "m", Type: domain.TypeContact,
		Location: &domain.Location{Latitude: 1, Longitude: 2, Name: "x"},
		Contacts: []domain.ContactCard{{Name: "Ana", Phones: nil}},
		Poll:     &domain.Poll{Question: "q", Selectable: 1, Options: []domain.PollOption{{Name: "a", Votes: 2}}}}
	v := MessageData(m)
	b, _ := json.Marshal(v)
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	want := map[string]any{
		"location": map[string]any{"latitude": 1.0, "longitude": 2.0, "name": "x", "address": ""},
		"contacts": []any{map[string]any{"name": "Ana", "phones": []any{}, "organization": "", "email": ""}},
		"poll":     map[string]any{"question": "q", "selectable": 1.0, "options": []any{map[string]any{"name": "a", "votes": 2.0}}},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	empty := MessageData(&domain.Message{ID: "m", Type: domain.TypeText})
	if empty.Contacts == nil || empty.Location != nil || empty.Poll != nil {
		t.Errorf("a text shows %+v %+v %+v", empty.Contacts, empty.Location, empty.Poll)
	}
}

func isInvalid(err error) bool { return domain.KindOf(err) == domain.KindInvalid }
