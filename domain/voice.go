package domain

import (
	"bytes"
	"encoding/binary"
	"time"
)

// VoiceNoteMime is what WhatsApp expects of a voice note: Opus in Ogg.
const VoiceNoteMime = "audio/ogg; codecs=opus"

// IsOggOpus tells whether data is an Ogg stream whose first page carries an
// Opus header ("OggS" magic, then "OpusHead"): a voice note WhatsApp plays
// as is.
func IsOggOpus(data []byte) bool {
	if len(data) < 36 || !bytes.HasPrefix(data, []byte("OggS")) {
		return false
	}
	// The first page's header is 27 bytes plus its segment table.
	start := 27 + int(data[26])
	return len(data) >= start+8 && bytes.HasPrefix(data[start:], []byte("OpusHead"))
}

// OggOpusDuration is how long an Ogg/Opus stream plays: the granule
// position of its last page (48 kHz samples) less the header's pre-skip.
// ok is false when data is not Ogg/Opus or carries no audio page.
func OggOpusDuration(data []byte) (d time.Duration, ok bool) {
	if !IsOggOpus(data) {
		return 0, false
	}
	start := 27 + int(data[26])
	head := data[start:]
	if len(head) < 12 {
		return 0, false
	}
	preSkip := int64(binary.LittleEndian.Uint16(head[10:12]))
	last := bytes.LastIndex(data, []byte("OggS"))
	if last < 0 || len(data) < last+14 {
		return 0, false
	}
	granule := int64(binary.LittleEndian.Uint64(data[last+6 : last+14]))
	if granule <= preSkip {
		return 0, false
	}
	return time.Duration(granule-preSkip) * time.Second / 48000, true
}
