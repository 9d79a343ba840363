package domain

import "strings"

// WhatsApp servers an address may name.
const (
	ServerPhone = "s.whatsapp.net"
	ServerLID   = "lid"
	ServerGroup = "g.us"
)

// AddressKind tells what an address names.
type AddressKind string

const (
	AddressPhone AddressKind = "phone" // a person by phone number
	AddressLID   AddressKind = "lid"   // a person by LID, WhatsApp's hidden-number id
	AddressGroup AddressKind = "group" // a group
)

// AddressRule is the reason given for an invalid address.
const AddressRule = "must be a phone number (digits, 8-15 long) or a WhatsApp JID (…@s.whatsapp.net, …@lid, …@g.us)"

// maxAddressUser bounds the user part of a LID or group JID: WhatsApp's are
// around 15-20 digits (old groups "<phone>-<timestamp>"); anything far
// longer is not an address.
const maxAddressUser = 64

// Address names a person or a chat on WhatsApp.
type Address struct {
	kind AddressKind
	user string // digits, or <digits>-<digits> for an old group
}

// ParseAddress accepts a phone number (NormalizePhone's rules) or a JID of
// a person by phone, a person by LID or a group. The zero Address and false
// for anything else.
func ParseAddress(s string) (Address, bool) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		p, ok := NormalizePhone(s)
		if !ok {
			return Address{}, false
		}
		return Address{kind: AddressPhone, user: p}, true
	}
	user, server := s[:at], s[at+1:]
	switch server {
	case ServerPhone:
		// A phone JID is the phone itself: same rules, no "+".
		if strings.HasPrefix(user, "+") {
			return Address{}, false
		}
		p, ok := NormalizePhone(user)
		if !ok {
			return Address{}, false
		}
		return Address{kind: AddressPhone, user: p}, true
	case ServerLID:
		if !isDigits(user) || len(user) > maxAddressUser {
			return Address{}, false
		}
		return Address{kind: AddressLID, user: user}, true
	case ServerGroup:
		if len(user) > maxAddressUser {
			return Address{}, false
		}
		// Old groups are "<creator phone>-<creation time>".
		a, b, old := strings.Cut(user, "-")
		if !isDigits(a) || (old && !isDigits(b)) {
			return Address{}, false
		}
		return Address{kind: AddressGroup, user: user}, true
	}
	return Address{}, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Kind tells what the address names.
func (a Address) Kind() AddressKind { return a.kind }

// User is the part before the "@": the phone digits, the LID or the group id.
func (a Address) User() string { return a.user }

// IsZero tells whether the address is empty (not parsed).
func (a Address) IsZero() bool { return a.kind == "" }

// IsGroup tells whether the address is a group.
func (a Address) IsGroup() bool { return a.kind == AddressGroup }

// IsLID tells whether the address is a person by LID.
func (a Address) IsLID() bool { return a.kind == AddressLID }

// Server is the JID server of the address.
func (a Address) Server() string {
	switch a.kind {
	case AddressPhone:
		return ServerPhone
	case AddressLID:
		return ServerLID
	case AddressGroup:
		return ServerGroup
	}
	return ""
}

// JID is the full WhatsApp JID, e.g. "5511999998888@s.whatsapp.net".
func (a Address) JID() string {
	if a.IsZero() {
		return ""
	}
	return a.user + "@" + a.Server()
}

// Phone is the phone number, "" when the address does not carry one.
func (a Address) Phone() string {
	if a.kind == AddressPhone {
		return a.user
	}
	return ""
}

// String is how messages store the address: the phone when known, else the
// JID (API.md: "`from` and `to` hold the phone when it is known").
func (a Address) String() string {
	if p := a.Phone(); p != "" {
		return p
	}
	return a.JID()
}
