package explorer

import (
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

//go:embed static
var static embed.FS

// Mount adds the grid's routes to r under path (such as "/grid"), guarded
// as r is and by the grid's ReadPerm (a signed-in user at least); shell
// renders the page in the shell:
//
//	GET   path/               the grid page; its table alone for htmx (path redirects here)
//	GET   path/rows           JSON: ?sort=-title,rank&filter=...&after=...&limit=50&count=1
//	POST  path/rows           JSON: AG Grid's infinite row model getRows
//	GET   path/columns        JSON: the AG Grid columnDefs the caller may see
//	PATCH path/rows/{id}      edit: {"version": "...", "values": {...}} or a form
//	                          (mounted when the source is an [Editor] and a column is editable)
//	POST  path/delete         delete the rows ids=... (JSON or form; mounted when the
//	                          source is an [Editor] and [Config.Deletable] is set)
//	POST  path/columns        the user's shown columns (form show=...)
//	GET   path/export.csv     the rows of the current order and filter, streamed
//
// The query parameters of the page and of the JSON and CSV routes are the
// same: sort (fields, "-" for descending), filter (the compact syntax of
// [ParseFilter]) and the filter row's f.<field> (text contains, enum and
// boolean equal) and f.<field>.min / f.<field>.max (number and date
// ranges, ends included), joined by AND.
func (g *Grid[T]) Mount(r *webos.Router, path string, shell *ui.Module) {
	path = strings.TrimSuffix(path, "/")
	base := r.Prefix() + path
	if g.cfg.ReadPerm != "" {
		r = r.Require(g.cfg.ReadPerm)
	} else {
		r = r.Require()
	}
	r.HandleFunc("GET "+path+"/{$}", func(w http.ResponseWriter, req *http.Request) error { return g.servePage(w, req, shell, base) })
	if path != "" {
		r.HandleFunc("GET "+path, func(w http.ResponseWriter, req *http.Request) error {
			u := base + "/"
			if req.URL.RawQuery != "" {
				u += "?" + req.URL.RawQuery
			}
			http.Redirect(w, req, u, http.StatusSeeOther)
			return nil
		})
	}
	r.HandleFunc("GET "+path+"/rows", g.serveRows)
	r.HandleFunc("POST "+path+"/rows", g.serveGetRows)
	r.HandleFunc("GET "+path+"/columns", g.serveColumns)
	if g.edit != nil && slices.ContainsFunc(g.cols, func(c Column) bool { return c.Editable }) {
		r.HandleFunc("PATCH "+path+"/rows/{id}", g.serveEdit)
	}
	if g.edit != nil && g.cfg.Deletable {
		r.HandleFunc("POST "+path+"/delete", func(w http.ResponseWriter, req *http.Request) error { return g.serveDelete(w, req, base) })
	}
	r.HandleFunc("POST "+path+"/columns", func(w http.ResponseWriter, req *http.Request) error { return g.servePrefs(w, req, base) })
	r.HandleFunc("GET "+path+"/export.csv", g.serveCSV)
	r.HandleFunc("GET "+path+"/static/{file}", serveStatic)
}

func serveStatic(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	var ct string
	switch name {
	case "grid.js":
		ct = "text/javascript; charset=utf-8"
	case "grid.css":
		ct = "text/css; charset=utf-8"
	default:
		return webos.ErrNotFound
	}
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		return webos.ErrNotFound
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
	return nil
}

// view is a request's order, filter and position.
type view struct {
	sort          []Sort
	where         Filter
	after, before string
	limit         int
	count         bool
	form          url.Values // the filter row's inputs
}

// parseView reads a view from a query string.
func (g *Grid[T]) parseView(ctx context.Context, q url.Values) (view, error) {
	v := view{after: q.Get("after"), before: q.Get("before"), count: q.Get("count") == "1", form: url.Values{}}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			return v, webos.Invalid("limit", fmt.Sprintf("must be a number from 1 to %d", MaxPageSize))
		}
		v.limit = n
	}
	if s, ok := q["sort"]; ok {
		v.sort = []Sort{}
		for part := range strings.SplitSeq(strings.Join(s, ","), ",") {
			if part == "" {
				continue
			}
			k := Sort{Field: part}
			if f, ok := strings.CutPrefix(part, "-"); ok {
				k = Sort{Field: f, Desc: true}
			}
			v.sort = append(v.sort, k)
		}
	}
	var parts []Filter
	if s := q.Get("filter"); s != "" {
		f, err := ParseFilter(s)
		if err != nil {
			return v, err
		}
		parts = append(parts, f)
	}
	cols, err := g.Columns(ctx)
	if err != nil {
		return v, err
	}
	for _, c := range cols {
		if len(c.Ops) == 0 {
			continue
		}
		key := "f." + c.Field
		if s := strings.TrimSpace(q.Get(key)); s != "" {
			v.form.Set(key, s)
			switch {
			case c.Type == Text && slices.Contains(c.Ops, Contains):
				parts = append(parts, Where(c.Field, Contains, s))
			default:
				parts = append(parts, Where(c.Field, Eq, s))
			}
		}
		for _, end := range []struct {
			suffix string
			op     Op
		}{{".min", Gte}, {".max", Lte}} {
			if s := strings.TrimSpace(q.Get(key + end.suffix)); s != "" {
				v.form.Set(key+end.suffix, s)
				val := s
				if c.Type == Time && end.op == Lte && len(s) == len("2006-01-02") {
					val = s + "T23:59:59.999Z" // a date includes its whole day
				}
				parts = append(parts, Where(c.Field, end.op, val))
			}
		}
	}
	switch len(parts) {
	case 0:
	case 1:
		v.where = parts[0]
	default:
		v.where = And(parts...)
	}
	return v, nil
}

