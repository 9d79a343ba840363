package api

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"runtime"
	"strings"
	"testing"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// form builds a multipart body: fields in order, then the file when given.
func form(t testing.TB, fields [][2]string, filename string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.Boundary()
}

func TestParseMultipartSend(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	tests := []struct {
		name     string
		fields   [][2]string
		filename string
		file     []byte
		check    func(t *testing.T, got sendResult)
		field    string // refused naming this field
	}{
		{name: "image", fields: [][2]string{{"to", "5511999998888"}, {"type", "image"}, {"caption", "menu"}}, filename: "menu.png", file: png,
			check: func(t *testing.T, got sendResult) {
				if got.To != "5511999998888" || got.Type != "image" || got.Caption != "menu" || got.Media == nil ||
					!bytes.Equal(got.Media.Data, png) || got.Media.Filename != "menu.png" {
					t.Fatalf("%+v", got)
				}
			}},
		{name: "fields override the part", fields: [][2]string{{"to", "5511999998888"}, {"type", "document"}, {"filename", "a.pdf"}, {"mime", "application/pdf"}},
			filename: "x.bin", file: []byte("%PDF-1.4"),
			check: func(t *testing.T, got sendResult) {
				if got.Media.Filename != "a.pdf" || got.Media.Mime != "application/pdf" {
					t.Fatalf("%+v", got.Media)
				}
			}},
		{name: "voice note with mentions", fields: [][2]string{{"to", "120363025246125244@g.us"}, {"type", "audio"}, {"ptt", "true"},
			{"mentions", "5511999998888, 5511777776666"}, {"mentions", "5511666665555"}, {"send_at", "2026-12-01T12:00:00Z"}},
			file: []byte("ID3"),
			check: func(t *testing.T, got sendResult) {
				if !got.PTT || len(got.Mentions) != 3 || got.SendAt == nil {
					t.Fatalf("%+v", got)
				}
			}},
		{name: "text without a file", fields: [][2]string{{"to", "5511999998888"}, {"type", "text"}, {"text", "hi"}},
			check: func(t *testing.T, got sendResult) {
				if got.Text != "hi" || got.Media != nil {
					t.Fatalf("%+v", got)
				}
			}},
		{name: "bad ptt", fields: [][2]string{{"ptt", "maybe"}}, field: "ptt"},
		{name: "twice", fields: [][2]string{{"to", "1"}, {"to", "2"}}, field: "to"},
		{name: "bad send_at", fields: [][2]string{{"send_at", "tomorrow"}}, field: "send_at"},
		{name: "NUL in a field", fields: [][2]string{{"caption", "a\x00b"}}, field: "caption"},
		{name: "empty file", fields: [][2]string{{"type", "image"}}, file: []byte{}, field: "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, boundary := form(t, tt.fields, tt.filename, tt.file)
			cmd, err := parseMultipartSend(bytes.NewReader(body), boundary, len(body))
			if tt.field != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Fields[tt.field] == "" {
					t.Fatalf("err = %v, want invalid naming %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cmd)
		})
	}
}

func TestParseMultipartSendTooLarge(t *testing.T) {
	// The file is made as it is read: the test holds no copy of it.
	head, boundary := form(t, [][2]string{{"to", "5511999998888"}, {"type", "document"}}, "", nil)
	head = bytes.TrimSuffix(head, []byte("--"+boundary+"--\r\n"))
	open := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
	body := io.MultiReader(bytes.NewReader(head), strings.NewReader(open), io.LimitReader(zeros{}, domain.MaxMediaBytes+10))
	_, err := parseMultipartSend(body, boundary, -1)
	if !errors.Is(err, domain.ErrMediaTooLarge) {
		t.Fatalf("err = %v, want media_too_large", err)
	}
}

// TestParseMultipartSendHoldsTheFileOnce measures what a 16 MiB upload
// allocates: the file's one buffer and little else (a JSON body would
// hold the base64 and the decoded bytes, 2.3 times the file).
func TestParseMultipartSendHoldsTheFileOnce(t *testing.T) {
	const size = domain.MaxMediaBytes
	head, boundary := form(t, [][2]string{{"to", "5511999998888"}, {"type", "document"}}, "", nil)
	head = bytes.TrimSuffix(head, []byte("--"+boundary+"--\r\n"))
	open := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	total := len(head) + len(open) + size + len(tail)
	body := io.MultiReader(bytes.NewReader(head), strings.NewReader(open), io.LimitReader(zeros{}, size), strings.NewReader(tail))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cmd, err := parseMultipartSend(body, boundary, total)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd.Media.Data) != size {
		t.Fatalf("file of %d bytes", len(cmd.Media.Data))
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d MiB upload allocated %.1f MiB", size>>20, float64(allocated)/(1<<20))
	if allocated > size+size/4 {
		t.Errorf("allocated %d bytes for a %d-byte file: more than one copy", allocated, size)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type sendResult = app.SendMessage

func FuzzParseMultipartSend(f *testing.F) {
	seed := func(fields [][2]string, filename string, file []byte) {
		body, boundary := form(f, fields, filename, file)
		f.Add(body, boundary)
	}
	seed([][2]string{{"to", "5511999998888"}, {"type", "image"}, {"caption", "c"}}, "a.png", []byte("\x89PNG\r\n\x1a\n"))
	seed([][2]string{{"to", "5511999998888"}, {"type", "audio"}, {"ptt", "1"}, {"mentions", "1,2,,3"}}, "n.mp3", []byte("ID3"))
	seed([][2]string{{"ptt", "x"}, {"to", "a"}, {"to", "b"}}, "", nil)
	seed([][2]string{{"caption", "\x00"}, {"text", "\xff"}}, "f\x00.png", []byte{})
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxx\r\n--b--\r\n"), "b")
	f.Add([]byte("--b\r\n\r\n--b--"), "b")
	f.Add([]byte(""), "b")
	f.Add([]byte("garbage"), "")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		cmd, err := parseMultipartSend(bytes.NewReader(body), boundary, len(body))
		if err != nil {
			if k := domain.KindOf(err); k != domain.KindInvalid && k != domain.KindTooLarge {
				t.Fatalf("non-client error %v", err)
			}
			return
		}
		if cmd.Media != nil && (len(cmd.Media.Data) == 0 || len(cmd.Media.Data) > domain.MaxMediaBytes) {
			t.Fatalf("media of %d bytes", len(cmd.Media.Data))
		}
		for _, s := range []string{cmd.To, cmd.Type, cmd.Text, cmd.Caption} {
			if domain.TextProblem(s) != "" {
				t.Fatalf("field %q passed with a text problem", s)
			}
		}
	})
}
