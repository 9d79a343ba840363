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
	helpdesk  fakeHelpdesk
	published []events.Envelope
	failTx    error
	commits   int // transactions committed

	commands       map[string]domain.Command
	commandUpdates int

	contactObservations []domain.ContactObservation
	groups              fakeGroups
	groupVersions       map[string]int64
	lastGroupVersion    int64

	pollVotes map[string]PollVoteRecord // message id + voter → choice; not rolled back

	notes  []domain.Note                 // not rolled back
	canned map[string]domain.CannedReply // by id
}

func newFakeStore() *fakeStore {
	return &fakeStore{instances: map[string]domain.Instance{}, messages: map[string]domain.Message{}, canned: map[string]domain.CannedReply{}}
}

type fakeTx struct {
	s         *fakeStore
	instances map[string]domain.Instance
	messages  map[string]domain.Message
	helpdesk  fakeHelpdesk
	published []events.Envelope
}

// fakeHelpdesk is the attendance side of the fake store.
type fakeHelpdesk struct {
	clients     map[string]domain.Client
	attendances map[string]domain.Attendance
	links       map[string]string // message id → attendance id
	tokens      map[string]FeedbackToken
	feedback    []domain.Feedback
}

// clone copies the maps, so a rolled back transaction leaves no trace.
func (h fakeHelpdesk) clone() fakeHelpdesk {
	out := fakeHelpdesk{clients: map[string]domain.Client{}, attendances: map[string]domain.Attendance{},
		links: map[string]string{}, tokens: map[string]FeedbackToken{}, feedback: append([]domain.Feedback(nil), h.feedback...)}
	for k, v := range h.clients {
		out.clients[k] = v
	}
	for k, v := range h.attendances {
		out.attendances[k] = v
	}
	for k, v := range h.links {
		out.links[k] = v
	}
	for k, v := range h.tokens {
		out.tokens[k] = v
	}
	return out
}

