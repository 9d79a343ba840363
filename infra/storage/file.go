package storage

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File keeps objects as files under one directory, one file per key.
type File struct {
	dir string
}

// NewFile returns a File rooted at dir, creating it when missing.
func NewFile(dir string) (*File, error) {
	if dir == "" {
		return nil, fmt.Errorf("file storage: empty directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	return &File{dir: dir}, nil
}

// Put writes data under key. It writes a temporary file in the target
// directory and renames it into place, so a reader or a crash never sees a
// half-written object; rewriting a key with the same content is harmless.
func (f *File) Put(_ context.Context, key string, data []byte, _ string) error {
	path, err := f.path(key)
	if err != nil {
		return fmt.Errorf("file put: %w", err)
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("file put %s: %w", key, err)
	}
	return nil
}

// Get reads the object under key; an unknown key yields an error matching
// fs.ErrNotExist.
func (f *File) Get(_ context.Context, key string) ([]byte, error) {
	path, err := f.path(key)
	if err != nil {
		return nil, fmt.Errorf("file get: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("file get %s: %w", key, err)
	}
	return data, nil
}

// path maps a checked key to its file under f.dir.
func (f *File) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(f.dir, filepath.FromSlash(key)), nil
}

// checkKey accepts only relative, slash-separated keys without "." or ".."
// elements, so no key can name a file outside the storage root, and keys
// mean the same thing on every adapter and operating system.
func checkKey(key string) error {
	if key == "." || !fs.ValidPath(key) || strings.Contains(key, `\`) {
		return fmt.Errorf("invalid key %q", key)
	}
	return nil
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0o600; objects are meant to be readable
	// like any other file the service writes.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	// Flush before the rename so a crash cannot leave a renamed but empty
	// file behind under a key that claims to be its content's hash.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
