package domain

import "time"

// Contact is a person an instance knows. JID is the phone JID, LID the
// hidden-number JID; either may be unknown ("") but not both.
type Contact struct {
	JID          string
	LID          string
	Phone        string
	Name         string
	PushName     string
	BusinessName string
	Blocked      bool
	UpdatedAt    time.Time
}

// ContactObservation is what one source (a message, a check) saw of a
// person; empty fields were not seen. Blocked is applied only when
// BlockedKnown, so that a message does not unblock anyone.
type ContactObservation struct {
	JID          string
	LID          string
	Phone        string
	Name         string
	PushName     string
	BusinessName string
	Blocked      bool
	BlockedKnown bool
	At           time.Time
}

// NewContactObservation fills JID, LID and Phone from addr: a phone address
// gives the phone and its JID, a LID address the LID. Groups are not people.
func NewContactObservation(addr Address, at time.Time) (ContactObservation, bool) {
	o := ContactObservation{At: at}
	switch addr.Kind() {
	case AddressPhone:
		o.JID, o.Phone = addr.JID(), addr.Phone()
	case AddressLID:
		o.LID = addr.JID()
	default:
		return ContactObservation{}, false
	}
	return o, true
}

// Identified tells whether the observation names someone.
func (o ContactObservation) Identified() bool { return o.JID != "" || o.LID != "" }

// Merge folds o into c: it fills what c does not know and never loses a
// known phone, JID or LID (WhatsApp does not move an account to another
// number silently; a new number is a new phone JID). Names change: the
// newest observation that carries one wins. Blocked follows the newest
// observation that knows it.
func (c *Contact) Merge(o ContactObservation) {
	newer := !o.At.Before(c.UpdatedAt)
	keep := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	keep(&c.JID, o.JID)
	keep(&c.LID, o.LID)
	keep(&c.Phone, o.Phone)
	set := func(dst *string, v string) {
		if v != "" && (newer || *dst == "") {
			*dst = v
		}
	}
	set(&c.Name, o.Name)
	set(&c.PushName, o.PushName)
	set(&c.BusinessName, o.BusinessName)
	if o.BlockedKnown && newer {
		c.Blocked = o.Blocked
	}
	if newer {
		c.UpdatedAt = o.At
	}
}

// MergeContact folds another stored row of the same person into c, as when
// an observation shows a phone-only and a LID-only row are one person.
func (c *Contact) MergeContact(other Contact) {
	c.Merge(ContactObservation{JID: other.JID, LID: other.LID, Phone: other.Phone, Name: other.Name,
		PushName: other.PushName, BusinessName: other.BusinessName, Blocked: other.Blocked, BlockedKnown: true,
		At: other.UpdatedAt})
}
