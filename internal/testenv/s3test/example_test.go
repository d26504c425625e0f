package s3test_test

import (
	"fmt"

	"github.com/webos-go/webos/internal/testenv/s3test"
)

// A bucket's afs source URL carries the settings the test server needs.
func ExampleSourceURL() {
	fmt.Println(s3test.SourceURL("http://127.0.0.1:9000", "key", "secret", "photos"))
	// Output:
	// s3://key:secret@photos?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1&request_checksum_calculation=when_required&response_checksum_validation=when_required&use_path_style=true
}
