package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zapgate/zapgate/app"
)

var _ app.Storage = Store(nil)

func TestOpen(t *testing.T) {
	awsEnv(t)
	abs := filepath.Join(t.TempDir(), "media")
	t.Chdir(t.TempDir()) // relative file:// URLs land in a scratch directory

	tests := []struct {
		url        string
		wantFile   string // File.dir
		wantBucket string // S3.bucket
		wantPrefix string // S3.prefix
		wantErr    bool
	}{
		{url: "file://./data/media", wantFile: "./data/media"},
		{url: "file://data", wantFile: "data"},
		{url: "file://" + abs, wantFile: abs},
		{url: "s3://zapgate", wantBucket: "zapgate"},
		{url: "s3://zapgate/", wantBucket: "zapgate"},
		{url: "s3://zapgate/prod/media", wantBucket: "zapgate", wantPrefix: "prod/media/"},
		{url: "s3://zapgate//x/", wantBucket: "zapgate", wantPrefix: "x/"},
		{url: "", wantErr: true},
		{url: "file://", wantErr: true},
		{url: "s3://", wantErr: true},
		{url: "s3:///prefix", wantErr: true},
		{url: "/var/lib/zapgate", wantErr: true},
		{url: "gs://bucket", wantErr: true},
		{url: "http://minio:9000/bucket", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := Open(context.Background(), tt.url, "")
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "must be file://DIR or s3://BUCKET") {
					t.Fatalf("Open = %T, %v; want the usage error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch s := got.(type) {
			case *File:
				if tt.wantFile == "" || s.dir != tt.wantFile {
					t.Fatalf("File dir %q, want %+v", s.dir, tt)
				}
			case *S3:
				if tt.wantBucket == "" || s.bucket != tt.wantBucket || s.prefix != tt.wantPrefix {
					t.Fatalf("S3 bucket %q prefix %q, want %+v", s.bucket, s.prefix, tt)
				}
			default:
				t.Fatalf("Open = %T", got)
			}
		})
	}
}
