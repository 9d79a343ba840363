package domain

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// Minimal but real file headers, enough for content sniffing.
var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 32)...)
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
	mp4Bytes  = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 32)...)
	oggOpus   = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead"), make([]byte, 16)...)
	mp3Bytes  = append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 32)...)
	textBytes = []byte("hello, this is plain text\n")
)

func TestSniffMime(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png", pngBytes, "image/png"},
		{"jpeg", jpegBytes, "image/jpeg"},
		{"pdf", pdfBytes, "application/pdf"},
		{"mp4", mp4Bytes, "video/mp4"},
		{"ogg opus voice note", oggOpus, "audio/ogg"},
		{"mp3", mp3Bytes, "audio/mpeg"},
		{"text", textBytes, "text/plain"},
	}
	for _, tt := range tests {
		if got := SniffMime(tt.data); got != tt.want {
			t.Errorf("%s: SniffMime = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestResolveMime(t *testing.T) {
	tests := []struct {
		name     string
		typ      MessageType
		declared string
		data     []byte
		want     string
		wantErr  bool
	}{
		{"missing mime is sniffed", TypeImage, "", pngBytes, "image/png", false},
		{"declared agrees", TypeImage, "image/png", pngBytes, "image/png", false},
		{"declared with params", TypeImage, "Image/PNG; charset=x", pngBytes, "image/png", false},
		{"pdf declared as png", TypeImage, "image/png", pdfBytes, "", true},
		{"png declared as pdf", TypeDocument, "application/pdf", pngBytes, "", true},
		{"pdf as document", TypeDocument, "", pdfBytes, "application/pdf", false},
		{"docx (zip) declared precisely", TypeDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04rest"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
		{"image sent as document keeps its mime", TypeDocument, "", pngBytes, "image/png", false},
		{"pdf cannot be an image", TypeImage, "", pdfBytes, "", true},
		{"m4a declared audio/mp4", TypeAudio, "audio/mp4", mp4Bytes, "audio/mp4", false},
		{"voice note", TypeAudio, "audio/ogg; codecs=opus", oggOpus, "audio/ogg", false},
		{"mp4 video", TypeVideo, "", mp4Bytes, "video/mp4", false},
		{"text declared as csv", TypeDocument, "text/csv", textBytes, "text/csv", false},
		{"garbage mime", TypeDocument, "not a mime", pdfBytes, "", true},
		{"jpeg declared png is the same family", TypeImage, "image/png", jpegBytes, "image/png", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveMime(tt.typ, tt.declared, tt.data)
			if tt.wantErr {
				if KindOf(err) != KindInvalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ResolveMime = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDecodeMediaData(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(pngBytes)
	tests := []struct {
		name     string
		in       string
		wantMime string
		wantKind Kind
	}{
		{"plain base64", b64, "", 0},
		{"unpadded", strings.TrimRight(b64, "="), "", 0},
		{"url safe", base64.RawURLEncoding.EncodeToString(pngBytes), "", 0},
		{"data url", "data:image/png;base64," + b64, "image/png", 0},
		{"data url with params", "data:image/png;name=x.png;base64," + b64, "image/png", 0},
		{"data url not base64", "data:text/plain,hello", "", KindInvalid},
		{"data url without comma", "data:image/png;base64", "", KindInvalid},
		{"not base64", "!!!not base64!!!", "", KindInvalid},
		{"empty", "", "", KindInvalid},
		{"too large", strings.Repeat("A", MaxMediaBytes/3*4+8), "", KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, mime, err := DecodeMediaData(tt.in)
			if tt.wantKind != 0 {
				if KindOf(err) != tt.wantKind {
					t.Fatalf("err = %v, want kind %d", err, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != string(pngBytes) || mime != tt.wantMime {
				t.Errorf("got %d bytes, mime %q", len(data), mime)
			}
		})
	}
	if _, _, err := DecodeMediaData(strings.Repeat("A", MaxMediaBytes/3*4+8)); !errors.Is(err, ErrMediaTooLarge) {
		t.Errorf("too large is not ErrMediaTooLarge: %v", err)
	}
}

func FuzzDecodeMediaData(f *testing.F) {
	f.Add("data:image/png;base64," + base64.StdEncoding.EncodeToString(pngBytes))
	f.Add(base64.StdEncoding.EncodeToString(pdfBytes))
	f.Add("data:,")
	f.Add("data:;base64,====")
	f.Add("-_-_")
	f.Fuzz(func(t *testing.T, s string) {
		data, _, err := DecodeMediaData(s)
		if err != nil {
			if k := KindOf(err); k != KindInvalid && k != KindTooLarge {
				t.Fatalf("unexpected error kind %d: %v", k, err)
			}
			return
		}
		if len(data) == 0 || len(data) > MaxMediaBytes {
			t.Fatalf("decoded %d bytes", len(data))
		}
	})
}

func FuzzResolveMime(f *testing.F) {
	f.Add("image", "image/png", pngBytes)
	f.Add("document", "", pdfBytes)
	f.Add("audio", "audio/ogg", oggOpus)
	f.Add("video", "video/mp4", mp4Bytes)
	f.Fuzz(func(t *testing.T, typ, declared string, data []byte) {
		mt, ok := ParseMessageType(typ)
		if !ok || !mt.IsMedia() {
			return
		}
		got, err := ResolveMime(mt, declared, data)
		if err != nil {
			if KindOf(err) != KindInvalid {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !validMime(got) {
			t.Fatalf("resolved an invalid mime %q", got)
		}
	})
}
