// Package s3test gives integration tests buckets on the test S3 server
// (versitygw, started by `make test`; see testenv.S3) and the settings that
// server needs: path-style addressing, region us-east-1, checksums only
// when an operation requires them. A test asks for a bucket with [Temp]
// (dropped with its objects after the test) or [New] (dropped by the
// caller, for a server a whole package shares), and mounts it in afs with
// the bucket's URL. It is test support: no program code imports it.
package s3test
