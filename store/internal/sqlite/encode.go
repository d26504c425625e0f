package sqlite

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// maxDepth bounds the nesting of documents and arrays the encoder follows
// (MongoDB allows 100 levels).
const maxDepth = 128

// timeLayout is the fixed-width UTC form of a BSON DateTime in the JSON
// column: for the years 0 to 9999 its string order is its time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

// BSON element types the encoder knows.
const (
	tDouble     = 0x01
	tString     = 0x02
	tDocument   = 0x03
	tArray      = 0x04
	tBinary     = 0x05
	tUndefined  = 0x06
	tObjectID   = 0x07
	tBool       = 0x08
	tDateTime   = 0x09
	tNull       = 0x0A
	tRegex      = 0x0B
	tDBPointer  = 0x0C
	tJavaScript = 0x0D
	tSymbol     = 0x0E
	tCodeScope  = 0x0F
	tInt32      = 0x10
	tTimestamp  = 0x11
	tInt64      = 0x12
	tDecimal    = 0x13
	tMinKey     = 0xFF
	tMaxKey     = 0x7F
)

var errMalformed = fmt.Errorf("%w: malformed BSON document", query.ErrBadRequest)

// docBody checks the length prefix and terminator of the BSON document b
// and returns its elements.
func docBody(b []byte) ([]byte, error) {
	if len(b) < 5 {
		return nil, errMalformed
	}
	n := int64(int32(binary.LittleEndian.Uint32(b))) // #nosec G115 -- BSON's signed int32 length read bit for bit, checked against len(b) next
	if n != int64(len(b)) || b[n-1] != 0 {
		return nil, errMalformed
	}
	return b[4 : n-1], nil
}

// element is one element of a BSON document: its type, key and value bytes.
type element struct {
	typ byte
	key []byte
	val []byte
	raw []byte // the whole element: type, key and value
}

// nextElement splits the first element off the element list b.
func nextElement(b []byte) (element, []byte, error) {
	if len(b) < 2 {
		return element{}, nil, errMalformed
	}
	typ := b[0]
	k := 1
	for k < len(b) && b[k] != 0 {
		k++
	}
	if k == len(b) {
		return element{}, nil, errMalformed
	}
	key := b[1:k]
	rest := b[k+1:]
	n, err := valueLen(typ, rest)
	if err != nil {
		return element{}, nil, err
	}
	end := k + 1 + n
	return element{typ: typ, key: key, val: rest[:n], raw: b[:end]}, b[end:], nil
}

// valueLen returns the length of the value of type typ at the start of b.
func valueLen(typ byte, b []byte) (int, error) {
	fixed := -1
	switch typ {
	case tDouble, tDateTime, tTimestamp, tInt64:
		fixed = 8
	case tInt32:
		fixed = 4
	case tObjectID:
		fixed = 12
	case tBool:
		fixed = 1
	case tDecimal:
		fixed = 16
	case tUndefined, tNull, tMinKey, tMaxKey:
		fixed = 0
	case tString, tJavaScript, tSymbol:
		return stringLen(b)
	case tDocument, tArray, tCodeScope:
		if len(b) < 5 {
			return 0, errMalformed
		}
		n := int64(int32(binary.LittleEndian.Uint32(b))) // #nosec G115 -- BSON's signed int32 length read bit for bit, checked against len(b) next
		if n < 5 || n > int64(len(b)) || b[n-1] != 0 {
			return 0, errMalformed
		}
		return int(n), nil
	case tBinary:
		if len(b) < 5 {
			return 0, errMalformed
		}
		n := int64(int32(binary.LittleEndian.Uint32(b))) // #nosec G115 -- BSON's signed int32 length read bit for bit, checked against len(b) next
		if n < 0 || 5+n > int64(len(b)) {
			return 0, errMalformed
		}
		return int(5 + n), nil
	case tRegex:
		i := 0
		for c := 0; c < 2; c++ {
			for i < len(b) && b[i] != 0 {
				i++
			}
			if i == len(b) {
				return 0, errMalformed
			}
			i++
		}
		return i, nil
	case tDBPointer:
		n, err := stringLen(b)
		if err != nil || n+12 > len(b) {
			return 0, errMalformed
		}
		return n + 12, nil
	default:
		return 0, fmt.Errorf("%w: unknown BSON type 0x%02x", query.ErrBadRequest, typ)
	}
	if fixed > len(b) {
		return 0, errMalformed
	}
	return fixed, nil
}

// stringLen returns the length of the BSON string (length prefix, bytes,
// NUL) at the start of b.
func stringLen(b []byte) (int, error) {
	if len(b) < 5 {
		return 0, errMalformed
	}
	n := int64(int32(binary.LittleEndian.Uint32(b))) // #nosec G115 -- BSON's signed int32 length read bit for bit, checked against len(b) next
	if n < 1 || 4+n > int64(len(b)) || b[3+n] != 0 {
		return 0, errMalformed
	}
	return int(4 + n), nil
}

// stringValue returns the bytes of a BSON string value (without the length
// prefix and the NUL).
func stringValue(val []byte) []byte { return val[4 : len(val)-1] }

