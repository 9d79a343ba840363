package domain

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TypePoll is a poll: a question with options people vote for.
const TypePoll MessageType = "poll"

// Limits on locations, contact cards and polls. WhatsApp's own apps stop
// a poll's question at 255 characters and an option at 100.
const (
	MaxPlaceRunes        = 1024 // a location's name or address
	MaxContacts          = 10   // people in one contact message
	MaxContactPhones     = 10   // phones of one person
	MaxContactFieldRunes = 256  // a person's name, organization or email
	MaxPollQuestionRunes = 255
	MaxPollOptionRunes   = 100
	MinPollOptions       = 2
	MaxPollOptions       = 12
)

// Location is a place a message shares.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

// LocationDraft is a location a client asks to send; the coordinates are
// pointers because 0 is a place (in the Gulf of Guinea), not "missing".
type LocationDraft struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
}

// locationProblems records in fields what is wrong with a location a
// client asks to send, or returns it.
func locationProblems(fields map[string]string, d *LocationDraft) *Location {
	n := len(fields)
	switch {
	case d.Latitude == nil:
		fields["location.latitude"] = "is required"
	case math.IsNaN(*d.Latitude) || *d.Latitude < -90 || *d.Latitude > 90:
		fields["location.latitude"] = "must be a number from -90 to 90"
	}
	switch {
	case d.Longitude == nil:
		fields["location.longitude"] = "is required"
	case math.IsNaN(*d.Longitude) || *d.Longitude < -180 || *d.Longitude > 180:
		fields["location.longitude"] = "must be a number from -180 to 180"
	}
	if utf8.RuneCountInString(d.Name) > MaxPlaceRunes {
		fields["location.name"] = "must be at most 1024 characters"
	}
	if utf8.RuneCountInString(d.Address) > MaxPlaceRunes {
		fields["location.address"] = "must be at most 1024 characters"
	}
	checkTexts(fields, "location.name", d.Name, "location.address", d.Address)
	if len(fields) > n {
		return nil
	}
	return &Location{Latitude: *d.Latitude, Longitude: *d.Longitude, Name: d.Name, Address: d.Address}
}

// ContactCard is one person a contact message shares. Sent cards hold what
// the client gave (VCard is built from it when sending); received ones are
// read from the vCard WhatsApp delivered, kept whole in VCard.
type ContactCard struct {
	Name         string   `json:"name"`
	Phones       []string `json:"phones"`
	Organization string   `json:"organization"`
	Email        string   `json:"email"`
	VCard        string   `json:"vcard,omitempty"`
}

// contactProblems records in fields what is wrong with the people a client
// asks to send, naming the first bad one ("contacts[2].phones").
func contactProblems(fields map[string]string, cs []ContactCard) []ContactCard {
	if len(cs) < 1 || len(cs) > MaxContacts {
		fields["contacts"] = "must hold 1 to 10 people"
		return nil
	}
	out := make([]ContactCard, 0, len(cs))
	for i, c := range cs {
		at := "contacts[" + strconv.Itoa(i) + "]."
		n := len(fields)
		switch {
		case strings.TrimSpace(c.Name) == "":
			fields[at+"name"] = "is required"
		case utf8.RuneCountInString(c.Name) > MaxContactFieldRunes:
			fields[at+"name"] = "must be at most 256 characters"
		}
		if len(c.Phones) < 1 || len(c.Phones) > MaxContactPhones {
			fields[at+"phones"] = "must hold 1 to 10 phone numbers"
		}
		phones := make([]string, 0, len(c.Phones))
		for _, p := range c.Phones {
			norm, ok := NormalizePhone(p)
			if !ok {
				fields[at+"phones"] = "each " + PhoneRule
				break
			}
			phones = append(phones, norm)
		}
		if utf8.RuneCountInString(c.Organization) > MaxContactFieldRunes {
			fields[at+"organization"] = "must be at most 256 characters"
		}
		if utf8.RuneCountInString(c.Email) > MaxContactFieldRunes || (c.Email != "" && !strings.Contains(c.Email, "@")) {
			fields[at+"email"] = "must be an email address, at most 256 characters"
		}
		checkTexts(fields, at+"name", c.Name, at+"organization", c.Organization, at+"email", c.Email)
		if len(fields) > n {
			return nil // one person's reasons are enough to fix the request
		}
		out = append(out, ContactCard{Name: c.Name, Phones: phones, Organization: c.Organization, Email: c.Email})
	}
	return out
}