func (s *fakeStore) InTx(ctx context.Context, fn func(tx Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failTx != nil {
		return s.failTx
	}
	tx := &fakeTx{s: s, instances: map[string]domain.Instance{}, messages: map[string]domain.Message{}, helpdesk: s.helpdesk.clone()}
	for k, v := range s.instances {
		tx.instances[k] = v
	}
	for k, v := range s.messages {
		tx.messages[k] = v
	}
	if err := fn(tx); err != nil {
		return err
	}
	s.instances, s.messages, s.helpdesk = tx.instances, tx.messages, tx.helpdesk
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

func (t *fakeTx) SaveInstanceHealth(ctx context.Context, in *domain.Instance) error {
	cur := t.instances[in.ID]
	cur.Health, cur.UpdatedAt = in.Health, in.UpdatedAt
	t.instances[in.ID] = cur
	return nil
}

func (t *fakeTx) RememberLinkedPhone(ctx context.Context, phone string, now time.Time) (bool, error) {
	return false, nil
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

func (t *fakeTx) UpsertClient(ctx context.Context, c *domain.Client) (*domain.Client, *domain.Attendance, error) {
	// Finds by phone or LID and learns; merging two rows is the store's
	// (tested on Postgres).
	for _, o := range t.helpdesk.clients {
		same := (c.Phone != "" && o.Phone == c.Phone) || (c.LID != "" && o.LID == c.LID) ||
			(c.GroupJID != "" && o.GroupJID == c.GroupJID)
		if o.InstanceID == c.InstanceID && same && !o.Conflicts(*c) {
			o.Learn(*c)
			t.helpdesk.clients[o.ID] = o
			return &o, nil, nil
		}
	}
	t.helpdesk.clients[c.ID] = *c
	out := *c
	return &out, nil, nil
}

func (t *fakeTx) ClientByID(ctx context.Context, id string) (*domain.Client, error) {
	c, ok := t.helpdesk.clients[id]
	if !ok {
		return nil, domain.NotFound("client")
	}
	return &c, nil
}

func (t *fakeTx) OpenAttendanceFor(ctx context.Context, a *domain.Attendance) (*domain.Attendance, bool, error) {
	for _, o := range t.helpdesk.attendances {
		if o.InstanceID == a.InstanceID && o.ClientID == a.ClientID && o.Status == domain.AttendanceOpen {
			return &o, false, nil
		}
	}
	t.helpdesk.attendances[a.ID] = *a
	out := *a
	return &out, true, nil
}

func (t *fakeTx) UpdateAttendance(ctx context.Context, id string, fn func(*domain.Attendance) error) error {
	a, ok := t.helpdesk.attendances[id]
	if !ok {
		return domain.NotFound("attendance")
	}
	if err := fn(&a); err != nil {
		return err
	}
	t.helpdesk.attendances[id] = a
	return nil
}

func (t *fakeTx) SaveAttendance(ctx context.Context, a *domain.Attendance) error {
	if _, ok := t.helpdesk.attendances[a.ID]; !ok {
		return domain.NotFound("attendance")
	}
	t.helpdesk.attendances[a.ID] = *a
	return nil
}

func (t *fakeTx) LinkMessage(ctx context.Context, messageID, attendanceID string) (bool, error) {
	if _, ok := t.helpdesk.links[messageID]; ok {
		return false, nil
	}
	t.helpdesk.links[messageID] = attendanceID
	return true, nil
}

func (t *fakeTx) ClaimIdleAttendances(ctx context.Context, cutoff time.Time, limit int) ([]domain.Attendance, error) {
	var out []domain.Attendance
	for _, a := range t.helpdesk.attendances {
		if a.IdleSince(cutoff) && len(out) < limit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (t *fakeTx) InsertFeedbackToken(ctx context.Context, hash []byte, attendanceID string, expiresAt time.Time) error {
	a := t.helpdesk.attendances[attendanceID]
	t.helpdesk.tokens[string(hash)] = FeedbackToken{AttendanceID: attendanceID, InstanceID: a.InstanceID, ExpiresAt: expiresAt}
	return nil
}

func (t *fakeTx) LockFeedbackToken(ctx context.Context, hash []byte) (*FeedbackToken, error) {
	ft, ok := t.helpdesk.tokens[string(hash)]
	if !ok {
		return nil, domain.NotFound("feedback link")
	}
	return &ft, nil
}

func (t *fakeTx) UseFeedbackToken(ctx context.Context, hash []byte, at time.Time) error {
	ft := t.helpdesk.tokens[string(hash)]
	ft.UsedAt = &at
	t.helpdesk.tokens[string(hash)] = ft
	return nil
}

func (t *fakeTx) InsertFeedback(ctx context.Context, f *domain.Feedback) error {
	t.helpdesk.feedback = append(t.helpdesk.feedback, *f)
	return nil
}

// Attendance and AttendanceMessages implement AttendanceStore over the
// committed helpdesk rows.
func (s *fakeStore) Attendance(ctx context.Context, id string) (*AttendanceView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.helpdesk.attendances[id]
	if !ok {
		return nil, domain.NotFound("attendance")
	}
	return &AttendanceView{Attendance: a, Client: s.helpdesk.clients[a.ClientID]}, nil
}

func (s *fakeStore) AttendanceMessages(ctx context.Context, id string) ([]domain.Message, error) {
	return nil, nil
}

func (s *fakeStore) ListAttendances(ctx context.Context, f AttendanceFilter) ([]AttendanceView, string, error) {
	return nil, "", errors.New("not used")
}

// The commands side of the fake store: rows live in s.commands, and a
// transaction writes straight into it (the command tests roll back nothing).

func (s *fakeStore) Command(ctx context.Context, instanceID, id string) (*domain.Command, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.commands[id]
	if !ok || c.InstanceID != instanceID {
		return nil, domain.NotFound("command")
	}
	return &c, nil
}

func (t *fakeTx) InsertCommand(ctx context.Context, c *domain.Command) error {
	if t.s.commands == nil {
		t.s.commands = map[string]domain.Command{}
	}
	t.s.commands[c.ID] = *c
	return nil
}

func (t *fakeTx) LockCommand(ctx context.Context, id string) (*domain.Command, error) {
	c, ok := t.s.commands[id]
	if !ok {
		return nil, domain.NotFound("command")
	}
	return &c, nil
}

func (t *fakeTx) UpdateCommand(ctx context.Context, c *domain.Command) error {
	t.s.commands[c.ID] = *c
	t.s.commandUpdates++
	return nil
}

func (t *fakeTx) ClaimStaleCommands(ctx context.Context, cutoff time.Time, limit int) ([]domain.Command, error) {
	var out []domain.Command
	for _, c := range t.s.commands {
		if c.Status == domain.CommandPending && c.CreatedAt.Before(cutoff) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

// fakeChecker is a WhatsApp driver that can check contacts.
type fakeChecker struct {
	fakeWhatsApp
	known   map[string]ContactCheck
	err     error
	calls   int
	logouts int
}

func (w *fakeChecker) Logout(ctx context.Context, instanceID string) error {
	w.logouts++
	return w.err
}

func (w *fakeChecker) CheckContacts(ctx context.Context, instanceID string, phones []string) ([]ContactCheck, error) {
	w.calls++
	if w.err != nil {
		return nil, w.err
	}
	var out []ContactCheck
	for _, p := range phones {
		if c, ok := w.known[p]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func (t *fakeTx) RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error {
	t.s.contactObservations = append(t.s.contactObservations, obs...)
	return nil
}

// fakeGroups are the groups of the fake store, by instance id and JID;
// written in place (group tests do not roll back).
type fakeGroups map[string]map[string]GroupInfo

func (s *fakeStore) groupsOf(instanceID string) map[string]GroupInfo {
	if s.groups == nil {
		s.groups = fakeGroups{}
	}
	if s.groups[instanceID] == nil {
		s.groups[instanceID] = map[string]GroupInfo{}
	}
	return s.groups[instanceID]
}

func cloneGroup(g GroupInfo) *GroupInfo {
	g.Participants = append([]GroupParticipant(nil), g.Participants...)
	return &g
}

func (t *fakeTx) LockGroup(ctx context.Context, instanceID, jid string) (*GroupInfo, error) {
	g, ok := t.s.groupsOf(instanceID)[jid]
	if !ok {
		return nil, domain.NotFound("group")
	}
	return cloneGroup(g), nil
}

func (t *fakeTx) SaveGroup(ctx context.Context, instanceID string, g GroupInfo, at time.Time) error {
	t.s.groupsOf(instanceID)[g.JID] = *cloneGroup(g)
	if t.s.groupVersions == nil {
		t.s.groupVersions = map[string]int64{}
	}
	t.s.lastGroupVersion++
	t.s.groupVersions[instanceID+"/"+g.JID] = t.s.lastGroupVersion
	return nil
}

func (t *fakeTx) DeleteGroup(ctx context.Context, instanceID, jid string) error {
	delete(t.s.groupsOf(instanceID), jid)
	return nil
}

func (s *fakeStore) ListGroups(ctx context.Context, instanceID string, p Page) ([]GroupSummary, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GroupSummary
	for _, g := range s.groupsOf(instanceID) {
		out = append(out, GroupSummary{GroupInfo: g, ParticipantsCount: len(g.Participants)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].JID < out[j].JID })
	return out, "", nil
}

func (s *fakeStore) Group(ctx context.Context, instanceID, jid string) (*GroupInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groupsOf(instanceID)[jid]
	if !ok {
		return nil, domain.NotFound("group")
	}
	return cloneGroup(g), nil
}

func (s *fakeStore) GroupVersions(ctx context.Context, instanceID string) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for jid := range s.groupsOf(instanceID) {
		out[jid] = s.groupVersions[instanceID+"/"+jid]
	}
	return out, nil
}

func (s *fakeStore) GroupMemberJIDs(ctx context.Context, instanceID, groupJID string) ([]string, error) {
	g, err := s.Group(ctx, instanceID, groupJID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range g.Participants {
		out = append(out, p.JID)
	}
	return out, nil
}
