package explorer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	gnode "maragu.dev/gomponents"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// Authorizer answers whether the user in ctx holds a permission: nil when
// they do. The application (*webos.App, through App.Authorize) and every
// webos.Authorizer are one.
type Authorizer interface {
	Authorize(ctx context.Context, perm string) error
}

// Config configures a grid. Name and Access are required.
type Config struct {
	// Name identifies the grid: in cursors, events, the user's column
	// choices and the element ids of its page. Letters, digits, - and _.
	Name string
	// Title is the grid page's title (default: Name).
	Title string
	// Access answers the permission checks: the module's *webos.App. A
	// grid without one refuses every request.
	Access Authorizer
	// Key signs the cursors. Give the same key to every instance of the
	// application (at least 32 bytes); without one each process picks a
	// random key and its cursors do not survive a restart.
	Key []byte
	// ReadPerm is the permission needed to use the grid at all; "" asks
	// for a signed-in user.
	ReadPerm string
	// EditPerm is needed to edit the editable columns without a
	// permission of their own; "" is any user who may read the grid.
	EditPerm string
	// DeletePerm is needed to delete rows. Deleting is off unless
	// Deletable is set.
	DeletePerm string
	Deletable  bool
	// Sort is the default order, such as []string{"-created_at"}; by
	// default the rows come in the source's id order.
	Sort []string
	// PageSize is the default number of rows of a page (50); a request
	// may ask for up to MaxPageSize.
	PageSize int
	// CountLimit bounds counting: above it the total is "more than
	// CountLimit" (default 10,000).
	CountLimit int64
	// CountBudget is the time a count may take (default 250 ms); a slower
	// count answers "more than" what is known.
	CountBudget time.Duration
	// Bus, when set, receives an event for every edit and delete:
	// "explorer.<Name>.updated" with an [Edited] payload and
	// "explorer.<Name>.deleted" with a [Deleted] payload.
	Bus *bus.Bus
	// Prefs keeps each user's column choices (shown or hidden) in the
	// collection explorer_columns of this database; without it they live
	// in the browser only.
	Prefs *store.DB
	// Logger logs failed event emits (default slog.Default()).
	Logger *slog.Logger
	// Header, when set, is shown at the top of the grid's page (Mount's
	// path/) in place of its title: the module's own heading and actions,
	// such as a "New" button, so that the grid can be an app's main list.
	// It is rendered for the whole page only, not for the grid's htmx
	// updates.
	Header func(r *http.Request) gnode.Node
	// RowLink, when set, gives each row of the HTML grid a link to the
	// page it returns for the row's id (such as a detail page); "" for
	// none.
	RowLink func(id string) string
}

// MaxPageSize is the largest page a request can ask for.
const MaxPageSize = 500

// Edited is the payload of a grid's updated event.
type Edited struct {
	Grid   string   `json:"grid"`
	ID     string   `json:"id"`
	Fields []string `json:"fields"`
}

// Deleted is the payload of a grid's deleted event.
type Deleted struct {
	Grid string   `json:"grid"`
	IDs  []string `json:"ids"`
}

// ErrNotConfigured is the answer of a grid that was not made with [New]
// or has no Access (500: a programming error, not the user's).
var ErrNotConfigured = errors.New("explorer: the grid is not configured: make it with explorer.New and give it Access")

// Grid is a data grid of rows of type T over a [Source]. Make one with
// [New]; the zero Grid refuses everything. It is safe for concurrent use.
type Grid[T any] struct {
	cfg    Config
	src    Source[T]
	edit   Editor[T]
	cols   []Column
	byName map[string]int
	sort   []Sort
	prefs  *store.Owned[columnPrefs]
	idCol  int
}

