// Package storage keeps media and QR images on local disk or in S3. Both
// adapters implement app.Storage.
package storage

import (
	"context"
	"fmt"
	"strings"
)

// Store puts and gets objects by key. Get returns an error matching
// fs.ErrNotExist when the key is unknown.
type Store interface {
	Put(ctx context.Context, key string, data []byte, contentType string) error
	Get(ctx context.Context, key string) ([]byte, error)
}

var (
	_ Store = (*File)(nil)
	_ Store = (*S3)(nil)
)

// Open returns the adapter that rawURL (ZAPGATE_STORAGE) names:
//
//	file://DIR               files under DIR, relative (file://./data) or absolute (file:///var/lib/zapgate)
//	s3://BUCKET[/prefix]     objects in BUCKET, keys under prefix
//
// s3Endpoint, when set, points S3 at a compatible server (MinIO, R2).
func Open(ctx context.Context, rawURL, s3Endpoint string) (Store, error) {
	// The URL is cut by hand rather than with net/url: "file://./data"
	// would parse "." as a host and lose the relative path.
	if dir, ok := strings.CutPrefix(rawURL, "file://"); ok && dir != "" {
		return NewFile(dir)
	}
	if rest, ok := strings.CutPrefix(rawURL, "s3://"); ok {
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket != "" {
			s, err := NewS3(ctx, bucket, s3Endpoint)
			if err != nil {
				return nil, err
			}
			if prefix = strings.Trim(prefix, "/"); prefix != "" {
				s.prefix = prefix + "/"
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("ZAPGATE_STORAGE must be file://DIR or s3://BUCKET, got %q", rawURL)
}
