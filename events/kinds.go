package events

// PollVote is the name of the event a vote on a poll emits.
const PollVote = "poll.vote"

// Location is a message's shared place.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

// ContactCard is one person a contact message shares; VCard is the card
// as WhatsApp delivered it (received messages only).
type ContactCard struct {
	Name         string   `json:"name"`
	Phones       []string `json:"phones"`
	Organization string   `json:"organization"`
	Email        string   `json:"email"`
	VCard        string   `json:"vcard,omitempty"`
}

// Poll is a poll with its tally.
type Poll struct {
	Question   string       `json:"question"`
	Selectable int          `json:"selectable"` // 0 = any number
	Options    []PollOption `json:"options"`
}

// PollOption is one choice of a poll and how many people chose it.
type PollOption struct {
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

// PollVoted is the data of poll.vote: a voter's current choice, which
// replaced their earlier one; an empty selected withdrew their vote.
type PollVoted struct {
	MessageID string   `json:"message_id"`
	Voter     string   `json:"voter"`
	Selected  []string `json:"selected"`
	// AttendanceID is the poll's attendance, as in message.reaction.
	AttendanceID string `json:"attendance_id,omitempty"`
}
