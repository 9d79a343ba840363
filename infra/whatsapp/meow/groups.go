package meow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var _ app.GroupManager = (*Driver)(nil)

// groupClient is the part of *whatsmeow.Client the group calls use; tests
// stand in for WhatsApp with a fake.
type groupClient interface {
	GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error)
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	CreateGroup(ctx context.Context, req whatsmeow.ReqCreateGroup) (*types.GroupInfo, error)
	UpdateGroupParticipants(ctx context.Context, jid types.JID, changes []types.JID, action whatsmeow.ParticipantChange) ([]types.GroupParticipant, error)
	GetGroupInviteLink(ctx context.Context, jid types.JID, reset bool) (string, error)
	JoinGroupWithLink(ctx context.Context, code string) (types.JID, error)
	LeaveGroup(ctx context.Context, jid types.JID) error
	groupSetter
}

// groupSetter changes one setting of a group per call.
type groupSetter interface {
	SetGroupName(ctx context.Context, jid types.JID, name string) error
	SetGroupTopic(ctx context.Context, jid types.JID, previousID, newID, topic string) error
	SetGroupAnnounce(ctx context.Context, jid types.JID, announce bool) error
	SetGroupLocked(ctx context.Context, jid types.JID, locked bool) error
}

// JoinedGroups implements app.GroupManager.
func (d *Driver) JoinedGroups(ctx context.Context, instanceID string) ([]app.GroupInfo, error) {
	c, err := d.live(instanceID, "list groups")
	if err != nil {
		return nil, err
	}
	return joinedGroups(ctx, c)
}

// GroupInfo implements app.GroupManager.
func (d *Driver) GroupInfo(ctx context.Context, instanceID, jid string) (*app.GroupInfo, error) {
	c, err := d.live(instanceID, "read group")
	if err != nil {
		return nil, err
	}
	return groupInfo(ctx, c, jid)
}

// CreateGroup implements app.GroupManager.
func (d *Driver) CreateGroup(ctx context.Context, instanceID, subject string, participants []string) (*app.GroupInfo, error) {
	c, err := d.live(instanceID, "create group")
	if err != nil {
		return nil, err
	}
	return createGroup(ctx, c, subject, participants)
}

// UpdateGroup implements app.GroupManager.
func (d *Driver) UpdateGroup(ctx context.Context, instanceID, jid string, change app.GroupChange) error {
	c, err := d.live(instanceID, "update group")
	if err != nil {
		return err
	}
	return updateGroup(ctx, c, jid, change)
}

// UpdateParticipants implements app.GroupManager.
func (d *Driver) UpdateParticipants(ctx context.Context, instanceID, jid, action string, participants []string) ([]app.ParticipantResult, error) {
	c, err := d.live(instanceID, "update participants")
	if err != nil {
		return nil, err
	}
	return updateParticipants(ctx, c, jid, action, participants)
}

// InviteLink implements app.GroupManager.
func (d *Driver) InviteLink(ctx context.Context, instanceID, jid string, reset bool) (string, error) {
	c, err := d.live(instanceID, "invite link")
	if err != nil {
		return "", err
	}
	return inviteLink(ctx, c, jid, reset)
}

// JoinGroup implements app.GroupManager.
func (d *Driver) JoinGroup(ctx context.Context, instanceID, link string) (*app.GroupInfo, error) {
	c, err := d.live(instanceID, "join group")
	if err != nil {
		return nil, err
	}
	return joinGroup(ctx, c, link)
}

// LeaveGroup implements app.GroupManager.
func (d *Driver) LeaveGroup(ctx context.Context, instanceID, jid string) error {
	c, err := d.live(instanceID, "leave group")
	if err != nil {
		return err
	}
	return leaveGroup(ctx, c, jid)
}

