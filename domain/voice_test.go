package domain

import (
	"encoding/binary"
	"testing"
	"time"
)

// oggPage is one Ogg page carrying payload, with the granule position.
func oggPage(granule uint64, payload string) []byte {
	h := []byte("OggS\x00\x00")
	h = binary.LittleEndian.AppendUint64(h, granule)
	h = append(h, make([]byte, 12)...) // serial, sequence, checksum
	h = append(h, 1, byte(len(payload)))
	return append(h, payload...)
}

func opusHead(preSkip uint16) string {
	b := []byte("OpusHead\x01\x01")
	b = binary.LittleEndian.AppendUint16(b, preSkip)
	return string(append(b, 0x80, 0xbb, 0, 0, 0, 0, 0))
}

func TestOggOpus(t *testing.T) {
	head := oggPage(0, opusHead(312))
	twoSeconds := append(append(head, oggPage(0, "OpusTags")...), oggPage(312+96000, "audio")...)
	tests := []struct {
		name   string
		data   []byte
		isOpus bool
		dur    time.Duration
	}{
		{"voice note", twoSeconds, true, 2 * time.Second},
		{"header only", head, true, 0},
		{"ogg vorbis", oggPage(0, "\x01vorbis\x00\x00\x00\x00\x01\x44\xac\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), false, 0},
		{"mp3", append([]byte("ID3\x03\x00"), make([]byte, 64)...), false, 0},
		{"short", []byte("OggS"), false, 0},
		{"empty", nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsOggOpus(tt.data); got != tt.isOpus {
				t.Errorf("IsOggOpus = %v", got)
			}
			d, ok := OggOpusDuration(tt.data)
			if d != tt.dur || ok != (tt.dur > 0) {
				t.Errorf("duration %v, %v; want %v", d, ok, tt.dur)
			}
		})
	}
}

func TestPresenceState(t *testing.T) {
	for _, s := range []string{"typing", "recording", "paused"} {
		if got, err := ParsePresenceState(s); err != nil || string(got) != s {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "composing", "Typing"} {
		if _, err := ParsePresenceState(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestMarkReadByUs(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	in := &Message{Direction: DirectionIn}
	if !in.Unread() || !in.MarkReadByUs(at) || in.ReadAt == nil || in.Unread() {
		t.Fatal("incoming message not marked read")
	}
	if in.MarkReadByUs(at.Add(time.Hour)) || !in.ReadAt.Equal(at) {
		t.Error("a second read moved read_at")
	}
	if out := (&Message{Direction: DirectionOut}); out.MarkReadByUs(at) || out.Unread() {
		t.Error("an outgoing message marked read by us")
	}
}

func TestPTTDraft(t *testing.T) {
	now := time.Now()
	media := &Media{Key: "k", Mime: "audio/ogg", SHA256: "x", Size: 1}
	m, err := NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "audio", Media: media, PTT: true}, now)
	if err != nil || !m.PTT {
		t.Fatalf("audio ptt: %v", err)
	}
	_, err = NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "image", Media: &Media{Key: "k", Mime: "image/png"}, PTT: true}, now)
	if e, ok := err.(*Error); !ok || e.Fields["ptt"] == "" {
		t.Fatalf("image ptt: %v", err)
	}
	a := OutgoingDraft{To: "5511999998888", Type: "audio", Media: media}
	b := a
	b.PTT = true
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("ptt does not change the fingerprint")
	}
}