// appendJSON appends the JSON form of the BSON document doc (a whole
// document, length prefix included) to dst. See the package documentation
// for the mapping.
func appendJSON(dst, doc []byte) ([]byte, error) {
	return appendJSONDoc(dst, doc, false, 0)
}

func appendJSONDoc(dst, doc []byte, array bool, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fmt.Errorf("%w: document nested deeper than %d levels", query.ErrBadRequest, maxDepth)
	}
	body, err := docBody(doc)
	if err != nil {
		return dst, err
	}
	open, close := byte('{'), byte('}')
	if array {
		open, close = '[', ']'
	}
	dst = append(dst, open)
	first := true
	for len(body) > 0 {
		var e element
		e, body, err = nextElement(body)
		if err != nil {
			return dst, err
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if !array {
			dst = appendJSONString(dst, e.key)
			dst = append(dst, ':')
		}
		if dst, err = appendJSONValue(dst, e.typ, e.val, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, close), nil
}

// appendJSONValue appends the JSON form of one BSON value.
func appendJSONValue(dst []byte, typ byte, val []byte, depth int) ([]byte, error) {
	switch typ {
	case tDouble:
		return appendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(val))), nil
	case tString:
		return appendJSONString(dst, stringValue(val)), nil
	case tDocument:
		return appendJSONDoc(dst, val, false, depth+1)
	case tArray:
		return appendJSONDoc(dst, val, true, depth+1)
	case tObjectID:
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, val)
		return append(dst, '"'), nil
	case tBool:
		if val[0] != 0 {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case tDateTime:
		dst = append(dst, '"')
		dst = appendTime(dst, int64(binary.LittleEndian.Uint64(val))) // #nosec G115 -- BSON's int64 datetime read bit for bit
		return append(dst, '"'), nil
	case tNull, tUndefined:
		return append(dst, "null"...), nil
	case tInt32:
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(val))), 10), nil // #nosec G115 -- BSON's int32 value read bit for bit
	case tInt64:
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(val)), 10), nil // #nosec G115 -- BSON's int64 value read bit for bit
	default:
		if typ == tCodeScope {
			// Validate the nested parts before the driver's String walks them.
			if len(val) < 8 {
				return dst, errMalformed
			}
			n, err := stringLen(val[4:])
			if err != nil {
				return dst, err
			}
			if _, err := docBody(val[4+n:]); err != nil {
				return dst, err
			}
		}
		s := bson.RawValue{Type: bson.Type(typ), Value: val}.String()
		return appendJSONString(dst, []byte(s)), nil
	}
}

// appendFloat appends a double as a JSON number; NaN becomes null and the
// infinities ±9e999, which SQLite reads as ±Inf.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "null"...)
	case math.IsInf(f, 1):
		return append(dst, "9e999"...)
	case math.IsInf(f, -1):
		return append(dst, "-9e999"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// appendTime appends a DateTime (milliseconds since the epoch) in
// timeLayout.
func appendTime(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, timeLayout)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Only the quote, the
// backslash and control characters are escaped; other bytes are copied, so
// that SQLite's text values compare byte for byte with bound Go strings.
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// kind is the type class of a filter value, for MongoDB's type bracketing.
type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString
)

// sqlValue converts a normalised filter or cursor value to the SQL value
// json_extract returns for the same BSON value, and its type class.
func sqlValue(v any) (any, kind, error) {
	switch x := v.(type) {
	case nil:
		return nil, kNull, nil
	case bool:
		if x {
			return int64(1), kBool, nil
		}
		return int64(0), kBool, nil
	case int32:
		return int64(x), kNumber, nil
	case int64:
		return x, kNumber, nil
	case int:
		return int64(x), kNumber, nil
	case float64:
		return x, kNumber, nil
	case string:
		return x, kString, nil
	case bson.DateTime:
		return string(appendTime(nil, int64(x))), kString, nil
	case bson.ObjectID:
		return x.Hex(), kString, nil
	default:
		return nil, 0, fmt.Errorf("%w: unsupported filter value of type %T", query.ErrBadRequest, v)
	}
}

// docID returns the string _id of the BSON document doc; found is false
// when it has none.
func docID(doc []byte) (id string, found bool, err error) {
	body, err := docBody(doc)
	if err != nil {
		return "", false, err
	}
	for len(body) > 0 {
		var e element
		e, body, err = nextElement(body)
		if err != nil {
			return "", false, err
		}
		if string(e.key) == "_id" {
			if e.typ != tString {
				return "", false, fmt.Errorf("%w: _id is not a string", query.ErrBadRequest)
			}
			return string(stringValue(e.val)), true, nil
		}
	}
	return "", false, nil
}

// project appends to dst the document doc reduced to _id and the top-level
// fields in keep.
func project(dst, doc []byte, keep map[string]struct{}) ([]byte, error) {
	body, err := docBody(doc)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	for len(body) > 0 {
		var e element
		e, body, err = nextElement(body)
		if err != nil {
			return dst, err
		}
		if _, ok := keep[string(e.key)]; ok || string(e.key) == "_id" {
			dst = append(dst, e.raw...)
		}
	}
	dst = append(dst, 0)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start)) // #nosec G115 -- a projection of a document whose int32 length was checked, so no longer than it
	return dst, nil
}
