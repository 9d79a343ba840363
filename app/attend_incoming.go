package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// AttendIncoming files received messages, in order and in one transaction,
// each into its client's open attendance, opening one when there is none.
// Messages sent from the linked phone itself are not customers writing in;
// group messages are only when the instance attends groups (the group is
// then the client). Running it twice for the same message changes nothing
// the second time.
func (a *App) AttendIncoming(ctx context.Context, msgs ...events.Message) error {
	var todo []events.Message
	var seen []*domain.Client
	known := map[string]*domain.Client{} // per address: a batch is mostly a few people writing
	for _, m := range msgs {
		if c, ok := customer(m); ok {
			if c.IsGroup() {
				todo, seen = append(todo, m), append(seen, c)
				continue
			}
			if err := a.knownAs(ctx, c, known); err != nil {
				return err
			}
			todo, seen = append(todo, m), append(seen, c)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	var route []string // teams with a new attendance in their queue
	err := a.store.InTx(ctx, func(tx Tx) error {
		route = route[:0]
		memo := newFilingMemo()
		var envs []events.Envelope
		for i, m := range todo {
			filed, team, err := a.fileIncoming(ctx, tx, m, seen[i], memo)
			if err != nil {
				return err
			}
			envs = append(envs, filed...)
			if team != "" {
				route = append(route, team)
			}
		}
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return err
	}
	// Routing takes its own transaction per team after the attendances
	// exist, so a batch never holds two teams' locks at once.
	a.routeFor(ctx, nil, route...)
	return nil
}

// knownAs completes a customer seen by one address with the other one the
// instance's contacts know (a check or an earlier message showed both), so
// that a person writing by LID is the client who wrote by phone. What
// each address is known as is read once per batch (known).
func (a *App) knownAs(ctx context.Context, c *domain.Client, known map[string]*domain.Client) error {
	if a.contacts == nil || (c.Phone != "" && c.LID != "") {
		return nil
	}
	key := c.InstanceID + "/" + c.Address()
	k, ok := known[key]
	if !ok {
		addr, _ := domain.ParseAddress(c.Address())
		contact, err := a.contacts.Contact(ctx, c.InstanceID, addr)
		switch {
		case domain.KindOf(err) == domain.KindNotFound:
		case err != nil:
			return fmt.Errorf("attend incoming: %w", err)
		default:
			k = &domain.Client{Phone: contact.Phone, LID: contact.LID}
		}
		known[key] = k
	}
	if k != nil {
		c.Learn(*k)
	}
	return nil
}

// filingMemo holds what one filing transaction read about each instance:
// its settings and its team do not change under a batch, and reading them
// once per message was two statements each.
type filingMemo struct {
	settings map[string]*domain.Instance
	teams    map[string]string
}

func newFilingMemo() *filingMemo {
	return &filingMemo{settings: map[string]*domain.Instance{}, teams: map[string]string{}}
}

func (f *filingMemo) instanceSettings(ctx context.Context, a *App, tx Tx, id string) (*domain.Instance, error) {
	if in, ok := f.settings[id]; ok {
		return in, nil
	}
	in, err := a.instanceSettings(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	f.settings[id] = in
	return in, nil
}

func (f *filingMemo) teamOf(ctx context.Context, rt RoutingTx, id string) (string, error) {
	if team, ok := f.teams[id]; ok {
		return team, nil
	}
	team, err := rt.TeamOfInstance(ctx, id)
	if err != nil {
		return "", err
	}
	f.teams[id] = team
	return team, nil
}

// fileIncoming files one message, from the customer seen, and returns the
// events it caused and, when it opened an attendance in a team's queue,
// the team.
func (a *App) fileIncoming(ctx context.Context, tx Tx, m events.Message, seen *domain.Client, memo *filingMemo) ([]events.Envelope, string, error) {
	now := a.now()
	if seen.IsGroup() {
		attend, err := a.attendsGroup(ctx, tx, seen)
		if err != nil || !attend {
			return nil, "", err
		}
	}
	client, merged, err := tx.UpsertClient(ctx, seen)
	if err != nil {
		return nil, "", err
	}
	var envs []events.Envelope
	if merged != nil {
		// Its messages now live in the older client's attendance.
		envs = append(envs, newEvent(events.AttendanceClosed, m.InstanceID, now, events.AttendanceClosedData{
			AttendanceID: merged.ID, Reason: string(merged.ClosedReason), ClosedAt: *merged.ClosedAt}))
	}
	in, err := memo.instanceSettings(ctx, a, tx, m.InstanceID)
	if err != nil {
		return nil, "", err
	}
	draft := domain.OpenAttendance(m.InstanceID, client.ID, m.CreatedAt)
	draft.StartSLA(in.FirstResponseSLA)
	// What a new attendance answers; used only if the draft is the one
	// stored.
	opening := hoursReply(in, draft, true, m.CreatedAt, now)
	if rt, ok := routingTx(tx); ok {
		team, err := memo.teamOf(ctx, rt, m.InstanceID)
		if err != nil {
			return nil, "", err
		}
		draft.JoinTeam(team)
	}
	att, created, err := tx.OpenAttendanceFor(ctx, draft)
	if err != nil {
		return nil, "", err
	}
	linked, err := tx.LinkMessage(ctx, m.ID, att.ID)
	if err != nil {
		return nil, "", err
	}
	if !linked {
		return envs, "", nil // already filed: a redelivered event
	}
	answer := ""
	if created {
		// The new attendance already counts this message.
		envs = append(envs, newEvent(events.AttendanceOpened, m.InstanceID, now, events.AttendanceOpenedData{
			AttendanceID: att.ID, Client: clientData(client)}))
		answer = opening
	} else {
		// OpenAttendanceFor holds it locked: change and store it.
		answer = hoursReply(in, att, false, m.CreatedAt, now)
		if err := att.Touch(domain.FromClient, m.CreatedAt); err != nil {
			return nil, "", err
		}
		if err := tx.SaveAttendance(ctx, att); err != nil {
			return nil, "", err
		}
	}
	envs = append(envs, newEvent(events.AttendanceMsg, m.InstanceID, now, events.AttendanceMessage{
		AttendanceID: att.ID, From: string(domain.FromClient), Message: m}))
	if answer != "" {
		send, err := a.sendToClient(ctx, tx, att, client, answer, now)
		if err != nil {
			return nil, "", err
		}
		envs = append(envs, send)
	}
	team := ""
	if created && att.AttendantID == "" {
		team = att.TeamID
	}
	return envs, team, nil
}

// customer is the client who wrote m, by phone, LID or both (from_lid),
// or the group when m was written in one (filed only if the instance
// attends groups: attendsGroup); false for messages from the linked phone
// itself.
func customer(m events.Message) (*domain.Client, bool) {
	if m.Direction != string(domain.DirectionIn) || m.FromMe {
		return nil, false
	}
	// The chat decides, whatever flag the driver set; a group flag with no
	// group chat names nobody.
	if chat, ok := domain.ParseAddress(m.Chat); ok && chat.IsGroup() {
		return domain.NewGroupClient(m.InstanceID, chat, "", m.CreatedAt)
	}
	if m.IsGroup {
		return nil, false
	}
	from, ok := domain.ParseAddress(m.From)
	if !ok {
		return nil, false
	}
	lid, _ := domain.ParseAddress(m.FromLID)
	return domain.NewClient(m.InstanceID, from, lid, m.PushName, m.CreatedAt)
}

func clientData(c *domain.Client) events.Client {
	return events.Client{ID: c.ID, Phone: c.Phone, LID: c.LID, PushName: c.PushName, GroupJID: c.GroupJID}
}
