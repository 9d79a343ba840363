package domain

import "time"

// NewGroupClient is a group, seen first at, taken as one client: its
// members write as one conversation and replies go to the group. subject
// (the group's name when known) stands for its push name. False when
// group is not a group address.
func NewGroupClient(instanceID string, group Address, subject string, at time.Time) (*Client, bool) {
	if !group.IsGroup() {
		return nil, false
	}
	return &Client{ID: NewID(at), InstanceID: instanceID, GroupJID: group.JID(), PushName: subject,
		FirstSeenAt: at, LastSeenAt: at}, true
}

// IsGroup tells whether the client is a group rather than a person.
func (c *Client) IsGroup() bool { return c.GroupJID != "" }
