package webos

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type decodeInput struct {
	Title string     `json:"title" validate:"required,max=10"`
	Count int        `json:"count" validate:"min=0"`
	Ratio float64    `json:"ratio"`
	Done  bool       `json:"done"`
	Tags  []string   `json:"tags"`
	Due   time.Time  `json:"due"`
	Until *time.Time `json:"until"`
	Note  *string    `json:"note"`
	Skip  string     `json:"-"`
}

func TestDecodeJSONAndForms(t *testing.T) {
	form := url.Values{"title": {"Hi"}, "count": {"3"}, "ratio": {"0.5"}, "done": {"on"}, "tags": {"a", "b"},
		"due": {"2026-12-01T10:30"}, "note": {"n"}, "csrf": {"ignored"}, "Skip": {"x"}}
	var mp strings.Builder
	mw := multipart.NewWriter(&mp)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	_ = mw.Close()
	for name, req := range map[string]*http.Request{
		"json":      jsonReq(`{"title":"Hi","count":3,"ratio":0.5,"done":true,"tags":["a","b"],"due":"2026-12-01T10:30:00Z","note":"n"}`),
		"urlencode": formReq("application/x-www-form-urlencoded", form.Encode()),
		"multipart": formReq(mw.FormDataContentType(), mp.String()),
	} {
		var in decodeInput
		if err := Decode(req, &in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
		if in.Title != "Hi" || in.Count != 3 || in.Ratio != 0.5 || !in.Done || strings.Join(in.Tags, ",") != "a,b" ||
			!in.Due.Equal(want) || in.Until != nil || in.Note == nil || *in.Note != "n" || in.Skip != "" {
			t.Errorf("%s: %+v", name, in)
		}
	}
	// An unchecked checkbox is absent from the form: false.
	in := decodeInput{Done: true}
	if err := Decode(formReq("application/x-www-form-urlencoded", "title=x"), &in); err != nil || in.Done {
		t.Fatalf("unchecked: %+v %v", in, err)
	}
	// Values that do not parse and failed validations are field errors.
	var ve *ValidationError
	err := Decode(formReq("application/x-www-form-urlencoded", "title=&count=x&ratio=y&due=yesterday"), &decodeInput{})
	if !errors.As(err, &ve) || StatusOf(err) != 422 || ve.Fields["count"] == "" || ve.Fields["ratio"] == "" || ve.Fields["due"] == "" {
		t.Fatalf("bad form: %v", err)
	}
	err = Decode(formReq("application/x-www-form-urlencoded", "title=much+too+long+a+title"), &decodeInput{})
	if !errors.As(err, &ve) || ve.Fields["title"] != "must be at most 10 characters" {
		t.Fatalf("validation: %v", err)
	}
	for name, req := range map[string]*http.Request{
		"unknown JSON field": jsonReq(`{"title":"x","nope":1}`),
		"wrong JSON type":    jsonReq(`{"title":5}`),
		"other type":         formReq("text/plain", "title=x"),
		"bad content type":   formReq("a/b/c", ""),
	} {
		if err := Decode(req, &decodeInput{}); StatusOf(err) != 400 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func jsonReq(body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func formReq(ct, body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	return r
}
