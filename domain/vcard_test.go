package domain

import (
	"reflect"
	"strings"
	"testing"
)

func TestVCard(t *testing.T) {
	tests := []struct {
		name string
		card ContactCard
		want string
	}{
		{"one phone", ContactCard{Name: "Ana Souza", Phones: []string{"5511988887777"}},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Ana Souza;;;\nFN:Ana Souza\nTEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777\nEND:VCARD\n"},
		{"everything, two phones", ContactCard{Name: "Ana", Phones: []string{"5511988887777", "5511977776666"}, Organization: "ACME", Email: "ana@example.com"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Ana;;;\nFN:Ana\nORG:ACME\nEMAIL;type=INTERNET:ana@example.com\n" +
				"TEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777\nTEL;type=CELL;type=VOICE;waid=5511977776666:+5511977776666\nEND:VCARD\n"},
		{"escaped", ContactCard{Name: "Souza; Ana, \\the\\ first\nline", Phones: []string{"5511988887777"}, Organization: "A;B,C"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Souza\\; Ana\\, \\\\the\\\\ first\\nline;;;\nFN:Souza\\; Ana\\, \\\\the\\\\ first\\nline\nORG:A\\;B\\,C\n" +
				"TEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777\nEND:VCARD\n"},
		{"injection stays one line", ContactCard{Name: "x\r\nTEL:999", Phones: []string{"5511988887777"}},
			"BEGIN:VCARD\nVERSION:3.0\nN:;x\\nTEL:999;;;\nFN:x\\nTEL:999\nTEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777\nEND:VCARD\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VCard(tt.card)
			if got != tt.want {
				t.Errorf("VCard =\n%q\nwant\n%q", got, tt.want)
			}
			back := ParseVCard(got)
			back.VCard = ""
			want := tt.card
			want.Name = strings.ReplaceAll(want.Name, "\r\n", "\n")
			if !reflect.DeepEqual(back, want) {
				t.Errorf("ParseVCard(VCard(c)) = %+v, want %+v", back, want)
			}
		})
	}
}

func TestParseVCard(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ContactCard
	}{
		{"whatsapp's own", "BEGIN:VCARD\nVERSION:3.0\nN:Souza;Ana;;;\nFN:Ana Souza\nitem1.TEL;waid=5511988887777:+55 11 98888-7777\nitem1.X-ABLabel:Mobile\nEND:VCARD",
			ContactCard{Name: "Ana Souza", Phones: []string{"5511988887777"}}},
		{"crlf, folded, no FN", "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Souza;Ana\r\nTEL;CELL:+1 (555) 0100-\r\n 2000\r\nEMAIL:a@b.c\r\nEMAIL:second@b.c\r\nORG:ACME;Sales\r\nEND:VCARD\r\n",
			ContactCard{Name: "Ana Souza", Phones: []string{"155501002000"}, Organization: "ACME", Email: "a@b.c"}},
		{"a phone that is not a number is kept as written", "BEGIN:VCARD\nFN:Desk\nTEL:ext. 12\nEND:VCARD",
			ContactCard{Name: "Desk", Phones: []string{"ext. 12"}}},
		{"quoted parameter with a colon", "BEGIN:VCARD\nFN:Q\nTEL;TYPE=\"a:b\":5511988887777\nEND:VCARD",
			ContactCard{Name: "Q", Phones: []string{"5511988887777"}}},
		{"garbage", "hello", ContactCard{Phones: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseVCard(tt.in)
			tt.want.VCard = tt.in
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseVCard = %+v, want %+v", got, tt.want)
			}
		})
	}
}
