// Command storage is the storage demo: it uploads a file to S3 through the
// abstract file system, clears the local cache, downloads the file again
// and compares checksums.
//
// It reads the usual configuration: WEBOS_AFS_SOURCES must name a source
// "s3" (or the one given with -to), and WEBOS_CACHE_DIR is where the local
// cache lives. For example:
//
//	WEBOS_AFS_SOURCES='s3=s3://KEY:SECRET@demo?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1&request_checksum_calculation=when_required&response_checksum_validation=when_required' \
//	  go run ./examples/storage -file ./some.pdf
//
// Without -file it uploads 4 MiB of random bytes. The bucket must exist.
// The steps are in [Demo], which the tests run against a real S3 server.
package main