// PollDraft is a poll a client asks to send.
type PollDraft struct {
	Question string   `json:"question"`
	Options  []string `json:"options"`
	// Selectable is how many options one person may choose; 0 = any number.
	Selectable int `json:"selectable"`
}

// Poll is a poll with its tally.
type Poll struct {
	Question   string       `json:"question"`
	Selectable int          `json:"selectable"`
	Options    []PollOption `json:"options"`
}

// PollOption is one choice of a poll and how many people chose it.
type PollOption struct {
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

// pollProblems records in fields what is wrong with a poll a client asks
// to send, or returns the poll with no votes.
func pollProblems(fields map[string]string, d *PollDraft) *Poll {
	n := len(fields)
	switch {
	case strings.TrimSpace(d.Question) == "":
		fields["poll.question"] = "is required"
	case utf8.RuneCountInString(d.Question) > MaxPollQuestionRunes:
		fields["poll.question"] = "must be at most 255 characters"
	}
	checkTexts(fields, "poll.question", d.Question)
	if len(d.Options) < MinPollOptions || len(d.Options) > MaxPollOptions {
		fields["poll.options"] = "must hold 2 to 12 options"
	}
	seen := map[string]bool{}
	for i, o := range d.Options {
		at := "poll.options[" + strconv.Itoa(i) + "]"
		switch {
		case strings.TrimSpace(o) == "":
			fields[at] = "must not be empty"
		case utf8.RuneCountInString(o) > MaxPollOptionRunes:
			fields[at] = "must be at most 100 characters"
		case seen[o]:
			// Votes name options by a hash of their text: two equal
			// options could not be told apart.
			fields[at] = "repeats an earlier option; options must be distinct"
		}
		checkTexts(fields, at, o)
		seen[o] = true
	}
	if d.Selectable < 0 || d.Selectable > len(d.Options) {
		fields["poll.selectable"] = "must be from 0 (any number) to the number of options"
	}
	if len(fields) > n {
		return nil
	}
	p := &Poll{Question: d.Question, Selectable: d.Selectable, Options: make([]PollOption, len(d.Options))}
	for i, o := range d.Options {
		p.Options[i] = PollOption{Name: o}
	}
	return p
}

// OptionsByHash names the options a vote chose by their SHA-256 hashes,
// as WhatsApp carries them, in the poll's order. Hashes of no option are
// dropped: an option the poll never had cannot count.
func (p *Poll) OptionsByHash(hashes [][]byte) []string {
	chosen := map[[sha256.Size]byte]bool{}
	for _, h := range hashes {
		if len(h) == sha256.Size {
			chosen[[sha256.Size]byte(h)] = true
		}
	}
	out := []string{}
	for _, o := range p.Options {
		if chosen[sha256.Sum256([]byte(o.Name))] {
			out = append(out, o.Name)
		}
	}
	return out
}

// Choose checks the options a voter names (the sim's votes) and returns
// them in the poll's order, each once. An empty choice withdraws a vote.
func (p *Poll) Choose(names []string) ([]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := []string{}
	for _, o := range p.Options {
		if want[o.Name] {
			out = append(out, o.Name)
			delete(want, o.Name)
		}
	}
	if len(want) > 0 {
		return nil, InvalidField("selected", "must name options of the poll")
	}
	if p.Selectable > 0 && len(out) > p.Selectable {
		return nil, InvalidField("selected", "may choose at most "+strconv.Itoa(p.Selectable)+" options")
	}
	return out, nil
}

// Tally counts the current choice of every voter: a voter's later vote
// replaced their earlier one before it got here, so each counts once.
func (p *Poll) Tally(choices [][]string) {
	votes := map[string]int{}
	for _, c := range choices {
		for _, name := range c {
			votes[name]++
		}
	}
	for i := range p.Options {
		p.Options[i].Votes = votes[p.Options[i].Name]
	}
}

// TallyPoll sets the votes of the poll a message carries.
func (m *Message) TallyPoll(choices [][]string) error {
	if m.Poll == nil {
		return NotFound("poll")
	}
	m.Poll.Tally(choices)
	return nil
}

// cleanPoll makes a poll WhatsApp delivered storable, as CleanText does.
func cleanPoll(p *Poll) *Poll {
	if p == nil {
		return nil
	}
	out := &Poll{Question: CleanText(p.Question), Selectable: max(p.Selectable, 0), Options: make([]PollOption, 0, len(p.Options))}
	for _, o := range p.Options {
		out.Options = append(out.Options, PollOption{Name: CleanText(o.Name)})
	}
	return out
}

func cleanLocation(l *Location) *Location {
	if l == nil {
		return nil
	}
	out := *l
	out.Name, out.Address = CleanText(l.Name), CleanText(l.Address)
	return &out
}

func cleanContacts(cs []ContactCard) []ContactCard {
	var out []ContactCard
	for _, c := range cs {
		phones := make([]string, 0, len(c.Phones))
		for _, p := range c.Phones {
			phones = append(phones, CleanText(p))
		}
		out = append(out, ContactCard{Name: CleanText(c.Name), Phones: phones, Organization: CleanText(c.Organization),
			Email: CleanText(c.Email), VCard: CleanText(c.VCard)})
	}
	return out
}

// legacyExtra is what messages received before typed fields existed kept
// in extra for locations and contact cards.
type legacyExtra struct {
	Location *Location `json:"location"`
	Contacts []struct {
		DisplayName string `json:"display_name"`
		VCard       string `json:"vcard"`
	} `json:"contacts"`
}

// LiftLegacyExtra fills the typed location and contacts of a message
// stored before they existed from its extra, so old rows read as new ones.
func (m *Message) LiftLegacyExtra() {
	if len(m.Extra) == 0 || m.Location != nil || m.Contacts != nil {
		return
	}
	var old legacyExtra
	if json.Unmarshal(m.Extra, &old) != nil {
		return
	}
	m.Location = old.Location
	for _, c := range old.Contacts {
		card := ParseVCard(c.VCard)
		if c.DisplayName != "" {
			card.Name = c.DisplayName
		}
		m.Contacts = append(m.Contacts, card)
	}
}

// StickerRule is the reason given for a sticker that is not WebP.
const StickerRule = "must be an image/webp file for a sticker"

// kindProblems checks what a sticker, location, contact or poll message
// carries, and that other types carry none of it.
func kindProblems(fields map[string]string, typ MessageType, d OutgoingDraft) (*Location, []ContactCard, *Poll) {
	var (
		location *Location
		contacts []ContactCard
		poll     *Poll
	)
	if typ == TypeSticker && d.Media != nil && d.Media.Mime != "image/webp" {
		fields["media"] = StickerRule
	}
	switch {
	case typ == TypeLocation && d.Location == nil:
		fields["location"] = "is required for a location message"
	case typ == TypeLocation:
		location = locationProblems(fields, d.Location)
	case d.Location != nil:
		fields["location"] = "is only for a location message"
	}
	switch {
	case typ == TypeContact && d.Contacts == nil:
		fields["contacts"] = "is required for a contact message"
	case typ == TypeContact:
		contacts = contactProblems(fields, d.Contacts)
	case d.Contacts != nil:
		fields["contacts"] = "is only for a contact message"
	}
	switch {
	case typ == TypePoll && d.Poll == nil:
		fields["poll"] = "is required for a poll message"
	case typ == TypePoll:
		poll = pollProblems(fields, d.Poll)
	case d.Poll != nil:
		fields["poll"] = "is only for a poll message"
	}
	return location, contacts, poll
}

// kindParts are the fingerprint parts of a location, contact or poll
// draft; none for other drafts, so older fingerprints still match.
func (d OutgoingDraft) kindParts() []string {
	var parts []string
	add := func(name string, v any) {
		b, _ := json.Marshal(v) // plain data: cannot fail
		parts = append(parts, name, string(b))
	}
	if d.Location != nil {
		add("location", d.Location)
	}
	if d.Contacts != nil {
		add("contacts", d.Contacts)
	}
	if d.Poll != nil {
		add("poll", d.Poll)
	}
	return parts
}

// ParseLocation checks a location by the rules of a sent one (the sim
// injects received ones with them).
func ParseLocation(d *LocationDraft) (*Location, error) {
	fields := map[string]string{}
	if d == nil {
		return nil, InvalidField("location", "is required for a location message")
	}
	l := locationProblems(fields, d)
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	return l, nil
}

// ParseContacts checks people by the rules of a sent contact message.
func ParseContacts(cs []ContactCard) ([]ContactCard, error) {
	fields := map[string]string{}
	out := contactProblems(fields, cs)
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	return out, nil
}

// ParsePoll checks a poll by the rules of a sent one.
func ParsePoll(d *PollDraft) (*Poll, error) {
	if d == nil {
		return nil, InvalidField("poll", "is required for a poll message")
	}
	fields := map[string]string{}
	p := pollProblems(fields, d)
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	return p, nil
}
