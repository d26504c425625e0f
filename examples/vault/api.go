package vault

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/webos-go/webos"
)

// maxImportBytes bounds an import upload.
const maxImportBytes = 64 << 20

// apiRoutes are the JSON API under /vault/api. Every answer that carries
// a secret is marked not to be cached.
func (m *Module) apiRoutes(r *webos.Router) {
	r.HandleFunc("GET /api/entries", m.apiList)
	r.HandleFunc("POST /api/entries", m.apiCreate)
	r.HandleFunc("GET /api/entries/{entry}", m.apiGet)
	r.HandleFunc("PUT /api/entries/{entry}", m.apiUpdate)
	r.HandleFunc("DELETE /api/entries/{entry}", m.apiDelete)
	r.HandleFunc("GET /api/entries/{entry}/secrets/{field}", m.apiReveal)
	r.HandleFunc("GET /api/entries/{entry}/totp", m.apiTOTP)
	r.HandleFunc("GET /api/entries/{entry}/breach", m.apiBreach)
	r.HandleFunc("GET /api/count", m.apiCount)
	r.HandleFunc("GET /api/folders", m.apiFolders)
	r.HandleFunc("GET /api/generate", m.apiGenerate)
	r.HandleFunc("GET /api/health", m.apiHealth)
	r.HandleFunc("POST /api/import", m.apiImport, webos.BodyLimit(maxImportBytes), webos.Timeout(10*time.Minute))
	r.HandleFunc("POST /api/export", m.apiExport, webos.Timeout(10*time.Minute))
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// listOptions reads ListOptions from the query string.
func listOptions(r *http.Request) (ListOptions, error) {
	q := r.URL.Query()
	o := ListOptions{Query: q.Get("q"), Folder: q.Get("folder"), Tag: q.Get("tag"), After: q.Get("after")}
	switch q.Get("favorites") {
	case "", "0", "false", "off":
	case "1", "true", "on":
		o.Favorites = true
	default:
		return o, webos.Invalid("favorites", "must be true or false")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return o, webos.Invalid("limit", "must be a whole number")
		}
		o.Limit = n
	}
	return o, webos.Validate(&o)
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := m.List(r.Context(), o)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	e, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", m.prefix+"/api/entries/"+e.ID)
	webos.WriteJSON(w, http.StatusCreated, e)
	return nil
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	e, err := m.Get(r.Context(), r.PathValue("entry"))
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (m *Module) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	e, err := m.Update(r.Context(), r.PathValue("entry"), in)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (m *Module) apiDelete(w http.ResponseWriter, r *http.Request) error {
	if err := m.Delete(r.Context(), r.PathValue("entry")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Secret is a revealed secret field.
type Secret struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

func (m *Module) apiReveal(w http.ResponseWriter, r *http.Request) error {
	field := r.PathValue("field")
	v, err := m.Reveal(r.Context(), r.PathValue("entry"), field)
	if err != nil {
		return err
	}
	noStore(w)
	webos.WriteJSON(w, http.StatusOK, Secret{Field: field, Value: v})
	return nil
}

// Code is a TOTP code and how long it stays valid.
type Code struct {
	Code      string `json:"code"`
	Remaining int    `json:"remaining"` // seconds
	Period    int    `json:"period"`    // seconds
}

func (m *Module) apiTOTP(w http.ResponseWriter, r *http.Request) error {
	code, left, period, err := m.Code(r.Context(), r.PathValue("entry"), time.Now())
	if err != nil {
		return err
	}
	noStore(w)
	webos.WriteJSON(w, http.StatusOK, Code{Code: code, Remaining: int(left / time.Second), Period: int(period / time.Second)})
	return nil
}

func (m *Module) apiBreach(w http.ResponseWriter, r *http.Request) error {
	n, err := m.Breached(r.Context(), r.PathValue("entry"))
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{"breached": n > 0, "count": n})
	return nil
}

func (m *Module) apiCount(w http.ResponseWriter, r *http.Request) error {
	n, err := m.Count(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string]int64{"count": n})
	return nil
}

func (m *Module) apiFolders(w http.ResponseWriter, r *http.Request) error {
	f, t, err := m.Folders(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string][]string{"folders": f, "tags": t})
	return nil
}

// generateOptions reads GenerateOptions from the query; with none given,
// DefaultGenerate.
func generateOptions(r *http.Request) (GenerateOptions, error) {
	q := r.URL.Query()
	if len(q) == 0 {
		return DefaultGenerate, nil
	}
	var o GenerateOptions
	problems := map[string]string{}
	num := func(name string) int {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			problems[name] = "must be a whole number"
		}
		return n
	}
	flag := func(name string) bool {
		switch q.Get(name) {
		case "", "0", "false", "off":
			return false
		case "1", "true", "on":
			return true
		}
		problems[name] = "must be true or false"
		return false
	}
	o.Length, o.Words = num("length"), num("words")
	o.Lower, o.Upper, o.Digits, o.Symbols = flag("lower"), flag("upper"), flag("digits"), flag("symbols")
	o.ExcludeSimilar, o.Capitalize = flag("exclude_similar"), flag("capitalize")
	o.Separator = q.Get("separator")
	if q.Get("mode") == "words" && o.Words == 0 {
		o.Words = 5
	}
	if q.Get("mode") == "chars" {
		o.Words = 0
	}
	if len(problems) > 0 {
		return o, &webos.ValidationError{Fields: problems}
	}
	return o, webos.Validate(&o)
}

func (m *Module) apiGenerate(w http.ResponseWriter, r *http.Request) error {
	o, err := generateOptions(r)
	if err != nil {
		return err
	}
	g, err := Generate(o)
	if err != nil {
		return webos.Invalid("length", err.Error())
	}
	noStore(w)
	webos.WriteJSON(w, http.StatusOK, g)
	return nil
}

func (m *Module) apiHealth(w http.ResponseWriter, r *http.Request) error {
	h, err := m.Health(r.Context(), time.Now())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, h)
	return nil
}

// importBody returns the CSV of an import request: the "file" part of a
// multipart form, or the body itself (text/csv).
func importBody(r *http.Request) (io.Reader, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("%w: send a CSV file (text/csv or a multipart form)", webos.ErrBadRequest)
	}
	switch mt {
	case "text/csv", "text/plain", "application/octet-stream":
		return r.Body, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, webos.Invalid("file", "choose a CSV file")
			}
			if err != nil {
				return nil, fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
			}
			if p.FormName() == "file" {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: send a CSV file (text/csv or a multipart form)", webos.ErrBadRequest)
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	body, err := importBody(r)
	if err != nil {
		return err
	}
	res, err := m.Import(r.Context(), body)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, res)
	return nil
}

// apiExport streams the vault as CSV. It needs confirm=true (a form field
// or the query), the answer to the warning that the file holds every
// secret in the clear.
func (m *Module) apiExport(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
	}
	switch r.Form.Get("confirm") {
	case "true", "on", "1", "yes":
	default:
		return webos.Invalid("confirm", "confirm that the file will hold every password in the clear")
	}
	started := false
	_, err := m.Export(r.Context(), w, func() {
		started = true
		noStore(w)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="vault-export.csv"`)
		w.WriteHeader(http.StatusOK)
	})
	if err != nil && started {
		// The client has a cut-off file; the status was sent already.
		m.log.ErrorContext(r.Context(), "vault: export failed", "error", err)
		return nil
	}
	return err
}