func joinedGroups(ctx context.Context, c groupClient) ([]app.GroupInfo, error) {
	gs, err := c.GetJoinedGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", classify(err))
	}
	out := make([]app.GroupInfo, 0, len(gs))
	for _, g := range gs {
		if g != nil {
			out = append(out, ConvertGroup(*g))
		}
	}
	return out, nil
}

func groupInfo(ctx context.Context, c groupClient, jid string) (*app.GroupInfo, error) {
	g, err := ParseGroup(jid)
	if err != nil {
		return nil, err
	}
	info, err := c.GetGroupInfo(ctx, g)
	if err != nil {
		return nil, fmt.Errorf("read group %s: %w", g, classify(err))
	}
	return converted(info)
}

func createGroup(ctx context.Context, c groupClient, subject string, participants []string) (*app.GroupInfo, error) {
	req, err := CreateGroupRequest(subject, participants)
	if err != nil {
		return nil, err
	}
	info, err := c.CreateGroup(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("create group %q: %w", subject, classify(err))
	}
	return converted(info)
}

func updateGroup(ctx context.Context, c groupSetter, jid string, change app.GroupChange) error {
	g, err := ParseGroup(jid)
	if err != nil {
		return err
	}
	// One setting per call: a failure leaves the earlier ones applied, and
	// a retry sets them again to the same values.
	if change.Subject != nil {
		if err := c.SetGroupName(ctx, g, *change.Subject); err != nil {
			return fmt.Errorf("set subject of %s: %w", g, classify(err))
		}
	}
	if change.Description != nil {
		// No previous id: whatsmeow reads the group's current topic id
		// itself, which WhatsApp wants as "prev". "" deletes the topic.
		if err := c.SetGroupTopic(ctx, g, "", "", *change.Description); err != nil {
			return fmt.Errorf("set description of %s: %w", g, classify(err))
		}
	}
	if change.Announce != nil {
		if err := c.SetGroupAnnounce(ctx, g, *change.Announce); err != nil {
			return fmt.Errorf("set announce of %s: %w", g, classify(err))
		}
	}
	if change.Locked != nil {
		if err := c.SetGroupLocked(ctx, g, *change.Locked); err != nil {
			return fmt.Errorf("set locked of %s: %w", g, classify(err))
		}
	}
	return nil
}

func updateParticipants(ctx context.Context, c groupClient, jid, action string, participants []string) ([]app.ParticipantResult, error) {
	g, err := ParseGroup(jid)
	if err != nil {
		return nil, err
	}
	change, err := ParticipantChange(action)
	if err != nil {
		return nil, err
	}
	people, err := ParsePeople(participants)
	if err != nil {
		return nil, err
	}
	got, err := c.UpdateGroupParticipants(ctx, g, people, change)
	if err != nil {
		return nil, fmt.Errorf("%s participants of %s: %w", action, g, classify(err))
	}
	return ParticipantResults(people, got), nil
}

func inviteLink(ctx context.Context, c groupClient, jid string, reset bool) (string, error) {
	g, err := ParseGroup(jid)
	if err != nil {
		return "", err
	}
	link, err := c.GetGroupInviteLink(ctx, g, reset)
	if err != nil {
		return "", fmt.Errorf("invite link of %s: %w", g, classify(err))
	}
	return link, nil
}

func joinGroup(ctx context.Context, c groupClient, link string) (*app.GroupInfo, error) {
	code, err := InviteCode(link)
	if err != nil {
		return nil, err
	}
	g, err := c.JoinGroupWithLink(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("join group by invite %s: %w", code, classify(err))
	}
	info, err := c.GetGroupInfo(ctx, g)
	if errors.Is(err, whatsmeow.ErrNotInGroup) {
		// The join went through as a request: the group's admins approve
		// members, and the group arrives as a joined-group event when they do.
		return nil, fmt.Errorf("join group %s: the group's admins must approve the request first: %w", g, app.ErrPermanent)
	}
	if err != nil {
		return nil, fmt.Errorf("read joined group %s: %w", g, classify(err))
	}
	return converted(info)
}