// New returns the grid of src's rows, with the columns of T ([Columns]).
// It fails on a malformed explorer tag, a Config without Name or Access, or
// a default sort on a column that is not sortable.
func New[T any](src Source[T], cfg Config) (*Grid[T], error) {
	cols, err := Columns[T]()
	if err != nil {
		return nil, err
	}
	if cfg.Name == "" || !validName(cfg.Name) {
		return nil, fmt.Errorf("explorer: Config.Name %q must be letters, digits, - and _", cfg.Name)
	}
	if cfg.Access == nil {
		return nil, fmt.Errorf("explorer: grid %s: Config.Access is required", cfg.Name)
	}
	if src == nil {
		return nil, fmt.Errorf("explorer: grid %s: no source", cfg.Name)
	}
	if len(cfg.Key) == 0 {
		cfg.Key = make([]byte, 32)
		_, _ = rand.Read(cfg.Key)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 50
	}
	cfg.PageSize = min(cfg.PageSize, MaxPageSize)
	if cfg.CountLimit <= 0 {
		cfg.CountLimit = 10_000
	}
	if cfg.CountBudget <= 0 {
		cfg.CountBudget = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	g := &Grid[T]{cfg: cfg, src: src, cols: cols, byName: map[string]int{}, idCol: -1}
	g.edit, _ = src.(Editor[T])
	for i, c := range cols {
		g.byName[c.Field] = i
		if c.Field == "id" && c.Type == Text {
			g.idCol = i
		}
	}
	if g.idCol < 0 {
		return nil, fmt.Errorf("explorer: grid %s: %T has no id: embed store.Doc or add a string field with json name \"id\"", cfg.Name, *new(T))
	}
	for _, s := range cfg.Sort {
		k, err := g.sortKey(s)
		if err != nil {
			return nil, fmt.Errorf("explorer: grid %s: default sort: %w", cfg.Name, err)
		}
		g.sort = append(g.sort, k)
	}
	if cfg.Prefs != nil {
		g.prefs = store.NewOwned[columnPrefs](cfg.Prefs, "explorer_columns",
			store.Index{Keys: []string{"created_by", "grid"}, Unique: true})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := g.prefs.EnsureIndexes(ctx); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func validName(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return len(s) <= 64
}

func (g *Grid[T]) sortKey(s string) (Sort, error) {
	k := Sort{Field: s}
	if f, ok := strings.CutPrefix(s, "-"); ok {
		k = Sort{Field: f, Desc: true}
	}
	i, ok := g.byName[k.Field]
	if !ok || !g.cols[i].Sortable {
		return k, fmt.Errorf("%q is not a sortable column", k.Field)
	}
	return k, nil
}

// Name returns the grid's name.
func (g *Grid[T]) Name() string { return g.cfg.Name }

// ready checks that the grid is configured and the caller may use it.
func (g *Grid[T]) ready(ctx context.Context) error {
	if g == nil || g.src == nil || g.cfg.Access == nil {
		return ErrNotConfigured
	}
	return g.cfg.Access.Authorize(ctx, g.cfg.ReadPerm)
}

func (g *Grid[T]) can(ctx context.Context, perm string) bool {
	if perm == "" {
		return true // within a grid the caller may already use
	}
	return g.cfg.Access.Authorize(ctx, perm) == nil
}

// readable reports whether the caller may see column c.
func (g *Grid[T]) readable(ctx context.Context, c *Column) bool { return g.can(ctx, c.ReadPerm) }

// editable reports whether the caller may edit column c.
func (g *Grid[T]) editable(ctx context.Context, c *Column) bool {
	if !c.Editable || !g.readable(ctx, c) {
		return false
	}
	perm := c.EditPerm
	if perm == "" {
		perm = g.cfg.EditPerm
	}
	return g.can(ctx, perm)
}

// Columns returns the columns the caller may read, editable only where
// they may edit.
func (g *Grid[T]) Columns(ctx context.Context) ([]Column, error) {
	if err := g.ready(ctx); err != nil {
		return nil, err
	}
	out := make([]Column, 0, len(g.cols))
	for i := range g.cols {
		c := g.cols[i]
		if !g.readable(ctx, &c) {
			continue
		}
		c.Editable = g.editable(ctx, &c)
		out = append(out, c)
	}
	return out, nil
}

// ColumnDefs returns the AG Grid column definitions of [Grid.Columns].
func (g *Grid[T]) ColumnDefs(ctx context.Context) ([]ColumnDef, error) {
	cols, err := g.Columns(ctx)
	if err != nil {
		return nil, err
	}
	defs := make([]ColumnDef, len(cols))
	for i := range cols {
		defs[i] = cols[i].Def()
	}
	return defs, nil
}

// CanDelete reports whether the caller may delete rows.
func (g *Grid[T]) CanDelete(ctx context.Context) bool {
	return g.ready(ctx) == nil && g.cfg.Deletable && g.edit != nil && g.can(ctx, g.cfg.DeletePerm)
}

// Request asks a grid for one page.
type Request struct {
	Where Filter
	// Sort is the order; nil is the grid's default.
	Sort []Sort
	// Limit is the page size; 0 is the grid's default, at most
	// [MaxPageSize].
	Limit int
	// After and Before are cursors from a [Result] of the same Where and
	// Sort; at most one is set.
	After, Before string
	// Count asks for the number of matching rows, bounded by the grid's
	// CountLimit and CountBudget.
	Count bool
}

// Result is one page of a grid.
type Result[T any] struct {
	Rows []T
	// Next and Prev are the cursors of the neighbouring pages for
	// [Request.After] and [Request.Before], "" at either end. They are
	// signed, bound to the grid, the user, the order and the filter.
	Next, Prev string
	// Total is set when the request asked for a count.
	Total *Total
}

// Total is a bounded count: N rows exactly, or more than N when More.
type Total struct {
	N    int64 `json:"n"`
	More bool  `json:"more"`
}

// String returns "1,234" or "more than 10,000".
func (t Total) String() string {
	s := thousands(t.N)
	if t.More {
		return "more than " + s
	}
	return s
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Check checks a filter against the grid's columns for the caller and
// returns it with values of the columns' types: a column that does not
// exist, that the caller may not read, that is not filterable or does not
// take the operator, and a value that does not fit are errors wrapping
// [ErrBadFilter] (400) — a filter on an unreadable column would reveal its
// values row by row.
func (g *Grid[T]) Check(ctx context.Context, f Filter) (Filter, error) {
	if err := g.ready(ctx); err != nil {
		return Filter{}, err
	}
	if err := checkShape(f); err != nil {
		return Filter{}, err
	}
	return g.check(ctx, f)
}

func (g *Grid[T]) check(ctx context.Context, f Filter) (Filter, error) {
	switch f.Kind {
	case All:
		return f, nil
	case AndKind, OrKind, NotKind:
		out := Filter{Kind: f.Kind, Children: make([]Filter, len(f.Children))}
		for i, c := range f.Children {
			cc, err := g.check(ctx, c)
			if err != nil {
				return Filter{}, err
			}
			out.Children[i] = cc
		}
		return out, nil
	}
	i, ok := g.byName[f.Field]
	if !ok || !g.readable(ctx, &g.cols[i]) {
		return Filter{}, badFilter("no column %q to filter on", f.Field)
	}
	c := &g.cols[i]
	if !slices.Contains(c.Ops, f.Op) {
		return Filter{}, badFilter("column %q cannot be filtered with %s", f.Field, f.Op)
	}
	out := Filter{Kind: Cond, Field: f.Field, Op: f.Op, Values: make([]any, len(f.Values))}
	for j, v := range f.Values {
		if (f.Op == Contains || f.Op == StartsWith) && c.Type == Text {
			s, ok := v.(string)
			if !ok {
				return Filter{}, badFilter("%s: %s needs text", f.Field, f.Op)
			}
			out.Values[j] = s
			continue
		}
		tv, err := c.typed(v)
		if err != nil {
			return Filter{}, badFilter("%s: %v", f.Field, err)
		}
		out.Values[j] = tv
	}
	return out, nil
}

// CheckSort checks an order: every key a sortable column the caller may
// read (400 otherwise).
func (g *Grid[T]) CheckSort(ctx context.Context, sort []Sort) error {
	if err := g.ready(ctx); err != nil {
		return err
	}
	if len(sort) > 3 {
		return fmt.Errorf("%w: sort by at most 3 columns", webos.ErrBadRequest)
	}
	seen := map[string]bool{}
	for _, s := range sort {
		i, ok := g.byName[s.Field]
		if !ok || !g.cols[i].Sortable || !g.readable(ctx, &g.cols[i]) || seen[s.Field] {
			return fmt.Errorf("%w: cannot sort on %q", webos.ErrBadRequest, s.Field)
		}
		seen[s.Field] = true
	}
	return nil
}

// Page returns one page of rows for the caller. The filter and the sort
// are checked ([Grid.Check], [Grid.CheckSort]); a cursor of another order,
// filter, grid or user, or a changed one, is [ErrBadCursor] (400).
func (g *Grid[T]) Page(ctx context.Context, req Request) (*Result[T], error) {
	if err := g.ready(ctx); err != nil {
		return nil, err
	}
	where, err := g.Check(ctx, req.Where)
	if err != nil {
		return nil, err
	}
	sort := req.Sort
	if sort == nil {
		sort = g.sort
	}
	if err := g.CheckSort(ctx, sort); err != nil {
		return nil, err
	}
	limit := req.Limit
	switch {
	case limit < 0:
		return nil, fmt.Errorf("%w: the page size must not be negative", webos.ErrBadRequest)
	case limit == 0:
		limit = g.cfg.PageSize
	}
	limit = min(limit, MaxPageSize)
	if req.After != "" && req.Before != "" {
		return nil, fmt.Errorf("%w: a page is after or before a cursor, not both", webos.ErrBadRequest)
	}
	bind := binding(g.cfg.Name, identity.ID(ctx), sort, where)
	q := Query{Where: where, Sort: sort, Limit: limit}
	if q.After, err = open(g.cfg.Key, bind, "a", req.After); err != nil {
		return nil, err
	}
	if q.Before, err = open(g.cfg.Key, bind, "b", req.Before); err != nil {
		return nil, err
	}
	p, err := g.src.Page(ctx, q)
	if err != nil {
		return nil, err
	}
	res := &Result[T]{Rows: p.Items, Next: sign(g.cfg.Key, bind, "a", p.Next), Prev: sign(g.cfg.Key, bind, "b", p.Prev)}
	if res.Rows == nil {
		res.Rows = []T{}
	}
	if req.Count {
		res.Total = g.count(ctx, where, req.After == "" && req.Before == "" && p.Next == "", len(p.Items))
	}
	return res, nil
}

// count counts within the grid's limit and budget; onlyPage tells that
// the page holds every row.
func (g *Grid[T]) count(ctx context.Context, where Filter, onlyPage bool, n int) *Total {
	if onlyPage {
		return &Total{N: int64(n)}
	}
	cctx, cancel := context.WithTimeout(ctx, g.cfg.CountBudget)
	defer cancel()
	c, err := g.src.Count(cctx, where, g.cfg.CountLimit+1)
	if err != nil {
		return &Total{N: int64(n), More: true}
	}
	if c > g.cfg.CountLimit {
		return &Total{N: g.cfg.CountLimit, More: true}
	}
	return &Total{N: c}
}

// rowID returns a row's id.
func (g *Grid[T]) rowID(v *T) string {
	if d, ok := any(v).(store.Document); ok {
		return d.StoreDoc().ID
	}
	s, _ := g.cols[g.idCol].value(reflect.ValueOf(v).Elem()).(string)
	return s
}

// rowVersion returns a row's updated_at, zero when it has none.
func rowVersion(v any) time.Time {
	if d, ok := v.(store.Document); ok {
		return d.StoreDoc().UpdatedAt
	}
	return time.Time{}
}

// Row returns the values of the row's columns the caller may read, by
// field, times in RFC 3339: the JSON form of a row.
func (g *Grid[T]) Row(ctx context.Context, v *T) map[string]any {
	cols, _ := g.Columns(ctx)
	return g.row(cols, v)
}

func (g *Grid[T]) row(cols []Column, v *T) map[string]any {
	rv := reflect.ValueOf(v).Elem()
	out := make(map[string]any, len(cols)+1)
	for i := range cols {
		val := cols[i].value(rv)
		if t, ok := val.(time.Time); ok {
			if t.IsZero() && cols[i].Nullable {
				val = nil
			} else {
				val = t.UTC().Format(time.RFC3339Nano)
			}
		}
		out[cols[i].Field] = val
	}
	out["id"] = g.rowID(v)
	if ver := rowVersion(v); !ver.IsZero() {
		out["updated_at"] = ver.UTC().Format(time.RFC3339Nano)
	}
	return out
}

// StaleError is the answer to an edit based on an old version of a row:
// it wraps [ErrStale] (409) and carries the fresh row.
type StaleError[T any] struct {
	Row *T
}

// Error says that the row changed.
func (e *StaleError[T]) Error() string { return ErrStale.Error() }

// Unwrap returns ErrStale.
func (e *StaleError[T]) Unwrap() error { return ErrStale }

// Edit changes the given columns of the row with the given id, whose
// version (updated_at) the caller saw. values map a field to its new value:
// a string as a form sends it, parsed by the column's type, or a JSON
// value (number, boolean, null). Each field must be a column the caller
// may edit (else 403). The changed row is validated with its `validate`
// tags; problems are a *webos.ValidationError (422) naming the fields. A
// row changed since version is a *[StaleError] with the fresh row (409).
// The new row is returned and announced on the bus.
func (g *Grid[T]) Edit(ctx context.Context, id string, version time.Time, values map[string]any) (*T, error) {
	if err := g.ready(ctx); err != nil {
		return nil, err
	}
	if g.edit == nil {
		return nil, fmt.Errorf("%w: the grid is read-only", webos.ErrForbidden)
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("%w: nothing to change", webos.ErrBadRequest)
	}
	fields := make([]string, 0, len(values))
	for f := range values {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		i, ok := g.byName[f]
		if !ok {
			return nil, fmt.Errorf("%w: no column %q", webos.ErrBadRequest, f)
		}
		if !g.editable(ctx, &g.cols[i]) {
			return nil, fmt.Errorf("%w: column %q cannot be edited", webos.ErrForbidden, f)
		}
	}
	cur, err := g.edit.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if ver := rowVersion(cur); !ver.Equal(version) {
		return nil, &StaleError[T]{Row: cur}
	}
	next := new(T)
	*next = *cur
	nv := reflect.ValueOf(next).Elem()
	problems := map[string]string{}
	changes := make([]Change, 0, len(fields))
	for _, f := range fields {
		c := &g.cols[g.byName[f]]
		val, err := c.assign(values[f])
		if err != nil {
			problems[f] = err.Error()
			continue
		}
		nv.FieldByIndex(c.index).Set(val)
		changes = append(changes, Change{Column: c, Value: val.Interface()})
	}
	if err := webos.Validate(next); err != nil {
		var ve *webos.ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		for f, p := range ve.Fields {
			if _, edited := values[f]; edited {
				if _, known := problems[f]; !known {
					problems[f] = p
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, &webos.ValidationError{Fields: problems}
	}
	out, err := g.edit.Update(ctx, id, version, changes)
	if errors.Is(err, ErrStale) && out != nil {
		return nil, &StaleError[T]{Row: out}
	}
	if err != nil {
		return nil, err
	}
	g.emit(ctx, "updated", Edited{Grid: g.cfg.Name, ID: id, Fields: fields})
	return out, nil
}

// Delete removes the rows with the given ids (at most MaxPageSize) and
// returns how many it removed; rows that do not exist, or are not the
// caller's, count for nothing. It needs the grid's delete permission.
func (g *Grid[T]) Delete(ctx context.Context, ids []string) (int, error) {
	if err := g.ready(ctx); err != nil {
		return 0, err
	}
	if !g.CanDelete(ctx) {
		return 0, fmt.Errorf("%w: rows of this grid cannot be deleted", webos.ErrForbidden)
	}
	if len(ids) == 0 || len(ids) > MaxPageSize {
		return 0, fmt.Errorf("%w: delete 1 to %d rows", webos.ErrBadRequest, MaxPageSize)
	}
	var done []string
	for _, id := range ids {
		err := g.edit.Delete(ctx, id)
		if errors.Is(err, webos.ErrNotFound) {
			continue
		}
		if err != nil {
			if len(done) > 0 {
				g.emit(ctx, "deleted", Deleted{Grid: g.cfg.Name, IDs: done})
			}
			return len(done), err
		}
		done = append(done, id)
	}
	if len(done) > 0 {
		g.emit(ctx, "deleted", Deleted{Grid: g.cfg.Name, IDs: done})
	}
	return len(done), nil
}

func (g *Grid[T]) emit(ctx context.Context, what string, payload any) {
	if g.cfg.Bus == nil {
		return
	}
	if err := g.cfg.Bus.Emit(ctx, "explorer."+g.cfg.Name+"."+what, payload); err != nil {
		g.cfg.Logger.WarnContext(ctx, "explorer: event not emitted", "grid", g.cfg.Name, "err", err)
	}
}

// assign converts an edited value to the field's Go type.
func (c *Column) assign(v any) (reflect.Value, error) {
	t := c.rtype
	base := t
	if t.Kind() == reflect.Pointer {
		base = t.Elem()
	}
	if s, ok := v.(string); ok && c.Nullable && strings.TrimSpace(s) == "" {
		v = nil
	}
	if v == nil {
		if c.Nullable {
			return reflect.Zero(t), nil
		}
		if c.Type == Text || c.Type == Enum && base.Kind() == reflect.String {
			v = ""
		} else {
			return reflect.Value{}, errors.New("is required")
		}
	}
	var parsed any
	var err error
	switch {
	case c.Type == Text || (c.Type == Enum && base.Kind() == reflect.String):
		s, ok := v.(string)
		if !ok {
			return reflect.Value{}, errors.New("must be text")
		}
		if c.Type == Enum && s != "" && !slices.Contains(c.Values, s) {
			return reflect.Value{}, fmt.Errorf("must be one of %s", strings.Join(c.Values, ", "))
		}
		parsed = s
	case c.Type == Bool:
		switch v {
		case true, "true", "on", "1":
			parsed = true
		case false, "false", "off", "0", "":
			parsed = false
		default:
			return reflect.Value{}, errors.New("must be true or false")
		}
	case c.Type == Time:
		s, ok := v.(string)
		if !ok {
			return reflect.Value{}, errors.New("must be a date")
		}
		tm, err := parseTime(s)
		if err != nil {
			return reflect.Value{}, errors.New("must be a date such as 2026-12-01 or 2026-12-01T15:04")
		}
		parsed = tm
	default: // numbers, numeric enums
		parsed, err = numberOf(v)
		if err != nil {
			return reflect.Value{}, errors.New("must be a number")
		}
	}
	out := reflect.New(base).Elem()
	switch base.Kind() {
	case reflect.String:
		out.SetString(parsed.(string))
	case reflect.Bool:
		out.SetBool(parsed.(bool))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := parsed.(int64)
		if !ok || out.OverflowInt(n) {
			return reflect.Value{}, errors.New("must be a whole number in range")
		}
		out.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := parsed.(int64)
		if !ok || n < 0 || out.OverflowUint(uint64(n)) {
			return reflect.Value{}, errors.New("must be a whole number in range")
		}
		out.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		var f float64
		switch p := parsed.(type) {
		case int64:
			f = float64(p)
		case float64:
			f = p
		}
		if out.OverflowFloat(f) {
			return reflect.Value{}, errors.New("must be a number in range")
		}
		out.SetFloat(f)
	case reflect.Struct:
		out.Set(reflect.ValueOf(parsed.(time.Time)))
	}
	if c.Type == Enum && base.Kind() != reflect.String && !slices.Contains(c.Values, formatValue(parsed)) {
		return reflect.Value{}, fmt.Errorf("must be one of %s", strings.Join(c.Values, ", "))
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(base)
		p.Elem().Set(out)
		return p, nil
	}
	return out, nil
}

// columnPrefs is a user's column choices for one grid.
type columnPrefs struct {
	store.Doc `bson:",inline"`
	Grid      string   `bson:"grid" json:"grid"`
	Hidden    []string `bson:"hidden" json:"hidden"`
	Shown     []string `bson:"shown" json:"shown"`
}
