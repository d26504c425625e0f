package webos

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Decode fills v, a pointer to a struct, from the request body — JSON
// (application/json, or no content type), an urlencoded form or a
// multipart form — and validates it by its `validate` tags, so that one
// handler serves API clients and the shell's forms alike:
//
//	var in struct {
//		Title string `json:"title" validate:"required,max=200"`
//	}
//	if err := webos.Decode(r, &in); err != nil {
//		return err // 400, 413 or 422 — JSON for API clients, the form's errors for htmx
//	}
//
// JSON is read strictly: malformed JSON, a wrong type, an unknown field or
// trailing data is ErrBadRequest (400). A form field fills the struct
// field of the same json name; fields the struct does not have are
// ignored (a form carries buttons and tokens), and a value that does not
// parse as the field's type — a number, a boolean ("on", "true", "1" or
// absent), a time (RFC 3339 or an <input type="datetime-local"> value) —
// is a field error like a failed validation. A body over the route's limit
// is 413; a failed validation is a *ValidationError (422).
func Decode(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt := ""
	if ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return fmt.Errorf("%w: malformed content type", ErrBadRequest)
		}
	}
	switch {
	case mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return decodeJSON(r, v)
	case mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data":
		return decodeForm(r, v)
	}
	return fmt.Errorf("%w: content type must be application/json or a form", ErrBadRequest)
}

func decodeForm(r *http.Request, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("webos: Decode needs a pointer to a struct, not %T", v)
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fmt.Errorf("%w: malformed form", ErrBadRequest)
	}
	values := r.PostForm
	if r.MultipartForm != nil {
		values = r.MultipartForm.Value
	}
	problems := map[string]string{}
	fillForm(rv.Elem(), values, problems)
	if len(problems) > 0 {
		return &ValidationError{Fields: problems}
	}
	return Validate(v)
}

// fillForm sets the fields of the struct sv from form values, by json
// name, recording values that do not parse in problems.
func fillForm(sv reflect.Value, values map[string][]string, problems map[string]string) {
	st := sv.Type()
	for i := range st.NumField() {
		sf := st.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fv := sv.Field(i)
		vals, present := values[name]
		if fv.Kind() == reflect.Bool {
			// An unchecked checkbox is not sent at all.
			vals = append(vals[:len(vals):len(vals)], "")
			present = true
		}
		if !present {
			continue
		}
		if msg := setFormValue(fv, vals); msg != "" {
			problems[name] = msg
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// setFormValue parses vals into fv and returns what is wrong, if anything.
func setFormValue(fv reflect.Value, vals []string) string {
	if fv.Kind() == reflect.Pointer {
		if strings.TrimSpace(vals[0]) == "" {
			return ""
		}
		p := reflect.New(fv.Type().Elem())
		if msg := setFormValue(p.Elem(), vals); msg != "" {
			return msg
		}
		fv.Set(p)
		return ""
	}
	s := vals[0]
	switch {
	case fv.Type() == timeType:
		s = strings.TrimSpace(s)
		if s == "" {
			fv.Set(reflect.Zero(timeType))
			return ""
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				fv.Set(reflect.ValueOf(t.UTC()))
				return ""
			}
		}
		return "must be a date and time"
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "on", "true", "1", "yes":
			fv.SetBool(true)
		case "", "off", "false", "0", "no":
			fv.SetBool(false)
		default:
			return "must be yes or no"
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if strings.TrimSpace(s) == "" {
			fv.SetInt(0)
			return ""
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, fv.Type().Bits())
		if err != nil {
			return "must be a whole number"
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if strings.TrimSpace(s) == "" {
			fv.SetUint(0)
			return ""
		}
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, fv.Type().Bits())
		if err != nil {
			return "must be a whole number, 0 or more"
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		if strings.TrimSpace(s) == "" {
			fv.SetFloat(0)
			return ""
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), fv.Type().Bits())
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "must be a number"
		}
		fv.SetFloat(f)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return "cannot be given in a form"
		}
		out := reflect.MakeSlice(fv.Type(), 0, len(vals))
		for _, v := range vals {
			if v != "" {
				out = reflect.Append(out, reflect.ValueOf(v).Convert(fv.Type().Elem()))
			}
		}
		fv.Set(out)
	default:
		return "cannot be given in a form"
	}
	return ""
}