func leaveGroup(ctx context.Context, c groupClient, jid string) error {
	g, err := ParseGroup(jid)
	if err != nil {
		return err
	}
	if err := c.LeaveGroup(ctx, g); err != nil {
		return fmt.Errorf("leave group %s: %w", g, classify(err))
	}
	return nil
}

// converted is the app's view of a group WhatsApp answered with.
func converted(info *types.GroupInfo) (*app.GroupInfo, error) {
	if info == nil {
		return nil, errors.New("WhatsApp answered without the group")
	}
	out := ConvertGroup(*info)
	return &out, nil
}

// ParseGroup is the JID of a group address; anything else wraps
// app.ErrPermanent.
func ParseGroup(s string) (types.JID, error) {
	a, ok := domain.ParseAddress(s)
	if !ok || !a.IsGroup() {
		return types.JID{}, fmt.Errorf("group %q is not a group JID (…@g.us): %w", s, app.ErrPermanent)
	}
	return JIDOf(a), nil
}

// ParsePeople are the JIDs of people's addresses (phone numbers, phone or
// LID JIDs); a group or a malformed address wraps app.ErrPermanent.
func ParsePeople(ss []string) ([]types.JID, error) {
	out := make([]types.JID, 0, len(ss))
	for _, s := range ss {
		a, ok := domain.ParseAddress(s)
		if !ok || a.IsGroup() {
			return nil, fmt.Errorf("participant %q is not a person: %w", s, app.ErrPermanent)
		}
		out = append(out, JIDOf(a))
	}
	return out, nil
}

// CreateGroupRequest is what CreateGroup asks of WhatsApp: the subject and
// the members besides us (WhatsApp adds the creator itself).
func CreateGroupRequest(subject string, participants []string) (whatsmeow.ReqCreateGroup, error) {
	people, err := ParsePeople(participants)
	if err != nil {
		return whatsmeow.ReqCreateGroup{}, err
	}
	return whatsmeow.ReqCreateGroup{Name: subject, Participants: people}, nil
}

// ParticipantChange is whatsmeow's name for a participant action.
func ParticipantChange(action string) (whatsmeow.ParticipantChange, error) {
	switch action {
	case app.ParticipantAdd:
		return whatsmeow.ParticipantChangeAdd, nil
	case app.ParticipantRemove:
		return whatsmeow.ParticipantChangeRemove, nil
	case app.ParticipantPromote:
		return whatsmeow.ParticipantChangePromote, nil
	case app.ParticipantDemote:
		return whatsmeow.ParticipantChangeDemote, nil
	}
	return "", fmt.Errorf("participant action %q is not add, remove, promote or demote: %w", action, app.ErrPermanent)
}

// ConvertGroup converts whatsmeow's group. Members whose addition failed
// (creating a group lists them with an error code) are not members.
func ConvertGroup(g types.GroupInfo) app.GroupInfo {
	out := app.GroupInfo{
		JID: g.JID.String(), Subject: g.Name, Description: g.Topic,
		Announce: g.IsAnnounce, Locked: g.IsLocked,
		Participants: make([]app.GroupParticipant, 0, len(g.Participants)),
	}
	if !g.GroupCreated.IsZero() {
		out.CreatedAt = g.GroupCreated.UTC()
	}
	owner := g.OwnerJID
	if owner.IsEmpty() {
		owner = g.OwnerPN
	}
	if !owner.IsEmpty() {
		out.Owner = owner.ToNonAD().String()
	}
	for _, p := range g.Participants {
		if p.JID.IsEmpty() || !participantOK(p.Error) {
			continue
		}
		out.Participants = append(out.Participants, Participant(p))
	}
	return out
}

