package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/zapgate/zapgate/app"
)

func newFile(t *testing.T) *File {
	t.Helper()
	f, err := NewFile(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFileRoundtrip(t *testing.T) {
	ctx := context.Background()
	f := newFile(t)
	tests := []struct {
		name, key string
		data      []byte
	}{
		{"media key", app.MediaKey("abcdef0123"), []byte("image bytes")},
		{"qr key", "qr/0123.png", []byte{0x89, 'P', 'N', 'G'}},
		{"top level", "plain", []byte("x")},
		{"empty data", "empty/object", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.Put(ctx, tt.key, tt.data, "application/octet-stream"); err != nil {
				t.Fatal(err)
			}
			got, err := f.Get(ctx, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Fatalf("Get = %q, want %q", got, tt.data)
			}
			info, err := os.Stat(filepath.Join(f.dir, filepath.FromSlash(tt.key)))
			if err != nil {
				t.Fatal(err)
			}
			if perm := info.Mode().Perm(); perm != 0o644 {
				t.Errorf("mode = %o, want 644", perm)
			}
		})
	}
	// No temporary files may be left behind next to the objects.
	tmps, err := filepath.Glob(filepath.Join(f.dir, "*", ".tmp-*"))
	if err != nil || len(tmps) != 0 {
		t.Errorf("leftover temp files %v (err %v)", tmps, err)
	}
}

func TestFileUnknownKey(t *testing.T) {
	f := newFile(t)
	for _, key := range []string{"media/ab/abcd", "missing"} {
		_, err := f.Get(context.Background(), key)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q) = %v, want fs.ErrNotExist", key, err)
		}
	}
}

func TestFileBadKeys(t *testing.T) {
	ctx := context.Background()
	f := newFile(t)
	for _, key := range []string{
		"", ".", "/etc/passwd", "..", "../x", "media/../../x", "media/..",
		`media\ab\x`, `..\x`, "media//x", "media/./x", "media/",
	} {
		if err := f.Put(ctx, key, []byte("x"), "text/plain"); err == nil {
			t.Errorf("Put(%q) accepted", key)
		}
		if _, err := f.Get(ctx, key); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q) = %v, want an invalid-key error", key, err)
		}
	}
}

func TestFileOverwrite(t *testing.T) {
	ctx := context.Background()
	f := newFile(t)
	key := app.MediaKey("ffee00")
	for i := range 2 {
		if err := f.Put(ctx, key, []byte("same"), "text/plain"); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	got, err := f.Get(ctx, key)
	if err != nil || string(got) != "same" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestNewFileCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if _, err := NewFile(dir); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("dir not created: %v", err)
	}
}
