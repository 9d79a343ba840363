package domain

import "strconv"

// MaxMentions bounds the people one message may mention (a WhatsApp group
// holds at most 1024 members).
const MaxMentions = 1024

// MentionsRule is the reason given for a bad mentions list.
const MentionsRule = "must hold at most 1024 addresses of people (phone numbers, …@s.whatsapp.net or …@lid)"

// ParseMentions turns the addresses a client mentions into JIDs, in order,
// each person once. Groups are not people: they cannot be mentioned.
func ParseMentions(addrs []string) ([]string, error) {
	out, problem := parseMentions(addrs)
	if problem != "" {
		return nil, InvalidField("mentions", problem)
	}
	return out, nil
}

// parseMentions is ParseMentions with the reason as a string, for
// validations that gather every field's reason.
func parseMentions(addrs []string) ([]string, string) {
	if len(addrs) > MaxMentions {
		return nil, MentionsRule
	}
	out := make([]string, 0, len(addrs))
	seen := make(map[string]bool, len(addrs))
	for i, s := range addrs {
		a, ok := ParseAddress(s)
		if !ok || a.IsGroup() {
			return nil, "item " + strconv.Itoa(i) + " " + MentionsRule
		}
		if j := a.JID(); !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out, ""
}

// mentionJIDs merges JIDs a message mentions, each once, dropping what is
// not a person's address: members of a group as stored, or mentions that
// arrived from WhatsApp.
func mentionJIDs(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			a, ok := ParseAddress(s)
			if !ok || a.IsGroup() || seen[a.JID()] {
				continue
			}
			seen[a.JID()] = true
			out = append(out, a.JID())
		}
	}
	return out
}
