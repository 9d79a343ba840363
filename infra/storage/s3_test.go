package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// awsEnv points the AWS SDK at test credentials only, so no developer's
// ~/.aws files or AWS_* variables leak into the tests.
func awsEnv(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "") // exercises the us-east-1 default
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
}

// fakeS3 starts an in-memory S3 server over plain HTTP with bucket in it
// and returns its endpoint.
func fakeS3(t *testing.T, bucket string) string {
	t.Helper()
	awsEnv(t)
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestS3Roundtrip(t *testing.T) {
	ctx := context.Background()
	s, err := NewS3(ctx, "zapgate", fakeS3(t, "zapgate"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, contentType string
		data                   []byte
	}{
		{"media", app.MediaKey("abcdef0123"), "image/jpeg", []byte("jpeg bytes")},
		{"qr", "qr/0123.png", "image/png", []byte{0x89, 'P', 'N', 'G', 0, 1, 2}},
		{"overwrite same content", "qr/0123.png", "image/png", []byte{0x89, 'P', 'N', 'G', 0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(ctx, tt.key, tt.data, tt.contentType); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Fatalf("Get = %q, want %q", got, tt.data)
			}
			head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("zapgate"), Key: aws.String(tt.key)})
			if err != nil {
				t.Fatal(err)
			}
			if ct := aws.ToString(head.ContentType); ct != tt.contentType {
				t.Errorf("content type = %q, want %q", ct, tt.contentType)
			}
		})
	}
}

func TestS3NotFound(t *testing.T) {
	ctx := context.Background()
	endpoint := fakeS3(t, "zapgate")
	s, err := NewS3(ctx, "zapgate", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, app.MediaKey("0000")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get unknown key = %v, want fs.ErrNotExist", err)
	}

	// A missing bucket is misconfiguration, not a missing object.
	nb, err := NewS3(ctx, "no-such-bucket", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nb.Get(ctx, "x"); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get from missing bucket = %v, want a non-ErrNotExist error", err)
	}
}

func TestS3BadKey(t *testing.T) {
	ctx := context.Background()
	s, err := NewS3(ctx, "zapgate", fakeS3(t, "zapgate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "../x", []byte("x"), "text/plain"); err == nil {
		t.Error("Put(../x) accepted")
	}
}

func TestS3Prefix(t *testing.T) {
	ctx := context.Background()
	endpoint := fakeS3(t, "zapgate")
	store, err := Open(ctx, "s3://zapgate/tenant-a/", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	key := app.MediaKey("abcdef")
	if err := store.Put(ctx, key, []byte("data"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, key); err != nil || string(got) != "data" {
		t.Fatalf("Get = %q, %v", got, err)
	}

	// The object lives under the prefix, and only there.
	plain, err := NewS3(ctx, "zapgate", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := plain.Get(ctx, "tenant-a/"+key); err != nil || string(got) != "data" {
		t.Fatalf("Get prefixed key = %q, %v", got, err)
	}
	if _, err := plain.Get(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get unprefixed key = %v, want fs.ErrNotExist", err)
	}
}

// TestS3UnreachableIsStorageUnavailable: with the S3 server down, Put and
// Get fail as domain.Unavailable naming storage, which the API answers as
// 503 "storage unavailable" instead of blaming the database or broker.
func TestS3UnreachableIsStorageUnavailable(t *testing.T) {
	awsEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close() // nothing listens there now: connections are refused
	s, err := NewS3(context.Background(), "zapgate", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	check := func(op string, err error) {
		t.Helper()
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindUnavailable || !strings.Contains(de.Message, "storage") {
			t.Fatalf("%s with S3 down = %v, want unavailable naming storage", op, err)
		}
	}
	check("put", s.Put(context.Background(), "media/ab/abcdef", []byte("x"), "text/plain"))
	_, err = s.Get(context.Background(), "media/ab/abcdef")
	check("get", err)
}