// Participant is one member: JID as WhatsApp gave it, and its phone and
// LID whichever of them WhatsApp told.
func Participant(p types.GroupParticipant) app.GroupParticipant {
	out := app.GroupParticipant{JID: p.JID.ToNonAD().String(), Role: app.RoleMember}
	switch {
	case p.IsSuperAdmin:
		out.Role = app.RoleSuperAdmin
	case p.IsAdmin:
		out.Role = app.RoleAdmin
	}
	for _, j := range []types.JID{p.JID, p.PhoneNumber, p.LID} {
		switch j.Server {
		case types.DefaultUserServer:
			if out.Phone == "" {
				out.Phone = j.User
			}
		case types.HiddenUserServer:
			if out.LID == "" {
				out.LID = j.ToNonAD().String()
			}
		}
	}
	return out
}

// ParticipantResults answers for each asked participant, in the order
// asked. WhatsApp may answer under the person's other address (a LID for a
// phone), so an answer matches by any address it carries; answers left
// over pair with the asked ones left over, in order.
func ParticipantResults(asked []types.JID, got []types.GroupParticipant) []app.ParticipantResult {
	out := make([]app.ParticipantResult, len(asked))
	used := make([]bool, len(got))
	answered := make([]bool, len(asked))
	answer := func(i, j int) {
		used[j], answered[i] = true, true
		out[i].OK = participantOK(got[j].Error)
		if !out[i].OK {
			out[i].Error = participantError(got[j].Error)
		}
	}
	for i, a := range asked {
		out[i].JID = a.String()
		for j, g := range got {
			if !used[j] && carries(g, a) {
				answer(i, j)
				break
			}
		}
	}
	j := 0
	for i := range asked {
		if answered[i] {
			continue
		}
		for j < len(got) && used[j] {
			j++
		}
		if j == len(got) {
			out[i].Error = "WhatsApp's answer did not mention this participant"
			continue
		}
		answer(i, j)
	}
	return out
}

// carries tells whether p is the person a.
func carries(p types.GroupParticipant, a types.JID) bool {
	a = a.ToNonAD()
	for _, j := range []types.JID{p.JID, p.PhoneNumber, p.LID} {
		if !j.IsEmpty() && j.ToNonAD() == a {
			return true
		}
	}
	return false
}

func participantOK(code int) bool { return code == 0 || code == 200 }

// participantError is WhatsApp's code for one participant, with what it
// means when known.
func participantError(code int) string {
	meaning := map[int]string{
		401: "not authorized",
		403: "not authorized: their privacy settings keep you from adding them; send them the invite link",
		404: "not found: not on WhatsApp, or not in the group",
		406: "not acceptable",
		408: "recently left the group: only an invite link brings them back",
		409: "already a member",
		500: "WhatsApp server error",
	}[code]
	if meaning == "" {
		meaning = "refused by WhatsApp"
	}
	return strconv.Itoa(code) + " " + meaning
}

// inviteCodeMax bounds an invite code; WhatsApp's are 22 characters.
const inviteCodeMax = 64

// InviteCode is the code of an invite link: a full
// https://chat.whatsapp.com/<code> link or the code alone. Anything else
// wraps app.ErrPermanent.
func InviteCode(link string) (string, error) {
	code := strings.TrimSpace(link)
	for _, prefix := range []string{"https://", "http://"} {
		code = strings.TrimPrefix(code, prefix)
	}
	if rest, ok := strings.CutPrefix(code, "chat.whatsapp.com/"); ok {
		code = rest
		// A shared link may carry a query or a trailing slash.
		code, _, _ = strings.Cut(code, "?")
		code = strings.TrimSuffix(code, "/")
	}
	if code == "" || len(code) > inviteCodeMax || strings.IndexFunc(code, notCodeChar) >= 0 {
		return "", fmt.Errorf("invite %q is not a https://chat.whatsapp.com/… link or its code: %w", link, app.ErrPermanent)
	}
	return code, nil
}

func notCodeChar(r rune) bool {
	return (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
}
