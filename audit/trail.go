package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/store"
)

// Collection is the name of the trail's collection.
const Collection = "audit_log"

// Entry is one recorded change. Entries are appended, never edited or
// deleted through the SDK, and chained: Hash covers the entry's fields and
// the previous entry's hash, so that editing, removing or reordering a
// stored entry breaks the chain ([Trail.Verify]).
type Entry struct {
	store.Doc `bson:",inline"`
	// Seq numbers the entries from 1 without gaps.
	Seq int64 `bson:"seq" json:"seq" explorer:"label=#,order=1,width=70,sort,filter=eq|gte|lte"`
	// At is when the change was made (the event's time), UTC, milliseconds.
	At time.Time `bson:"at" json:"at" explorer:"label=When,order=2,filter=gte|lte"`
	// Actor is the id of the user who made the change, "" for the system.
	Actor string `bson:"actor" json:"actor" explorer:"label=Who,order=3,filter=eq"`
	// Action and Target are the change's (see [Change]).
	Action string `bson:"action" json:"action" explorer:"order=4,filter=startsWith|eq|contains"`
	Target string `bson:"target" json:"target" explorer:"order=5,filter=eq|startsWith"`
	// Before and After are the change's states as JSON text, "" for none.
	Before string `bson:"before" json:"before,omitempty" explorer:"order=6,filter=contains"`
	After  string `bson:"after" json:"after,omitempty" explorer:"order=7,filter=contains"`
	// TraceID is the trace of the request or task that made the change.
	TraceID string `bson:"trace_id" json:"trace_id" explorer:"label=Trace,hidden,filter=eq"`
	// Client is the client's address, "" when the change came from no request.
	Client string `bson:"client" json:"client,omitempty" explorer:"order=8,filter=eq"`
	// Prev is the previous entry's Hash ("" for the first entry).
	Prev string `bson:"prev" json:"prev" explorer:"hidden"`
	// Hash is the hex SHA-256 of the entry's fields and Prev.
	Hash string `bson:"hash" json:"hash" explorer:"hidden"`
}

// digest computes e's Hash from its fields and Prev.
func (e *Entry) digest() string {
	// A fixed field order and JSON strings, so that no two different
	// entries can hash the same text.
	b, _ := json.Marshal([]any{e.ID, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action,
		e.Target, e.Before, e.After, e.TraceID, e.Client, e.Prev})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Trail is the audit trail in a database. Make it with [NewTrail]; it is
// safe for concurrent use, also by several instances of an application
// sharing the database.
type Trail struct {
	log *store.Collection[Entry]
}

// NewTrail returns the trail kept in db and creates its indexes.
func NewTrail(ctx context.Context, db *store.DB) (*Trail, error) {
	t := &Trail{log: store.NewCollection[Entry](db, Collection,
		store.Index{Keys: []string{"seq"}, Unique: true},
		store.Index{Keys: []string{"action", "seq"}},
		store.Index{Keys: []string{"actor", "seq"}},
		store.Index{Keys: []string{"target", "seq"}})}
	if err := t.log.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// Entries returns the trail's collection, for reading (lists, grids).
// Writing to it other than through the trail breaks the chain, which
// [Trail.Verify] detects.
func (t *Trail) Entries() *store.Collection[Entry] { return t.log }

// maxAppendTries bounds the retries of an append that lost the race for
// the next sequence number to another writer.
const maxAppendTries = 50

// Record appends the change that envelope e carries. The entry's id is the
// event's id, so recording the same event again — every instance of an
// application receives it — changes nothing.
func (t *Trail) Record(ctx context.Context, e bus.Envelope) error {
	c, err := bus.PayloadAs[Change](e)
	if err != nil {
		return fmt.Errorf("audit: event %s: %w", e.ID, err)
	}
	if c.Action == "" || c.Target == "" {
		return fmt.Errorf("audit: event %s: %w", e.ID, ErrInvalid)
	}
	en := Entry{Actor: e.UserID, Action: c.Action, Target: c.Target, TraceID: e.TraceID, Client: c.Client,
		At: e.Time.UTC().Truncate(time.Millisecond)}
	en.ID = e.ID
	if en.Before, err = jsonText(c.Before); err != nil {
		return fmt.Errorf("audit: event %s: before: %w", e.ID, err)
	}
	if en.After, err = jsonText(c.After); err != nil {
		return fmt.Errorf("audit: event %s: after: %w", e.ID, err)
	}
	return t.append(ctx, en)
}

func (t *Trail) append(ctx context.Context, en Entry) error {
	for range maxAppendTries {
		if _, err := t.log.Get(ctx, en.ID); err == nil {
			return nil // recorded already
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		last, err := t.last(ctx)
		if err != nil {
			return err
		}
		e := en
		e.Seq, e.Prev = 1, ""
		if last != nil {
			e.Seq, e.Prev = last.Seq+1, last.Hash
		}
		e.Hash = e.digest()
		err = t.log.Insert(ctx, &e)
		if err == nil || !errors.Is(err, store.ErrConflict) {
			return err
		}
		// Another writer took this sequence number, or recorded this very
		// event: look again.
	}
	return fmt.Errorf("audit: event %s: %w: too many concurrent appends", en.ID, store.ErrUnavailable)
}

// last returns the entry with the highest sequence number, nil for none.
func (t *Trail) last(ctx context.Context) (*Entry, error) {
	es, err := t.log.Find(ctx, store.Query{Sort: []string{"-seq"}, Limit: 1})
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return &es[0], nil
}

// Broken says where [Trail.Verify] found the chain broken.
type Broken struct {
	// Seq is the sequence number where the chain breaks: the first entry
	// whose hash, predecessor or number does not fit.
	Seq int64
	// Reason says what does not fit.
	Reason string
}

// Error describes the break.
func (b *Broken) Error() string {
	return fmt.Sprintf("audit: the trail is broken at entry %d: %s", b.Seq, b.Reason)
}

// ErrBroken is matched (errors.Is) by the [*Broken] that Verify returns.
var ErrBroken = errors.New("audit: the trail is broken")

// Is makes errors.Is(err, ErrBroken) true for a *Broken.
func (b *Broken) Is(target error) bool { return target == ErrBroken }

// Verify reads the whole trail in order and checks the chain: numbers
// without gaps from 1, each entry's Prev the previous Hash and each Hash
// its fields' digest. It returns how many entries it checked and, when
// the chain is broken, a [*Broken] naming the first entry that does not fit.
func (t *Trail) Verify(ctx context.Context) (int64, error) {
	var n int64
	prev := ""
	after := ""
	for {
		p, err := t.log.Page(ctx, store.Query{Sort: []string{"seq"}, Limit: 500, After: after})
		if err != nil {
			return n, err
		}
		for i := range p.Items {
			e := &p.Items[i]
			want := n + 1
			switch {
			case e.Seq != want:
				return n, &Broken{Seq: want, Reason: fmt.Sprintf("entry %d follows entry %d", e.Seq, n)}
			case e.Prev != prev:
				return n, &Broken{Seq: e.Seq, Reason: "it does not follow the previous entry's hash"}
			case e.Hash != e.digest():
				return n, &Broken{Seq: e.Seq, Reason: "its fields do not match its hash"}
			}
			prev = e.Hash
			n++
		}
		if p.Next == "" {
			return n, nil
		}
		after = p.Next
	}
}
