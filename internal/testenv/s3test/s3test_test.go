package s3test_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
)

// TestBucket: a bucket is made, lists its keys by prefix and is dropped
// with its objects.
func TestBucket(t *testing.T) {
	endpoint, key, secret := testenv.S3(t)
	ctx := context.Background()
	b, err := s3test.New(ctx, endpoint, key, secret, "s3test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.Name, "s3test-") || !strings.Contains(b.URL, "@"+b.Name+"?") {
		t.Errorf("bucket %q, URL %q", b.Name, b.URL)
	}
	for _, k := range []string{"a/1", "a/2", "b/1"} {
		if _, err := b.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := b.Keys(ctx, "a/"); err != nil || !slices.Equal(keys, []string{"a/1", "a/2"}) {
		t.Fatalf("keys under a/: %q, %v", keys, err)
	}
	if err := b.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.Name)}); err == nil {
		t.Error("the bucket is still there after Drop")
	}
}
