package api

import (
	"errors"
	"testing"

	"github.com/zapgate/zapgate/domain"
)

// The sim's sender reads as whatsmeow's MessageSource: the phone when
// known, the LID beside it.
func TestSimSender(t *testing.T) {
	const lid = "201234567890123@lid"
	tests := []struct {
		from, fromPhone string
		want            simSentBy
		badField        string
	}{
		{"+5511977776666", "", simSentBy{from: "5511977776666", jid: "5511977776666@s.whatsapp.net"}, ""},
		{"5511977776666@s.whatsapp.net", "", simSentBy{from: "5511977776666", jid: "5511977776666@s.whatsapp.net"}, ""},
		{lid, "", simSentBy{from: lid, lid: lid, jid: lid}, ""},
		{lid, "+5511977776666", simSentBy{from: "5511977776666", lid: lid, jid: lid}, ""},
		{lid, "12", simSentBy{}, "from_phone"},
		{"5511977776666", "5511977776666", simSentBy{}, "from_phone"},
		{"120363025246125244@g.us", "", simSentBy{}, "from"},
		{"abc@lid", "", simSentBy{}, "from"},
		{"", "", simSentBy{}, "from"},
		{"1234567", "", simSentBy{}, "from"},
	}
	for _, tt := range tests {
		got, err := simSender(tt.from, tt.fromPhone)
		if tt.badField != "" {
			var e *domain.Error
			if !errors.As(err, &e) || e.Kind != domain.KindInvalid || e.Fields[tt.badField] == "" {
				t.Errorf("simSender(%q, %q) = %v, want invalid %s", tt.from, tt.fromPhone, err, tt.badField)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("simSender(%q, %q) = %+v, %v; want %+v", tt.from, tt.fromPhone, got, err, tt.want)
		}
	}
}
