package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos/internal/testenv"
)

// Client returns a client of the S3 server at endpoint with the given
// credentials, set as the test server needs.
func Client(endpoint, key, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(key, secret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// SourceURL returns the afs source URL (s3://…) of bucket on the S3 server
// at endpoint, with the same settings as [Client].
func SourceURL(endpoint, key, secret, bucket string) string {
	q := url.Values{
		"endpoint":                     {endpoint},
		"use_path_style":               {"true"},
		"region":                       {"us-east-1"},
		"request_checksum_calculation": {"when_required"},
		"response_checksum_validation": {"when_required"},
	}
	u := url.URL{Scheme: "s3", User: url.UserPassword(key, secret), Host: bucket, RawQuery: q.Encode()}
	return u.String()
}

// Bucket is a bucket made for a test.
type Bucket struct {
	// Client reaches the bucket's server.
	Client *s3.Client
	// Name is the bucket's name.
	Name string
	// URL is its afs source URL.
	URL string
}

// New creates a bucket named prefix-<random> on the server at endpoint.
// The caller drops it ([Bucket.Drop]).
func New(ctx context.Context, endpoint, key, secret, prefix string) (*Bucket, error) {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	b := &Bucket{Client: Client(endpoint, key, secret), Name: prefix + "-" + hex.EncodeToString(rnd[:])}
	b.URL = SourceURL(endpoint, key, secret, b.Name)
	if _, err := b.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Name)}); err != nil {
		return nil, err
	}
	return b, nil
}

// Temp creates a bucket named prefix-<random> on the test S3 server
// (testenv.S3: skipped under -short, failing when the server is not
// configured), dropped with its objects after t.
func Temp(t testing.TB, prefix string) *Bucket {
	t.Helper()
	endpoint, key, secret := testenv.S3(t)
	b, err := New(t.Context(), endpoint, key, secret, prefix)
	if err != nil {
		t.Fatalf("create a bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.Drop(ctx); err != nil {
			t.Logf("drop bucket %s: %v", b.Name, err)
		}
	})
	return b
}

// Keys returns the keys of the bucket's objects that start with prefix.
func (b *Bucket) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.Client, &s3.ListObjectsV2Input{Bucket: aws.String(b.Name), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return keys, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// Drop deletes the bucket's objects and the bucket.
func (b *Bucket) Drop(ctx context.Context) error {
	keys, err := b.Keys(ctx, "")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: aws.String(k)}); err != nil {
			return err
		}
	}
	_, err = b.Client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b.Name)})
	return err
}