func (g *Grid[T]) page(ctx context.Context, v view) (*Result[T], error) {
	return g.Page(ctx, Request{Where: v.where, Sort: v.sort, Limit: v.limit, After: v.after, Before: v.before, Count: v.count})
}

// rowsBody is the JSON of GET rows.
type rowsBody struct {
	Rows  []map[string]any `json:"rows"`
	Next  string           `json:"next,omitempty"`
	Prev  string           `json:"prev,omitempty"`
	Total *Total           `json:"total,omitempty"`
}

func (g *Grid[T]) rowMaps(ctx context.Context, rows []T) ([]map[string]any, error) {
	cols, err := g.Columns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(rows))
	for i := range rows {
		out[i] = g.row(cols, &rows[i])
	}
	return out, nil
}

func (g *Grid[T]) serveRows(w http.ResponseWriter, r *http.Request) error {
	v, err := g.parseView(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	res, err := g.page(r.Context(), v)
	if err != nil {
		return err
	}
	rows, err := g.rowMaps(r.Context(), res.Rows)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, rowsBody{Rows: rows, Next: res.Next, Prev: res.Prev, Total: res.Total})
	return nil
}

// GetRowsRequest is the body of POST rows: AG Grid's IGetRowsParams
// (startRow, endRow, sortModel, filterModel) and the cursor the previous
// block's answer gave (a datasource keeps it by the block's startRow).
type GetRowsRequest struct {
	StartRow  int `json:"startRow"`
	EndRow    int `json:"endRow"`
	SortModel []struct {
		ColID string `json:"colId"`
		Sort  string `json:"sort"`
	} `json:"sortModel"`
	FilterModel json.RawMessage `json:"filterModel"`
	After       string          `json:"after"`
}

// GetRowsResponse answers POST rows: rowData and lastRow (-1 while there
// are more) for successCallback, and the cursor of the next block.
type GetRowsResponse struct {
	RowData []map[string]any `json:"rowData"`
	LastRow int              `json:"lastRow"`
	After   string           `json:"after,omitempty"`
}

func (g *Grid[T]) serveGetRows(w http.ResponseWriter, r *http.Request) error {
	var in GetRowsRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if in.StartRow < 0 || in.EndRow <= in.StartRow || in.EndRow-in.StartRow > MaxPageSize {
		return webos.Invalid("endRow", fmt.Sprintf("a block is 1 to %d rows after startRow", MaxPageSize))
	}
	if in.StartRow > 0 && in.After == "" {
		return webos.Invalid("after", "a block after the first needs the cursor of the block before")
	}
	req := Request{Limit: in.EndRow - in.StartRow, After: in.After}
	for _, s := range in.SortModel {
		if s.Sort != "asc" && s.Sort != "desc" {
			return webos.Invalid("sortModel", "sort is asc or desc")
		}
		req.Sort = append(req.Sort, Sort{Field: s.ColID, Desc: s.Sort == "desc"})
	}
	if len(in.FilterModel) > 0 {
		f, err := ParseFilterModel(in.FilterModel)
		if err != nil {
			return err
		}
		req.Where = f
	}
	res, err := g.Page(r.Context(), req)
	if err != nil {
		return err
	}
	rows, err := g.rowMaps(r.Context(), res.Rows)
	if err != nil {
		return err
	}
	out := GetRowsResponse{RowData: rows, LastRow: -1, After: res.Next}
	if res.Next == "" {
		out.LastRow = in.StartRow + len(rows)
	}
	webos.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (g *Grid[T]) serveColumns(w http.ResponseWriter, r *http.Request) error {
	defs, err := g.ColumnDefs(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, defs)
	return nil
}

// editRequest is the JSON body of an edit.
type editRequest struct {
	Version time.Time      `json:"version"`
	Values  map[string]any `json:"values"`
}

func (g *Grid[T]) serveEdit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var in editRequest
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
		}
		in.Values = map[string]any{}
		for k, vs := range r.PostForm {
			if k == "version" {
				v := r.PostForm.Get("version")
				if v == "" {
					continue // a row type without updated_at has no version
				}
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return webos.Invalid("version", "must be the row's updated_at")
				}
				in.Version = t
				continue
			}
			in.Values[k] = vs[0]
		}
	} else if err := webos.Decode(r, &in); err != nil {
		return err
	}
	row, err := g.Edit(r.Context(), id, in.Version, in.Values)
	var se *StaleError[T]
	if errors.As(err, &se) {
		webos.WriteJSON(w, http.StatusConflict, map[string]any{"error": "conflict: " + strings.TrimPrefix(ErrStale.Error(), "conflict: "), "row": g.Row(r.Context(), se.Row)})
		return nil
	}
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{"row": g.Row(r.Context(), row)})
	return nil
}

