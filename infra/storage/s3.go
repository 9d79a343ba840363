package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/zapgate/zapgate/domain"
)

// defaultRegion is used when no AWS region is configured: S3-compatible
// servers ignore it, but the SDK refuses to sign requests without one.
const defaultRegion = "us-east-1"

// S3 keeps objects in an S3 bucket or an S3-compatible server.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string // "" or ends in "/", put in front of every key
}

// NewS3 returns an S3 adapter for bucket, configured from the standard AWS_*
// environment variables. A non-empty endpoint (e.g. http://minio:9000)
// replaces AWS's and switches to path-style addressing, which MinIO,
// versitygw and R2 expect.
func NewS3(ctx context.Context, bucket, endpoint string) (*S3, error) {
	if bucket == "" {
		return nil, fmt.Errorf("s3 storage: empty bucket name")
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		// Only checksum when the operation demands it: the newer default
		// (trailing CRC checksums) is rejected by many S3-compatible servers.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	)
	if err != nil {
		return nil, fmt.Errorf("s3 storage: load aws config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
	return &S3{client: client, bucket: bucket}, nil
}

// Put stores data under key with the given content type.
func (s *S3) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("s3 put: %w", err)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(s.prefix + key),
		Body:        bytes.NewReader(data),
		ContentType: aws.String(contentType),
	})
	if err != nil {
		return fmt.Errorf("s3 put %s: %w", key, reachable(err))
	}
	return nil
}

// Get reads the object under key; an unknown key yields an error matching
// fs.ErrNotExist.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("s3 get: %w", err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if err != nil {
		if notFound(err) {
			return nil, fmt.Errorf("s3 get %s: %w: %w", key, fs.ErrNotExist, err)
		}
		return nil, fmt.Errorf("s3 get %s: %w", key, reachable(err))
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: read body: %w", key, reachable(err))
	}
	return data, nil
}

// reachable returns err as domain.Unavailable("storage", err) when the S3
// server could not be reached or failed on its side (5xx), so the API answers
// 503 naming storage rather than blaming the database; other errors (a
// missing bucket, bad credentials) pass unchanged.
func reachable(err error) error {
	var netErr net.Error
	var sendErr *smithyhttp.RequestSendError
	var resp *awshttp.ResponseError
	switch {
	case errors.As(err, &sendErr), errors.As(err, &netErr), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &resp) && resp.HTTPStatusCode() >= 500:
		return domain.Unavailable("storage", err)
	}
	return err
}

// notFound reports whether err means the object does not exist. Some
// S3-compatible servers answer a bare 404 instead of NoSuchKey; a missing
// bucket is a configuration error, though, and must not pass for a missing
// object.
func notFound(err error) bool {
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket" {
		return false
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound
}
