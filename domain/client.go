package domain

import "time"

// NewClient is a customer first seen at: by the phone of addr, its LID,
// or both when lid (a LID address) is given too. False when nothing names
// a person (a group, a zero address).
func NewClient(instanceID string, addr Address, lid Address, pushName string, at time.Time) (*Client, bool) {
	c := &Client{ID: NewID(at), InstanceID: instanceID, PushName: pushName, FirstSeenAt: at, LastSeenAt: at}
	switch addr.Kind() {
	case AddressPhone:
		c.Phone = addr.Phone()
	case AddressLID:
		c.LID = addr.JID()
	default:
		return nil, false
	}
	if lid.IsLID() && c.LID == "" {
		c.LID = lid.JID()
	}
	return c, true
}

// Address is where messages to the client go: the group for a group
// client, else the phone when known, else the LID.
func (c *Client) Address() string {
	if c.GroupJID != "" {
		return c.GroupJID
	}
	if c.Phone != "" {
		return c.Phone
	}
	return c.LID
}

// Conflicts tells whether c and o cannot be one person: each holds a
// different phone or a different LID. WhatsApp's pairing is not ours to
// undo, so such clients stay apart.
func (c *Client) Conflicts(o Client) bool {
	differ := func(a, b string) bool { return a != "" && b != "" && a != b }
	return differ(c.Phone, o.Phone) || differ(c.LID, o.LID)
}

// Learn folds in what a later (or earlier) sighting of the same person
// showed: a phone or LID c did not know (a known one is never replaced),
// the newest push name, the seen span.
func (c *Client) Learn(seen Client) {
	if c.Phone == "" {
		c.Phone = seen.Phone
	}
	if c.LID == "" {
		c.LID = seen.LID
	}
	if seen.PushName != "" && (!seen.LastSeenAt.Before(c.LastSeenAt) || c.PushName == "") {
		c.PushName = seen.PushName
	}
	if seen.FirstSeenAt.Before(c.FirstSeenAt) && !seen.FirstSeenAt.IsZero() {
		c.FirstSeenAt = seen.FirstSeenAt
	}
	if seen.LastSeenAt.After(c.LastSeenAt) {
		c.LastSeenAt = seen.LastSeenAt
	}
}

// MergeInto ends a, the open attendance of a client found to be keep's
// client too: keep takes its unread messages, its activity and, when keep
// has none, its attendant; a closes as merged. The caller moves a's
// messages into keep, so nothing is lost.
func (a *Attendance) MergeInto(keep *Attendance, now time.Time) error {
	if a.Status != AttendanceOpen || keep.Status != AttendanceOpen {
		return errAttendanceClosed
	}
	keep.Unread += a.Unread
	if a.LastActivityAt.After(keep.LastActivityAt) {
		keep.LastActivityAt, keep.LastMessageFrom = a.LastActivityAt, a.LastMessageFrom
	}
	if keep.AttendantID == "" {
		keep.AttendantID = a.AttendantID
	}
	a.Unread = 0
	a.Status, a.ClosedReason, a.ClosedAt = AttendanceClosed, ClosedMerged, &now
	return nil
}