type deleteRequest struct {
	IDs []string `json:"ids" validate:"required,min=1,max=500"`
}

func (g *Grid[T]) serveDelete(w http.ResponseWriter, r *http.Request, base string) error {
	var in deleteRequest
	if ui.IsHTMX(r) || strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
		}
		in.IDs = r.PostForm["ids"]
		if len(in.IDs) == 0 {
			return webos.Invalid("ids", "select at least one row")
		}
	} else if err := webos.Decode(r, &in); err != nil {
		return err
	}
	n, err := g.Delete(r.Context(), in.IDs)
	if err != nil {
		return err
	}
	if ui.IsHTMX(r) {
		return g.renderGrid(w, r, base, fmt.Sprintf("Deleted %d rows.", n))
	}
	webos.WriteJSON(w, http.StatusOK, map[string]int{"deleted": n})
	return nil
}

func (g *Grid[T]) servePrefs(w http.ResponseWriter, r *http.Request, base string) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
	}
	cols, err := g.Columns(r.Context())
	if err != nil {
		return err
	}
	shown := r.PostForm["show"]
	var hidden, visible []string
	for _, c := range cols {
		if slices.Contains(shown, c.Field) {
			visible = append(visible, c.Field)
		} else {
			hidden = append(hidden, c.Field)
		}
	}
	if g.prefs == nil {
		return fmt.Errorf("%w: this grid keeps no column choices", webos.ErrBadRequest)
	}
	if err := g.savePrefs(r.Context(), hidden, visible); err != nil {
		return err
	}
	if ui.IsHTMX(r) {
		return g.renderGrid(w, r, base, "")
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{"hidden": hidden})
	return nil
}

// hiddenFor returns the columns the user chose to hide, or the declared
// hidden ones.
func (g *Grid[T]) hiddenFor(ctx context.Context, cols []Column) map[string]bool {
	out := map[string]bool{}
	for _, c := range cols {
		if c.Hidden {
			out[c.Field] = true
		}
	}
	if g.prefs == nil || identity.ID(ctx) == "" {
		return out
	}
	p, err := g.prefs.FindOne(ctx, store.Eq("grid", g.cfg.Name))
	if err != nil {
		return out
	}
	for _, f := range p.Hidden {
		out[f] = true
	}
	for _, f := range p.Shown {
		delete(out, f)
	}
	return out
}

func (g *Grid[T]) savePrefs(ctx context.Context, hidden, shown []string) error {
	p, err := g.prefs.FindOne(ctx, store.Eq("grid", g.cfg.Name))
	if errors.Is(err, store.ErrNotFound) {
		err = g.prefs.Insert(ctx, &columnPrefs{Grid: g.cfg.Name, Hidden: hidden, Shown: shown})
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		p, err = g.prefs.FindOne(ctx, store.Eq("grid", g.cfg.Name))
	}
	if err != nil {
		return err
	}
	_, err = g.prefs.Update(ctx, p.ID, store.Set("hidden", hidden), store.Set("shown", shown))
	return err
}

// serveCSV streams every row of the view, page by page, as CSV.
func (g *Grid[T]) serveCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v, err := g.parseView(ctx, r.URL.Query())
	if err != nil {
		return err
	}
	v.limit, v.after, v.before, v.count = MaxPageSize, "", "", false
	res, err := g.page(ctx, v) // the first page checks everything before a byte is sent
	if err != nil {
		return err
	}
	cols, err := g.Columns(ctx)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+g.cfg.Name+`.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Header
	}
	if err := cw.Write(head); err != nil {
		return nil
	}
	rec := make([]string, len(cols))
	flusher := http.NewResponseController(w)
	for {
		for i := range res.Rows {
			m := g.row(cols, &res.Rows[i])
			for j, c := range cols {
				rec[j] = csvSafe(cellText(m[c.Field]))
			}
			if err := cw.Write(rec); err != nil {
				return nil
			}
		}
		cw.Flush()
		_ = flusher.Flush()
		if res.Next == "" || cw.Error() != nil {
			return nil
		}
		v.after = res.Next
		if res, err = g.page(ctx, v); err != nil {
			// The status is sent: end the stream where it is.
			return nil
		}
	}
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []string:
		return strings.Join(v, ", ")
	}
	return fmt.Sprint(v)
}
