package cache

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
)

// Codec turns values into bytes and back. The default, [JSON], is stable
// across Go versions and processes and readable in Redis; [Gob] keeps
// exact Go types (interfaces with registered types, unexported-free
// structs without JSON tags) at the cost of being Go-only.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default codec: encoding/json. Values round-trip as JSON
// does: exported fields only, time.Time at nanosecond precision, []byte as
// base64, integers beyond 2^53 exactly only in integer-typed fields.
var JSON Codec = jsonCodec{}

// Gob is a codec with encoding/gob.
var Gob Codec = gobCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

type gobCodec struct{}

func (gobCodec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

func (gobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}
