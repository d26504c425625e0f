package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/cache"
	"github.com/webos-go/webos/internal/testenv"
)

// TestDemoS3 runs the demo against the real S3 server, with the sources
// configured the way an operator would: WEBOS_AFS_SOURCES.
func TestDemoS3(t *testing.T) {
	endpoint, key, secret := testenv.S3(t)
	bucket := createBucket(t, endpoint, key, secret)
	q := url.Values{
		"endpoint": {endpoint}, "use_path_style": {"true"}, "region": {"us-east-1"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"},
	}
	s3url := url.URL{Scheme: "s3", User: url.UserPassword(key, secret), Host: bucket, RawQuery: q.Encode()}
	t.Setenv("WEBOS_AFS_SOURCES", "local=file://"+t.TempDir()+",s3="+s3url.String())
	t.Setenv("WEBOS_CACHE_DIR", t.TempDir())
	t.Chdir(t.TempDir()) // no stray .env
	if err := run(t.Context(), "", "fs://s3/demo/random data.bin"); err != nil {
		t.Fatal(err)
	}
}

// TestDemo runs the demo's logic with an in-memory "s3" source.
func TestDemo(t *testing.T) {
	fsys, err := afs.Open(t.Context(), "s3=mem://", afs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	c, err := cache.Open(t.Context(), cache.Config{Dir: filepath.Join(t.TempDir(), "cache")}, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out strings.Builder
	res, err := Demo(t.Context(), fsys, c, afs.MustParse("fs://s3/demo/hello.txt"), strings.NewReader("hello, storage"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Match || res.Downloads != 2 || res.Size != 14 {
		t.Fatalf("%+v\n%s", res, out.String())
	}
	if !strings.Contains(out.String(), "checksums match") {
		t.Fatal(out.String())
	}
}

func createBucket(t *testing.T, endpoint, key, secret string) string {
	t.Helper()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
	})
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	bucket := "demo-storage-" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		if err == nil {
			for _, o := range out.Contents {
				_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			}
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	return bucket
}
