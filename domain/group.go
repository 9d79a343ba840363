package domain

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// WhatsApp's limits on a group's texts and size.
const (
	MaxGroupSubject      = 100  // characters
	MaxGroupDescription  = 2048 // characters
	MaxGroupParticipants = 1024 // per request
)

// GroupJIDRule is the reason given for an address that is not a group.
const GroupJIDRule = "must be a group JID (…@g.us)"

// ParseGroupJID accepts a group JID only; the error names field.
func ParseGroupJID(field, s string) (Address, error) {
	a, ok := ParseAddress(s)
	if !ok || !a.IsGroup() {
		return Address{}, InvalidField(field, GroupJIDRule)
	}
	return a, nil
}

// CheckGroupSubject applies WhatsApp's rule for a subject: 1 to 100
// characters, not only spaces, storable text.
func CheckGroupSubject(s string) error {
	if err := CheckText("subject", s); err != nil {
		return err
	}
	if strings.TrimSpace(s) == "" {
		return InvalidField("subject", "is required")
	}
	if utf8.RuneCountInString(s) > MaxGroupSubject {
		return InvalidField("subject", "must be at most 100 characters")
	}
	return nil
}

// CheckGroupDescription applies the rule for a description: at most 2048
// characters (empty clears it), storable text.
func CheckGroupDescription(s string) error {
	if err := CheckText("description", s); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > MaxGroupDescription {
		return InvalidField("description", "must be at most 2048 characters")
	}
	return nil
}

// ParseGroupParticipants reads the people of a group request: phones or
// person JIDs (never groups), between min and MaxGroupParticipants of
// them, repeats dropped. It returns their JIDs in the order given.
func ParseGroupParticipants(list []string, min int) ([]string, error) {
	if len(list) < min || len(list) > MaxGroupParticipants {
		return nil, InvalidField("participants", "must hold "+strconv.Itoa(min)+" to 1024 addresses")
	}
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, s := range list {
		a, ok := ParseAddress(s)
		if !ok || a.IsGroup() {
			return nil, InvalidField("participants", "item "+strconv.Itoa(i)+" must be a person: a phone number, a phone JID or a LID")
		}
		if j := a.JID(); !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out, nil
}

// GroupUpdate is a change of a group's settings; nil fields stay as they
// are, and at least one is set.
type GroupUpdate struct {
	Subject     *string
	Description *string
	Announce    *bool
	Locked      *bool
}

// NewGroupUpdate checks a settings change.
func NewGroupUpdate(subject, description *string, announce, locked *bool) (GroupUpdate, error) {
	if subject == nil && description == nil && announce == nil && locked == nil {
		return GroupUpdate{}, Invalid(map[string]string{
			"subject": "at least one of subject, description, announce or locked is required"})
	}
	if subject != nil {
		if err := CheckGroupSubject(*subject); err != nil {
			return GroupUpdate{}, err
		}
	}
	if description != nil {
		if err := CheckGroupDescription(*description); err != nil {
			return GroupUpdate{}, err
		}
	}
	return GroupUpdate{Subject: subject, Description: description, Announce: announce, Locked: locked}, nil
}

// ParticipantAction is what a participants request does.
type ParticipantAction string

const (
	ParticipantAdd     ParticipantAction = "add"
	ParticipantRemove  ParticipantAction = "remove"
	ParticipantPromote ParticipantAction = "promote"
	ParticipantDemote  ParticipantAction = "demote"
)

// ParseParticipantAction accepts add, remove, promote or demote.
func ParseParticipantAction(s string) (ParticipantAction, error) {
	switch a := ParticipantAction(s); a {
	case ParticipantAdd, ParticipantRemove, ParticipantPromote, ParticipantDemote:
		return a, nil
	}
	return "", InvalidField("action", "must be add, remove, promote or demote")
}

// InviteLinkPrefix starts every group invite link.
const InviteLinkPrefix = "https://chat.whatsapp.com/"

// maxInviteCode bounds an invite code; WhatsApp's are 22 characters.
const maxInviteCode = 64

// ParseInviteLink accepts https://chat.whatsapp.com/<code> or the bare
// code and returns the code.
func ParseInviteLink(s string) (string, error) {
	code := strings.TrimPrefix(s, InviteLinkPrefix)
	if code == "" || len(code) > maxInviteCode {
		return "", InvalidField("link", "must be an invite link (https://chat.whatsapp.com/…) or its code")
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "", InvalidField("link", "must be an invite link (https://chat.whatsapp.com/…) or its code")
		}
	}
	return code, nil
}
