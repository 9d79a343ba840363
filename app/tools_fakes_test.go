package app

import (
	"context"
	"sort"

	"github.com/zapgate/zapgate/domain"
)

// The fake side of the attendant's tools: notes kept in the store (not
// rolled back, enough for the tests), client updates in the transaction.

func (t *fakeTx) InsertNote(ctx context.Context, n *domain.Note) error {
	t.s.notes = append(t.s.notes, *n)
	return nil
}

func (t *fakeTx) ReadInstance(ctx context.Context, id string) (*domain.Instance, error) {
	in, ok := t.instances[id]
	if !ok {
		return nil, domain.NotFound("instance")
	}
	return &in, nil
}

func (t *fakeTx) UpdateClient(ctx context.Context, id string, fn func(*domain.Client) error) error {
	c, ok := t.helpdesk.clients[id]
	if !ok {
		return domain.NotFound("client")
	}
	if err := fn(&c); err != nil {
		return err
	}
	t.helpdesk.clients[id] = c
	return nil
}

// fakeTools implements HelpdeskTools over the fake store.
type fakeTools struct{ s *fakeStore }

func (f fakeTools) AttendanceNotes(ctx context.Context, attendanceID string) ([]domain.Note, error) {
	var out []domain.Note
	for _, n := range f.s.notes {
		if n.AttendanceID == attendanceID {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f fakeTools) InsertCannedReply(ctx context.Context, r *domain.CannedReply) error {
	for _, o := range f.s.canned {
		if o.Shortcut == r.Shortcut {
			return domain.Conflict("shortcut_taken", "taken")
		}
	}
	f.s.canned[r.ID] = *r
	return nil
}

func (f fakeTools) ListCannedReplies(ctx context.Context) ([]domain.CannedReply, error) {
	var out []domain.CannedReply
	for _, r := range f.s.canned {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Shortcut < out[j].Shortcut })
	return out, nil
}

func (f fakeTools) UpdateCannedReply(ctx context.Context, id string, fn func(*domain.CannedReply) error) (*domain.CannedReply, error) {
	r, ok := f.s.canned[id]
	if !ok {
		return nil, domain.NotFound("canned reply")
	}
	if err := fn(&r); err != nil {
		return nil, err
	}
	f.s.canned[id] = r
	return &r, nil
}

func (f fakeTools) DeleteCannedReply(ctx context.Context, id string) error {
	delete(f.s.canned, id)
	return nil
}

func (f fakeTools) SearchClients(ctx context.Context, q string, p Page) ([]domain.Client, string, error) {
	return nil, "", nil
}

func (f fakeTools) Client(ctx context.Context, id string) (*domain.Client, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	c, ok := f.s.helpdesk.clients[id]
	if !ok {
		return nil, domain.NotFound("client")
	}
	return &c, nil
}

func (f fakeTools) ClientAttendances(ctx context.Context, clientID string) ([]domain.Attendance, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	var out []domain.Attendance
	for _, a := range f.s.helpdesk.attendances {
		if a.ClientID == clientID {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f fakeTools) RecentFeedback(ctx context.Context, instanceID string, limit int) ([]FeedbackItem, error) {
	return nil, nil
}
