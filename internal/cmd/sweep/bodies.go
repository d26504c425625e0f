package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"sort"
	"strings"
)

// body is one request body of the sweep.
type body struct {
	name  string
	ctype string
	data  []byte
	// gen and size describe a body too large to hold: size bytes (-1:
	// sent chunked, without a Content-Length).
	gen  func() io.Reader
	size int64
}

func (b body) reader() (func() io.Reader, int64) {
	if b.gen != nil {
		return b.gen, b.size
	}
	if b.data == nil {
		return nil, 0
	}
	d := b.data
	return func() io.Reader { return bytes.NewReader(d) }, int64(len(d))
}

const jsonType = "application/json"
const formType = "application/x-www-form-urlencoded"

// huge is 11 MiB, over the kernel's default limit of 10 MiB.
const huge = 11 << 20

func raw(name, ctype, data string) body { return body{name: name, ctype: ctype, data: []byte(data)} }

// big returns a JSON body of n bytes ({"name":"aaa…"}), generated as it is
// sent; chunked leaves out the Content-Length.
func big(name, ctype string, n int64, chunked bool) body {
	const head, tail = `{"name":"`, `"}`
	gen := func() io.Reader {
		return io.MultiReader(strings.NewReader(head),
			io.LimitReader(repeat('a'), n-int64(len(head)+len(tail))), strings.NewReader(tail))
	}
	size := n
	if chunked {
		size = -1
	}
	return body{name: name, ctype: ctype, gen: gen, size: size}
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// limitOf is the route's body limit in bytes (0: none).
func limitOf(rt *route) int64 {
	switch rt.limit {
	case smallLimit:
		return smallLimit
	case noLimit:
		return 0
	}
	return 10 << 20
}

// validBody is the route's plausible body.
func validBody(rt *route) body {
	switch {
	case rt.json != nil:
		b, _ := json.Marshal(rt.json)
		return body{name: "valid JSON", ctype: jsonType, data: b}
	case rt.form != "":
		return raw("valid form", formType, rt.form)
	case rt.raw != "":
		return raw("file bytes", "text/plain", rt.raw)
	case rt.multipart:
		ct, data := multipartBody(map[string]string{"note": "x"}, "a.txt", "hello")
		return body{name: "multipart upload", ctype: ct, data: data}
	}
	return body{name: "none"}
}

// formOf is the route's body as an urlencoded form.
func formOf(rt *route) string {
	if rt.form != "" {
		return rt.form
	}
	v := url.Values{}
	for k, x := range rt.json {
		v.Set(k, fmt.Sprint(x))
	}
	return v.Encode()
}

func multipartBody(fields map[string]string, file, content string) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range sortedKeys(fields) {
		_ = w.WriteField(k, fields[k])
	}
	if file != "" {
		fw, _ := w.CreateFormFile("file", file)
		_, _ = io.WriteString(fw, content)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fewBodies are the bodies sent as every identity: the valid one and a
// few broken ones.
func fewBodies(rt *route) []body {
	return []body{
		validBody(rt),
		raw("malformed JSON", jsonType, `{`),
		raw("JSON array", jsonType, `[]`),
		raw("empty JSON", jsonType, ""),
		raw("text/plain", "text/plain", "hello"),
		raw("form", formType, formOf(rt)),
	}
}

// allBodies are the bodies sent as the administrator.
func allBodies(rt *route) []body {
	out := []body{validBody(rt)}
	add := func(b ...body) { out = append(out, b...) }
	if rt.json != nil {
		add(
			raw("malformed: {", jsonType, `{`),
			raw(`malformed: {"a":`, jsonType, `{"a":`),
			raw("malformed: [1,2", jsonType, `[1,2`),
			raw("malformed: nul", jsonType, `nul`),
			raw("malformed: trailing }", jsonType, `{"x":1}}`),
			raw("two objects", jsonType, `{} {}`),
			raw("trailing comma", jsonType, `{"a":1,}`),
			raw("single quotes", jsonType, `{'a':'b'}`),
			raw("binary", jsonType, "\x00\xff\xfe\xfd\x01"),
			raw("lone surrogate", jsonType, `{"name":"\ud800","email":"\udfff"}`),
			raw("invalid UTF-8 in a string", jsonType, "{\"name\":\"\xff\xfe\"}"),
			raw("deep nesting", jsonType, strings.Repeat("[", 100000)),
			raw("deep objects", jsonType, strings.Repeat(`{"a":`, 5000)+"1"+strings.Repeat("}", 5000)),
			raw("number 1e400", jsonType, `{"n":1e400}`),
			raw("top-level string", jsonType, `"str"`),
			raw("top-level number", jsonType, `123`),
			raw("top-level null", jsonType, `null`),
			raw("top-level true", jsonType, `true`),
			raw("top-level array", jsonType, `[{"a":1}]`),
			raw("empty object", jsonType, `{}`),
		)
		for _, k := range sortedKeys(rt.json) {
			for _, v := range wrongTypes(rt.json[k]) {
				m := map[string]any{}
				for k2, v2 := range rt.json {
					m[k2] = v2
				}
				m[k] = v
				b, _ := json.Marshal(m)
				add(body{name: fmt.Sprintf("%s: %s", k, short(string(mustJSON(v)), 20)), ctype: jsonType, data: b})
			}
			m := map[string]any{}
			for k2, v2 := range rt.json {
				m[k2] = v2
			}
			m[k] = strings.Repeat("x", int(min(limitOf(rt), 1<<20)/2))
			b, _ := json.Marshal(m)
			add(body{name: k + ": a long string", ctype: jsonType, data: b})
			// a duplicate key, the second of the wrong type
			v, _ := json.Marshal(rt.json)
			dup := append([]byte(fmt.Sprintf(`{%q:[],`, k)), v[1:]...)
			add(body{name: k + ": duplicate key", ctype: jsonType, data: dup})
		}
		m := map[string]any{"unknown_field": 1}
		for k, v := range rt.json {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		add(body{name: "unknown field", ctype: jsonType, data: b})
	}
	if rt.form != "" {
		vals, _ := url.ParseQuery(rt.form)
		for _, k := range sortedKeys(vals) {
			for _, v := range []string{"", "x", "-1", "99999999999999999999", "%00", "\u2713", strings.Repeat("x", 8000)} {
				vv := url.Values{}
				for k2, v2 := range vals {
					vv[k2] = v2
				}
				vv.Set(k, v)
				add(raw(fmt.Sprintf("form %s=%s", k, short(v, 12)), formType, vv.Encode()))
			}
			add(raw("form "+k+" twice", formType, rt.form+"&"+k+"=x"))
		}
		add(raw("JSON to a form route", jsonType, `{"title":"x","theme":"dark","steps":1}`))
	}
	valid := validBody(rt).data
	ct, mp := multipartBody(map[string]string{"title": "x", "name": "x", "email": "a@b.c"}, "a.txt", "hello")
	add(
		raw("empty, JSON type", jsonType, ""),
		raw("empty, no type", "", ""),
		raw("whitespace", jsonType, "  \n\t "),
		raw("form", formType, formOf(rt)),
		raw("broken form", formType, "%zz=1&&=&a"),
		body{name: "multipart form", ctype: ct, data: mp},
		raw("multipart without boundary", "multipart/form-data", string(mp)),
		raw("multipart, wrong boundary", "multipart/form-data; boundary=nothere", string(mp)),
		raw("multipart, truncated", ct, string(mp[:len(mp)/2])),
		raw("text/plain", "text/plain", string(valid)),
		raw("application/xml", "application/xml", `<a>1</a>`),
		raw("malformed content type", "garbage;;;=", string(valid)),
		raw("JSON, charset latin1", "application/json; charset=latin1", string(valid)),
		raw("vnd+json", "application/vnd.api+json", string(valid)),
		raw("image/png", "image/png", "\x89PNG\r\n\x1a\n\x00\x00"),
		raw("form type, JSON body", formType, string(valid)),
		raw("multipart type, JSON body", "multipart/form-data; boundary=x", string(valid)),
	)
	if lim := limitOf(rt); lim > 0 {
		add(big("limit+1, with length", jsonType, lim+1, false))
		add(big("limit+1, chunked", jsonType, lim+1, true))
		if lim < huge {
			add(big("11 MiB, with length", jsonType, huge, false))
		}
		add(big("11 MiB, chunked", jsonType, huge, true))
	} else {
		// Uploads have a limit of their own (1 GiB): 11 MiB is an
		// ordinary upload, sent both ways.
		add(big("11 MiB upload, with length", "application/octet-stream", huge, false))
		add(big("11 MiB upload, chunked", "application/octet-stream", huge, true))
	}
	return out
}

func wrongTypes(v any) []any {
	switch v.(type) {
	case string:
		return []any{123, true, []any{}, obj{}, nil}
	case float64, int, int64:
		return []any{"x", -1, 1.5, true, nil, 1e300}
	case bool:
		return []any{"yes", 1, nil}
	case []any:
		return []any{"x", obj{}, []any{1, nil, obj{}}, nil}
	case map[string]any:
		return []any{"x", []any{}, nil}
	}
	return []any{"x", 1, nil}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
