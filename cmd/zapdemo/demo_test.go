package main

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"strings"
	"testing"
)

func TestDemoPNGDecodes(t *testing.T) {
	for n := range 3 {
		img, err := png.Decode(bytes.NewReader(demoPNG(n)))
		if err != nil {
			t.Fatalf("png %d: %v", n, err)
		}
		if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 200 {
			t.Errorf("png %d is %v", n, b)
		}
	}
}

// The voice note is three Ogg pages: OpusHead (first), OpusTags, and the
// audio (last) whose granule counts 75 frames of 960 samples; each page's
// CRC is checked by recomputing it with the field zeroed.
func TestDemoOpusIsOggOpus(t *testing.T) {
	b := demoOpus()
	var flags []byte
	var granule uint64
	for len(b) > 0 {
		if !bytes.HasPrefix(b, []byte("OggS")) || len(b) < 27 {
			t.Fatalf("not an Ogg page: %q", b[:min(len(b), 8)])
		}
		segs := int(b[26])
		size := 27 + segs
		for _, l := range b[27 : 27+segs] {
			size += int(l)
		}
		page := append([]byte(nil), b[:size]...)
		want := binary.LittleEndian.Uint32(page[22:])
		binary.LittleEndian.PutUint32(page[22:], 0)
		if got := oggCRC(page); got != want {
			t.Errorf("page %d: crc %08x, stored %08x", len(flags), got, want)
		}
		if len(flags) == 0 && !bytes.Contains(page, []byte("OpusHead")) {
			t.Error("first page holds no OpusHead")
		}
		flags = append(flags, page[5])
		granule = binary.LittleEndian.Uint64(page[6:])
		b = b[size:]
	}
	if !bytes.Equal(flags, []byte{0x02, 0, 0x04}) || granule != 75*960 {
		t.Errorf("pages flags %v, last granule %d", flags, granule)
	}
}

// oggCRC against the reference value of Ogg's CRC (poly 0x04C11DB7, no
// reflection, init 0) for "123456789": 0x89A1897F.
func TestOggCRCCheckValue(t *testing.T) {
	if got := oggCRC([]byte("123456789")); got != 0x89A1897F {
		t.Errorf("crc = %08x", got)
	}
}

func TestScriptInterleavesCustomersAndCycles(t *testing.T) {
	s := newScript()
	total := 0
	for _, c := range customers {
		total += len(c.lines)
	}
	if len(s.items) != total {
		t.Fatalf("script has %d lines, customers %d", len(s.items), total)
	}
	// The first lines are every customer's first message.
	for i, c := range customers {
		if s.items[i].who.name != c.name {
			t.Errorf("line %d is %s's, want %s's", i, s.items[i].who.name, c.name)
		}
	}
	first, cycle := s.at(0)
	again, cycle2 := s.at(total)
	if cycle != 0 || cycle2 != 1 || first.who.name != again.who.name {
		t.Fatalf("at(0) = %s/%d, at(%d) = %s/%d", first.who.name, cycle, total, again.who.name, cycle2)
	}
	if a, b := first.inbound(0)["from"], again.inbound(1)["from"]; a == b {
		t.Errorf("a new cycle writes from the same number %v", a)
	}
}

func TestInboundBodies(t *testing.T) {
	for _, tc := range []struct {
		name string
		it   scripted
		want map[string]string // field → value, or "*" for present
	}{
		{"text", scripted{customer{phone: "55119876500", name: "M"}, line{text: "Oi"}},
			map[string]string{"from": "5511987650003", "text": "Oi", "push_name": "M"}},
		{"lid", scripted{customer{lid: "881234567890", name: "L"}, line{text: "Olá"}},
			map[string]string{"from": "88123456789003@lid"}},
		{"image", scripted{customer{phone: "1"}, line{kind: "image", text: "azul?"}},
			map[string]string{"type": "image", "caption": "azul?", "media": "*"}},
		{"audio", scripted{customer{phone: "1"}, line{kind: "audio"}},
			map[string]string{"type": "audio", "media": "*"}},
		{"location", scripted{customer{phone: "1"}, line{kind: "location", text: "Loja", lat: 1, lon: 2}},
			map[string]string{"type": "location", "location": "*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.it.inbound(3)
			for k, v := range tc.want {
				got, ok := body[k]
				if !ok || (v != "*" && got != v) {
					t.Errorf("%s = %v, want %s (body %v)", k, got, v, body)
				}
			}
			if m, ok := body["media"].(map[string]any); ok && !strings.Contains(m["mime"].(string), "/") {
				t.Errorf("media mime %v", m["mime"])
			}
		})
	}
}
