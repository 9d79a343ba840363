package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// fakeStore keeps rows in maps; a failing fn rolls back by discarding the
// staged copy, as the Postgres store does.
type fakeStore struct {
	mu        sync.Mutex
	instances map[string]domain.Instance
	messages  map[string]domain.Message
	published []events.Envelope
	failTx    error
	commits   int // transactions committed
}

func newFakeStore() *fakeStore {
	return &fakeStore{instances: map[string]domain.Instance{}, messages: map[string]domain.Message{}}
}

type fakeTx struct {
	s         *fakeStore
	instances map[string]domain.Instance
	messages  map[string]domain.Message
	published []events.Envelope
}

func (s *fakeStore) InTx(ctx context.Context, fn func(tx Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failTx != nil {
		return s.failTx
	}
	tx := &fakeTx{s: s, instances: map[string]domain.Instance{}, messages: map[string]domain.Message{}}
	for k, v := range s.instances {
		tx.instances[k] = v
	}
	for k, v := range s.messages {
		tx.messages[k] = v
	}
	if err := fn(tx); err != nil {
		return err
	}
	s.instances, s.messages = tx.instances, tx.messages
	s.published = append(s.published, tx.published...)
	s.commits++
	return nil
}

func (s *fakeStore) Instance(ctx context.Context, id string) (*domain.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		return nil, domain.NotFound("instance")
	}
	return &in, nil
}

func (s *fakeStore) InstanceByTokenHash(ctx context.Context, hash []byte) (*domain.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.instances {
		if string(in.TokenHash) == string(hash) {
			return &in, nil
		}
	}
	return nil, domain.NotFound("instance")
}

func (s *fakeStore) ListInstances(ctx context.Context, p Page) ([]domain.Instance, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Instance
	for _, in := range s.instances {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, "", nil
}

func (s *fakeStore) Message(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok || m.InstanceID != instanceID {
		return nil, domain.NotFound("message")
	}
	return &m, nil
}

func (s *fakeStore) MessageByIdempotencyKey(ctx context.Context, instanceID, key string) (*domain.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.InstanceID == instanceID && m.IdempotencyKey == key {
			return &m, nil
		}
	}
	return nil, domain.NotFound("message")
}

func (s *fakeStore) ListMessages(ctx context.Context, f MessageFilter) ([]domain.Message, string, error) {
	return nil, "", errors.New("not used")
}

func (t *fakeTx) InsertInstance(ctx context.Context, in *domain.Instance) error {
	t.instances[in.ID] = *in
	return nil
}

func (t *fakeTx) LockInstance(ctx context.Context, id string) (*domain.Instance, error) {
	in, ok := t.instances[id]
	if !ok {
		return nil, domain.NotFound("instance")
	}
	return &in, nil
}

func (t *fakeTx) UpdateInstance(ctx context.Context, in *domain.Instance) error {
	t.instances[in.ID] = *in
	return nil
}

func (t *fakeTx) DeleteInstance(ctx context.Context, id string) error {
	delete(t.instances, id)
	return nil
}

func (t *fakeTx) InsertMessage(ctx context.Context, m *domain.Message) (bool, error) {
	for _, o := range t.messages {
		if m.IdempotencyKey != "" && o.InstanceID == m.InstanceID && o.IdempotencyKey == m.IdempotencyKey {
			return false, nil
		}
	}
	t.messages[m.ID] = *m
	return true, nil
}

func (t *fakeTx) LockMessage(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	m, ok := t.messages[id]
	if !ok {
		return nil, domain.NotFound("message")
	}
	return &m, nil
}

func (t *fakeTx) UpdateMessage(ctx context.Context, m *domain.Message) error {
	t.messages[m.ID] = *m
	return nil
}

func (t *fakeTx) LockMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error) {
	var out []domain.Message
	for _, id := range ids {
		if m, ok := t.messages[id]; ok && m.InstanceID == instanceID {
			out = append(out, m)
		}
	}
	return out, nil
}

func (t *fakeTx) UpdateMessages(ctx context.Context, ms []*domain.Message) error {
	for _, m := range ms {
		t.messages[m.ID] = *m
	}
	return nil
}

func (t *fakeTx) Publish(ctx context.Context, envs ...events.Envelope) error {
	t.published = append(t.published, envs...)
	return nil
}

type fakeStorage struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (s *fakeStorage) Put(ctx context.Context, key string, data []byte, contentType string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[key] = data
	return nil
}

func (s *fakeStorage) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.files[key]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return d, nil
}

type fakeWhatsApp struct {
	mu   sync.Mutex
	sent []OutboundMessage
	err  error
}

func (w *fakeWhatsApp) Send(ctx context.Context, instanceID string, m OutboundMessage) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.sent = append(w.sent, m)
	return nil
}

// Accepted implements SendChecker: whether a send with the id went out.
func (w *fakeWhatsApp) Accepted(ctx context.Context, instanceID, waMessageID string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.sent {
		if m.WAMessageID == waMessageID {
			return true, nil
		}
	}
	return false, nil
}

func (s *fakeStore) InstancesStamp(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var last time.Time
	for _, in := range s.instances {
		if in.UpdatedAt.After(last) {
			last = in.UpdatedAt
		}
	}
	return fmt.Sprintf("%d/%s", len(s.instances), last), nil
}

func (s *fakeStore) NextDueAt(ctx context.Context) (*time.Time, error) { return nil, nil }

func (t *fakeTx) ClaimDueMessages(ctx context.Context, now time.Time, limit int) ([]domain.Message, error) {
	var out []domain.Message
	for _, m := range t.messages {
		if m.Status == domain.StatusScheduled && !m.SendAt.After(now) && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

type fakeQR struct{}

func (fakeQR) PNG(code string) ([]byte, error) { return []byte("png:" + code), nil }

func (t *fakeTx) LockMessageByWAID(ctx context.Context, instanceID, waMessageID string) (*domain.Message, error) {
	for _, m := range t.messages {
		if m.InstanceID == instanceID && m.WAMessageID == waMessageID {
			return &m, nil
		}
	}
	return nil, domain.NotFound("message")
}

func (s *fakeStore) QueuedMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error) {
	var out []domain.Message
	for _, id := range ids {
		m, err := s.Message(ctx, instanceID, id)
		if domain.IsNotFound(err) || (err == nil && m.Status != domain.StatusQueued) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}
