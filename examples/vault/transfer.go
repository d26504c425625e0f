package vault

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/webos-go/webos"
)

// Import formats, by their CSV header.
const (
	FormatBitwarden = "bitwarden"
	FormatKeePass   = "keepass"
)

// bitwardenHeader is the header of Bitwarden's CSV export, which
// [Module.Export] writes too.
var bitwardenHeader = []string{"folder", "favorite", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp"}

// ImportResult says what an import did.
type ImportResult struct {
	Format   string        `json:"format"`
	Imported int           `json:"imported"`
	Skipped  []ImportIssue `json:"skipped"`
}

// ImportIssue is a row that was not imported, and why — never its
// content.
type ImportIssue struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
}

// MaxImportIssues is how many skipped rows an import lists.
const MaxImportIssues = 100

// Import reads a Bitwarden or KeePass/KeePassXC CSV export from r, row by
// row, and stores each login as a new entry of the user in ctx. The
// format is told by the header. Rows that are not logins, or not valid,
// are skipped and counted; what was imported before an error stays.
func (m *Module) Import(ctx context.Context, r io.Reader) (*ImportResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, webos.Invalid("file", "is not a CSV file with a header")
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	res := &ImportResult{Skipped: []ImportIssue{}}
	var row func(rec []string) (Input, bool, error)
	switch {
	case has(col, "login_password", "name"):
		res.Format = FormatBitwarden
		row = func(rec []string) (Input, bool, error) { return bitwardenRow(col, rec) }
	case has(col, "title", "password") || has(col, "account", "password"):
		res.Format = FormatKeePass
		row = func(rec []string) (Input, bool, error) { return keepassRow(col, rec) }
	default:
		return nil, webos.Invalid("file", "is neither a Bitwarden nor a KeePass CSV export")
	}
	if _, err := m.dataKey(ctx); err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		line, _ := cr.FieldPos(0)
		skip := func(problem string) {
			if len(res.Skipped) < MaxImportIssues {
				res.Skipped = append(res.Skipped, ImportIssue{Line: line, Problem: problem})
			}
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				skip("malformed CSV")
				if pe.Err == csv.ErrFieldCount {
					continue
				}
				return res, webos.Invalid("file", fmt.Sprintf("malformed CSV at line %d", pe.Line))
			}
			return res, err
		}
		in, ok, err := row(rec)
		if !ok {
			skip("not a login")
			continue
		}
		if err == nil {
			if _, err = m.Create(ctx, in); err == nil {
				res.Imported++
				continue
			}
		}
		var ve *webos.ValidationError
		if errors.As(err, &ve) {
			skip("invalid: " + strings.Join(slices.Sorted(keys(ve.Fields)), ", "))
			continue
		}
		return res, err
	}
}

func keys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func has(col map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := col[n]; !ok {
			return false
		}
	}
	return true
}

func get(col map[string]int, rec []string, names ...string) string {
	for _, n := range names {
		if i, ok := col[n]; ok && i < len(rec) {
			return rec[i]
		}
	}
	return ""
}

func ptr(s string) *string { return &s }

func bitwardenRow(col map[string]int, rec []string) (Input, bool, error) {
	if t := get(col, rec, "type"); t != "" && t != "login" {
		return Input{}, false, nil
	}
	in := Input{
		Title:    get(col, rec, "name"),
		Folder:   get(col, rec, "folder"),
		Favorite: get(col, rec, "favorite") == "1",
		Username: get(col, rec, "login_username"),
		Password: ptr(get(col, rec, "login_password")),
		Notes:    ptr(get(col, rec, "notes")),
		TOTP:     ptr(get(col, rec, "login_totp")),
		URLs:     []string{strings.ReplaceAll(get(col, rec, "login_uri"), ",", "\n")},
	}
	for _, l := range strings.Split(get(col, rec, "fields"), "\n") {
		if name, value, ok := strings.Cut(l, ": "); ok && strings.TrimSpace(name) != "" {
			in.Fields = append(in.Fields, Field{Name: name, Value: value, Secret: true})
		}
	}
	return in, true, nil
}

func keepassRow(col map[string]int, rec []string) (Input, bool, error) {
	in := Input{
		Title:    get(col, rec, "title", "account"),
		Folder:   get(col, rec, "group"),
		Username: get(col, rec, "username", "login name"),
		Password: ptr(get(col, rec, "password")),
		Notes:    ptr(get(col, rec, "notes", "comments")),
		TOTP:     ptr(get(col, rec, "totp")),
		URLs:     []string{get(col, rec, "url", "web site")},
	}
	if t, err := time.Parse(time.RFC3339, get(col, rec, "last modified")); err == nil {
		in.changedAt = t // KeePassXC's export: when the entry last changed
	}
	if in.Folder == "Root" {
		in.Folder = ""
	}
	in.Folder = strings.TrimPrefix(in.Folder, "Root/")
	if in.Title == "" {
		in.Title = firstNonEmpty(in.URLs[0], in.Username)
	}
	return in, true, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Export writes the user's whole vault to w as a Bitwarden CSV export,
// entry by entry, secrets in the clear: whoever has the file can read
// every password. It calls before once the first row is ready, so that an
// HTTP handler can send its headers only when the export can be made.
func (m *Module) Export(ctx context.Context, w io.Writer, before func()) (int, error) {
	k, err := m.dataKey(ctx)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	started := false
	start := func() error {
		if !started {
			started = true
			if before != nil {
				before()
			}
			return cw.Write(bitwardenHeader)
		}
		return nil
	}
	n := 0
	err = m.all(ctx, func(e *Entry) error {
		sec := map[string]string{}
		for name := range e.Sealed {
			v, err := m.open(k, e, name)
			if err != nil {
				return fmt.Errorf("vault: entry %s: %w", e.ID, err)
			}
			sec[name] = v
		}
		var fields []string
		for _, f := range e.Fields {
			v := f.Value
			if f.Secret {
				v = sec[customPrefix+f.Name]
			}
			fields = append(fields, f.Name+": "+v)
		}
		fav := ""
		if e.Favorite {
			fav = "1"
		}
		if err := start(); err != nil {
			return err
		}
		n++
		return cw.Write([]string{e.Folder, fav, "login", e.Title, sec[FieldNotes], strings.Join(fields, "\n"), "0",
			strings.Join(e.URLs, ","), e.Username, sec[FieldPassword], sec[FieldTOTP]})
	})
	if err == nil {
		err = start()
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}
