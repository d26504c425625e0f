package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// maxStmts bounds the prepared statements a table keeps (a variable for
// the tests).
var maxStmts = 256

// table is the state shared by the handles of one collection: whether its
// table exists, and its prepared statements.
type table struct {
	e      *Engine
	name   string
	quoted string

	cmu   sync.Mutex
	ready uint64 // Engine.gen+1 once the table is known to exist

	smu   sync.Mutex
	stmts map[stmtKey]*cachedStmt
}

type stmtKey struct {
	write bool
	sql   string
}

func newTable(e *Engine, name string) *table {
	return &table{e: e, name: name, quoted: quoteIdent(name), stmts: map[stmtKey]*cachedStmt{}}
}

// create creates the table if this engine generation has not yet.
func (t *table) create(ctx context.Context) error {
	gen := t.e.gen.Load() + 1
	t.cmu.Lock()
	defer t.cmu.Unlock()
	if t.ready == gen {
		return nil
	}
	_, err := t.e.w.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+t.quoted+
		" (id TEXT NOT NULL PRIMARY KEY, bson BLOB NOT NULL, doc BLOB NOT NULL)")
	if err != nil {
		return mapErr(ctx, err)
	}
	t.ready = gen
	return nil
}

// begin registers an operation on the engine, makes sure the table exists
// and waits for its turn on the write or the read connections; the caller
// calls t.end(write) when done.
func (t *table) begin(ctx context.Context, write bool) error {
	if err := t.e.enter(); err != nil {
		return err
	}
	gen := t.e.gen.Load() + 1
	t.cmu.Lock()
	ok := t.ready == gen
	t.cmu.Unlock()
	if !ok {
		err := t.e.writers.enter(ctx)
		if err == nil {
			err = t.create(ctx)
			t.e.writers.leave()
		}
		if err != nil {
			t.e.leave()
			return mapErr(ctx, err)
		}
	}
	g := t.e.readers
	if write {
		g = t.e.writers
	}
	if err := g.enter(ctx); err != nil {
		t.e.leave()
		return mapErr(ctx, err)
	}
	return nil
}

// end ends an operation that begin started.
func (t *table) end(write bool) {
	if write {
		t.e.writers.leave()
	} else {
		t.e.readers.leave()
	}
	t.e.leave()
}

// cachedStmt is a prepared statement of a table's cache; users counts the
// operations using it, so that an evicted statement is closed only once
// none does.
type cachedStmt struct {
	*sql.Stmt
	users   int
	evicted bool
}

// stmt returns the prepared statement for query on the write or read pool;
// the caller releases it.
func (t *table) stmt(ctx context.Context, write bool, query string) (*cachedStmt, error) {
	k := stmtKey{write, query}
	t.smu.Lock()
	if s := t.stmts[k]; s != nil {
		s.users++
		t.smu.Unlock()
		return s, nil
	}
	t.smu.Unlock()
	db := t.e.r
	if write {
		db = t.e.w
	}
	p, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	t.smu.Lock()
	defer t.smu.Unlock()
	if s := t.stmts[k]; s != nil {
		p.Close()
		s.users++
		return s, nil
	}
	if len(t.stmts) >= maxStmts {
		for k, old := range t.stmts {
			t.evict(k, old)
			break
		}
	}
	s := &cachedStmt{Stmt: p, users: 1}
	t.stmts[k] = s
	return s, nil
}

// evict removes a statement from the cache; t.smu is held.
func (t *table) evict(k stmtKey, s *cachedStmt) {
	delete(t.stmts, k)
	s.evicted = true
	if s.users == 0 {
		s.Close()
	}
}

// release ends a use of a statement that stmt returned.
func (t *table) release(s *cachedStmt) {
	t.smu.Lock()
	s.users--
	if s.evicted && s.users == 0 {
		s.Close()
	}
	t.smu.Unlock()
}

// resetStmts empties the statement cache.
func (t *table) resetStmts() {
	t.smu.Lock()
	for k, s := range t.stmts {
		t.evict(k, s)
	}
	t.smu.Unlock()
}

// collection is a handle on one collection: its table and declared indexes.
type collection struct {
	t       *table
	indexes []query.Index
}

var _ query.Collection = (*collection)(nil)

// EnsureIndexes creates the table and the declared indexes; existing ones
// stay as they are.
func (c *collection) EnsureIndexes(ctx context.Context) error {
	t := c.t
	if err := t.begin(ctx, true); err != nil {
		return err
	}
	defer t.end(true)
	for _, idx := range c.indexes {
		stmts, err := indexStatements(t.name, idx)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := t.e.w.ExecContext(ctx, s); err != nil {
				return mapErr(ctx, err)
			}
		}
	}
	return nil
}

// encode returns the _id and the JSON text of doc.
func encode(doc []byte) (string, []byte, error) {
	id, found, err := docID(doc)
	if err != nil {
		return "", nil, err
	}
	if !found {
		return "", nil, badf("document has no _id")
	}
	js, err := appendJSON(make([]byte, 0, len(doc)+len(doc)/4+16), doc)
	if err != nil {
		return "", nil, err
	}
	return id, js, nil
}

// text views b as a string without copying; the driver copies bound text.
func text(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Insert stores doc, whose _id must be a string.
func (c *collection) Insert(ctx context.Context, doc bson.Raw) error {
	id, js, err := encode(doc)
	if err != nil {
		return err
	}
	t := c.t
	if err := t.begin(ctx, true); err != nil {
		return err
	}
	defer t.end(true)
	s, err := t.stmt(ctx, true, "INSERT INTO "+t.quoted+" (id, bson, doc) VALUES (?, ?, jsonb(?))")
	if err != nil {
		return err
	}
	defer t.release(s)
	if _, err = s.ExecContext(ctx, id, []byte(doc), text(js)); err != nil {
		return mapErr(ctx, err)
	}
	t.e.wrote()
	return nil
}

// selectSQL returns "SELECT cols FROM t WHERE filter".
func (t *table) selectSQL(b *builder, cols string, filter query.Node) error {
	b.w("SELECT ", cols, " FROM ", t.quoted, " WHERE ")
	return b.where(filter)
}

// splitSeek finds a Seek at the top of filter (alone or a child of And)
// whose keys are the sort order. It returns the filter without it and the
// Seek.
func splitSeek(filter query.Node, sort []query.SortKey) (rest []query.Node, seek query.Node, ok bool) {
	same := func(n query.Node) bool {
		if len(n.Keys) != len(sort) {
			return false
		}
		for i := range sort {
			if n.Keys[i] != sort[i] {
				return false
			}
		}
		return true
	}
	switch {
	case filter.Op == query.Seek && same(filter):
		return nil, filter, true
	case filter.Op == query.And:
		for i, ch := range filter.Children {
			if ch.Op == query.Seek && same(ch) {
				rest = append(rest, filter.Children[:i]...)
				rest = append(rest, filter.Children[i+1:]...)
				return rest, ch, true
			}
		}
	}
	return nil, query.Node{}, false
}

// Find calls fn with each document q selects, in order.
func (c *collection) Find(ctx context.Context, q query.Find, fn func(bson.Raw) error) error {
	if q.Skip < 0 || q.Limit < 0 {
		return badf("negative skip or limit")
	}
	t := c.t
	var keep map[string]struct{}
	if len(q.Fields) > 0 {
		keep = make(map[string]struct{}, len(q.Fields))
		for _, f := range q.Fields {
			keep[f] = struct{}{}
		}
	}
	parts, err := t.findSQL(q)
	if err != nil {
		return err
	}
	if err := t.begin(ctx, false); err != nil {
		return err
	}
	defer t.end(false)
	if len(parts) == 1 {
		_, err = t.each(ctx, parts[0].sb.String(), parts[0].args, keep, fn)
		return err
	}
	// A keyset page read in parts, each one index range, in order: stop
	// when the page is full.
	var got int64
	for _, p := range parts {
		if q.Limit > 0 {
			if got >= q.Limit {
				return nil
			}
			p.w(" LIMIT ")
			p.arg(q.Limit - got)
		}
		n, err := t.each(ctx, p.sb.String(), p.args, keep, fn)
		if err != nil {
			return err
		}
		got += n
	}
	return nil
}

// findSQL returns the query of q: one statement with its LIMIT, or, for a
// keyset page (a Seek on the sort order, no Skip), its parts without
// LIMIT, to be read in order until the page is full. Each part is one
// index range, so that a page costs the same however deep it is and
// however many rows tie on the first keys:
//
//   - for a seek after (v1, …, vn) with no null value, the rows tied on
//     v1…v(n-1) and after vn, then those tied on v1…v(n-2) and after
//     v(n-1), and so on up to the rows after v1;
//   - otherwise the seek's expanded condition as one range;
//   - then, when the first key is descending and v1 is not null, the rows
//     whose first key is null (they come last).
func (t *table) findSQL(q query.Find) ([]*builder, error) {
	rest, seek, split := splitSeek(q.Filter, q.Sort)
	if !split || q.Skip != 0 {
		b := &builder{}
		b.w("SELECT bson FROM ", t.quoted, " WHERE ")
		if err := b.where(q.Filter); err != nil {
			return nil, err
		}
		if err := b.orderBy(q.Sort); err != nil {
			return nil, err
		}
		if q.Limit > 0 {
			b.w(" LIMIT ")
			b.arg(q.Limit)
		} else if q.Skip > 0 {
			b.w(" LIMIT -1")
		}
		if q.Skip > 0 {
			b.w(" OFFSET ")
			b.arg(q.Skip)
		}
		return []*builder{b}, nil
	}
	part := func(from int, cond func(b *builder) error) (*builder, error) {
		b := &builder{}
		b.w("SELECT bson FROM ", t.quoted, " WHERE ")
		for _, n := range rest {
			if err := b.where(n); err != nil {
				return nil, err
			}
			b.w(" AND ")
		}
		if err := cond(b); err != nil {
			return nil, err
		}
		// The keys before from are equal within the part: ordering by
		// the rest lets the planner read the range in index order.
		if err := b.orderBy(q.Sort[from:]); err != nil {
			return nil, err
		}
		return b, nil
	}
	var parts []*builder
	var nullKey string
	if tiesFirst(seek) {
		for j := len(seek.Keys) - 1; j >= 0; j-- {
			p, err := part(j, func(b *builder) error { return b.seekTies(seek, j) })
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
		if seek.Keys[0].Desc && seek.Keys[0].Field != "_id" {
			f, err := newField(seek.Keys[0].Field)
			if err != nil {
				return nil, err
			}
			nullKey = f.value()
		}
	} else {
		p, err := part(0, func(b *builder) (err error) { nullKey, err = b.seek(seek, true); return err })
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	if nullKey != "" {
		from := 0
		if len(q.Sort) > 1 {
			from = 1 // the first key is null in every row of the part
		}
		p, err := part(from, func(b *builder) error { b.w(nullKey, " IS NULL"); return nil })
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// tiesFirst reports whether a seek is read tie group by tie group: it has
// several keys and no null value.
func tiesFirst(seek query.Node) bool {
	if len(seek.Keys) < 2 || len(seek.Values) != len(seek.Keys) {
		return false
	}
	for _, v := range seek.Values {
		if v == nil {
			return false
		}
		if sv, _, err := sqlValue(v); err != nil || sv == nil {
			return false
		}
	}
	return true
}

// each runs the query and calls fn with each row's document, projected to
// keep when it is set; it returns the number of rows.
func (t *table) each(ctx context.Context, sqlText string, args []any, keep map[string]struct{}, fn func(bson.Raw) error) (int64, error) {
	s, err := t.stmt(ctx, false, sqlText)
	if err != nil {
		return 0, err
	}
	defer t.release(s)
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return 0, mapErr(ctx, err)
	}
	defer rows.Close()
	var n int64
	var raw sql.RawBytes
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return n, mapErr(ctx, err)
		}
		n++
		doc := bson.Raw(raw)
		if keep != nil {
			if buf, err = project(buf[:0], raw, keep); err != nil {
				return n, fmt.Errorf("%w: stored document: %w", query.ErrUnavailable, err)
			}
			doc = buf
		}
		if err := fn(doc); err != nil {
			return n, err
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, mapErr(ctx, err)
	}
	return n, nil
}

// Count counts the documents that match filter, up to limit when limit > 0.
func (c *collection) Count(ctx context.Context, filter query.Node, limit int64) (int64, error) {
	t := c.t
	var b builder
	if limit > 0 {
		b.w("SELECT count(*) FROM (SELECT 1 FROM ", t.quoted, " WHERE ")
	} else {
		b.w("SELECT count(*) FROM ", t.quoted, " WHERE ")
	}
	if err := b.where(filter); err != nil {
		return 0, err
	}
	if limit > 0 {
		b.w(" LIMIT ")
		b.arg(limit)
		b.w(")")
	}
	if err := t.begin(ctx, false); err != nil {
		return 0, err
	}
	defer t.end(false)
	s, err := t.stmt(ctx, false, b.sb.String())
	if err != nil {
		return 0, err
	}
	defer t.release(s)
	var n int64
	if err := s.QueryRowContext(ctx, b.args...).Scan(&n); err != nil {
		return 0, mapErr(ctx, err)
	}
	return n, nil
}

// Update applies ups to the one document filter matches, in one write
// transaction, and returns the document as it is after the update.
func (c *collection) Update(ctx context.Context, filter query.Node, ups []query.Update) (bson.Raw, error) {
	t := c.t
	var b builder
	if err := t.selectSQL(&b, "id, bson", filter); err != nil {
		return nil, err
	}
	b.w(" LIMIT 1")
	if err := t.begin(ctx, true); err != nil {
		return nil, err
	}
	defer t.end(true)
	sel, err := t.stmt(ctx, true, b.sb.String())
	if err != nil {
		return nil, err
	}
	defer t.release(sel)
	upd, err := t.stmt(ctx, true, "UPDATE "+t.quoted+" SET bson = ?, doc = jsonb(?) WHERE id = ?")
	if err != nil {
		return nil, err
	}
	defer t.release(upd)
	tx, err := t.e.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	defer tx.Rollback()
	var id string
	var raw []byte
	if err := tx.StmtContext(ctx, sel.Stmt).QueryRowContext(ctx, b.args...).Scan(&id, &raw); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: no document matches", query.ErrNotFound)
		}
		return nil, mapErr(ctx, err)
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%w: stored document: %w", query.ErrUnavailable, err)
	}
	if d, err = applyUpdates(d, ups); err != nil {
		return nil, err
	}
	out, err := bson.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", query.ErrBadRequest, err)
	}
	js, err := appendJSON(make([]byte, 0, len(out)+len(out)/4+16), out)
	if err != nil {
		return nil, err
	}
	if _, err := tx.StmtContext(ctx, upd.Stmt).ExecContext(ctx, out, text(js), id); err != nil {
		return nil, mapErr(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, mapErr(ctx, err)
	}
	t.e.wrote()
	return out, nil
}

// Replace stores doc in place of the one document filter matches. A doc
// without _id gets the matched document's; a different _id is a bad
// request (the _id is immutable).
func (c *collection) Replace(ctx context.Context, filter query.Node, doc bson.Raw) (bool, error) {
	t := c.t
	docID, hasID, err := docID(doc)
	if err != nil {
		return false, err
	}
	var b builder
	if err := t.selectSQL(&b, "id", filter); err != nil {
		return false, err
	}
	b.w(" LIMIT 1")
	if err := t.begin(ctx, true); err != nil {
		return false, err
	}
	defer t.end(true)
	sel, err := t.stmt(ctx, true, b.sb.String())
	if err != nil {
		return false, err
	}
	defer t.release(sel)
	upd, err := t.stmt(ctx, true, "UPDATE "+t.quoted+" SET bson = ?, doc = jsonb(?) WHERE id = ?")
	if err != nil {
		return false, err
	}
	defer t.release(upd)
	tx, err := t.e.w.BeginTx(ctx, nil)
	if err != nil {
		return false, mapErr(ctx, err)
	}
	defer tx.Rollback()
	var id string
	if err := tx.StmtContext(ctx, sel.Stmt).QueryRowContext(ctx, b.args...).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, mapErr(ctx, err)
	}
	out := []byte(doc)
	if !hasID {
		out = withID(doc, id)
	} else if docID != id {
		return false, badf("replacement changes _id %q to %q", id, docID)
	}
	js, err := appendJSON(make([]byte, 0, len(out)+len(out)/4+16), out)
	if err != nil {
		return false, err
	}
	if _, err := tx.StmtContext(ctx, upd.Stmt).ExecContext(ctx, out, text(js), id); err != nil {
		return false, mapErr(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return false, mapErr(ctx, err)
	}
	t.e.wrote()
	return true, nil
}

// withID returns doc with a string _id element put first.
func withID(doc []byte, id string) []byte {
	out := make([]byte, 4, len(doc)+len(id)+16)
	out = append(out, tString)
	out = append(out, "_id\x00"...)
	n := uint32(len(id) + 1)                                         // #nosec G115 -- BSON's int32 length of an _id string, far below 2 GiB
	out = append(out, byte(n), byte(n>>8), byte(n>>16), byte(n>>24)) // #nosec G115 -- the little-endian bytes of n: truncation intended
	out = append(out, id...)
	out = append(out, 0)
	out = append(out, doc[4:]...)
	n = uint32(len(out))                                                           // #nosec G115 -- BSON's int32 length of a driver-encoded document plus its _id
	out[0], out[1], out[2], out[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24) // #nosec G115 -- the little-endian bytes of n: truncation intended
	return out
}

// Delete removes the documents filter matches (one when single) and
// returns how many it removed.
func (c *collection) Delete(ctx context.Context, filter query.Node, single bool) (int64, error) {
	t := c.t
	var b builder
	if single {
		b.w("DELETE FROM ", t.quoted, " WHERE id IN (SELECT id FROM ", t.quoted, " WHERE ")
	} else {
		b.w("DELETE FROM ", t.quoted, " WHERE ")
	}
	if err := b.where(filter); err != nil {
		return 0, err
	}
	if single {
		b.w(" LIMIT 1)")
	}
	if err := t.begin(ctx, true); err != nil {
		return 0, err
	}
	defer t.end(true)
	s, err := t.stmt(ctx, true, b.sb.String())
	if err != nil {
		return 0, err
	}
	defer t.release(s)
	res, err := s.ExecContext(ctx, b.args...)
	if err != nil {
		return 0, mapErr(ctx, err)
	}
	t.e.wrote()
	n, err := res.RowsAffected()
	return n, mapErr(ctx, err)
}
