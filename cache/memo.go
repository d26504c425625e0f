package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// MaxKeyLen is the longest key stored as it is; in a longer key the
// encoded argument is replaced by '#' and its SHA-256.
const MaxKeyLen = 512

// Memo is a memoized function made by [Memoize].
type Memo[K, V any] struct {
	c     *Cache
	name  string
	ttl   time.Duration
	fn    func(context.Context, K) (V, error)
	codec Codec
	// perUser puts the acting user into keys and hands it to fn.
	perUser bool
	// vtype tells flights of memos that share a name but not a value type
	// apart.
	vtype string
}

// MemoOption changes how [Memoize] stores values.
type MemoOption func(*memoConfig)

type memoConfig struct {
	codec   Codec
	perUser bool
}

// WithCodec stores values with codec instead of [JSON].
func WithCodec(codec Codec) MemoOption { return func(c *memoConfig) { c.codec = codec } }

// PerUser memoizes per acting user ([identity.ID] of the caller's
// context): the user's id is part of every key, so each user has their own
// results, and the function runs with the caller's user in its context.
// Use it for a function whose result depends on who asks, such as a read of
// an owner-scoped collection. Callers without a user share the results of
// the calls made without one.
func PerUser() MemoOption { return func(c *memoConfig) { c.perUser = true } }

// Memoize returns fn memoized in c under name: [Memo.Get] returns the
// stored result for an argument while it is younger than ttl (ttl <= 0:
// until invalidated) and calls fn otherwise. Errors are not stored.
//
// A result is shared by every caller, whoever they are, so fn runs without
// the caller's identity: its context carries none of the caller's values
// but the trace id (for logs) — no acting user, so an owner-scoped
// collection fails closed in it, and no other package's copy of the user
// either. A function whose result depends on the user must be memoized
// [PerUser], which keys results by user and passes the caller's user
// ([identity.User]) on to fn.
//
// The name must be unique in c and must not contain ':'; change it (say
// "thumb.v2") when V changes shape, so that old entries are not read as the
// new type. Concurrent calls for the same key, in this process, share one
// call of fn, which is not cancelled when its callers give up: the result
// is stored for the next caller. [Cache.Close] cancels it.
//
// Memoize panics when name is empty or contains ':', or c or fn is nil.
func Memoize[K, V any](c *Cache, name string, ttl time.Duration, fn func(context.Context, K) (V, error), opts ...MemoOption) *Memo[K, V] {
	if c == nil || fn == nil || name == "" || strings.Contains(name, ":") {
		panic("cache: Memoize needs a cache, a function and a name without ':'")
	}
	cfg := memoConfig{codec: JSON}
	for _, o := range opts {
		o(&cfg)
	}
	return &Memo[K, V]{c: c, name: name, ttl: ttl, fn: fn, codec: cfg.codec, perUser: cfg.perUser, vtype: reflect.TypeFor[V]().String()}
}

// Name returns the memo's name, the first part of its keys.
func (m *Memo[K, V]) Name() string { return m.name }

// Func returns m.Get as a plain function.
func (m *Memo[K, V]) Func() func(context.Context, K) (V, error) { return m.Get }

// Key returns the cache key under which [Memo.Get] stores its result for
// arg and ctx: the name, ':' and the argument encoded stably: a value with
// a MarshalText method (such as an afs.URN or a time.Time) as that text, a
// string as it is, an integer or bool in decimal, anything else as JSON
// (struct fields in declaration order, map keys sorted, no HTML escaping).
// A [PerUser] memo puts '@', the acting user's id (query-escaped, empty for
// none) and ':' before the argument ("notes:@u-42:recent"); other memos
// ignore ctx. A key longer than [MaxKeyLen] is hashed (see there).
func (m *Memo[K, V]) Key(ctx context.Context, arg K) string {
	enc, err := encodeArg(arg)
	if err != nil {
		// Not encodable as JSON (a channel, a func): hash its Go syntax.
		enc = "#" + hashHex(fmt.Sprintf("%#v", arg))
	}
	prefix := m.name + ":"
	if m.perUser {
		prefix += "@" + url.QueryEscape(identity.ID(ctx)) + ":"
	}
	key := prefix + enc
	if len(key) > MaxKeyLen {
		key = prefix + "#" + hashHex(enc)
	}
	return key
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func encodeArg(arg any) (string, error) {
	rv := reflect.ValueOf(arg)
	if tm, ok := arg.(encoding.TextMarshaler); ok && (rv.Kind() != reflect.Pointer || !rv.IsNil()) {
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(arg); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// Invalidate drops the stored result for arg — for a [PerUser] memo, the
// one of ctx's acting user.
func (m *Memo[K, V]) Invalidate(ctx context.Context, arg K) error {
	return m.c.Invalidate(ctx, m.Key(ctx, arg))
}

// InvalidateAll drops every stored result of m, of every user.
func (m *Memo[K, V]) InvalidateAll(ctx context.Context) error {
	return m.c.InvalidatePrefix(ctx, m.name+":")
}

// Get returns the stored result for arg, or calls the function, stores its
// result and returns it. A stored entry that cannot be read back (corrupt,
// or written for another type) is dropped and the value computed again;
// a failing store is logged and bypassed. Get returns ctx.Err() when ctx
// ends first.
func (m *Memo[K, V]) Get(ctx context.Context, arg K) (V, error) {
	var zero V
	if m.c.isClosed() {
		return zero, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	key := m.Key(ctx, arg)
	if v, ok := m.load(ctx, key); ok {
		return v, nil
	}
	ch := m.c.flights.DoChan(key+"\x00"+m.vtype, func() (any, error) { return m.compute(ctx, key, arg) })
	select {
	case res := <-ch:
		if res.Err != nil {
			return zero, res.Err
		}
		return res.Val.(V), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// compute runs the function once for all callers waiting on key.
func (m *Memo[K, V]) compute(callerCtx context.Context, key string, arg K) (v V, err error) {
	if !m.c.begin() {
		return v, ErrClosed
	}
	defer m.c.wg.Done()
	// What the function may know of its first caller; the cache's lifetime.
	ctx, cancel := context.WithCancel(m.detach(callerCtx))
	defer cancel()
	defer context.AfterFunc(m.c.life, cancel)()
	// Another caller may have stored it between our miss and this flight.
	if v, ok := m.load(ctx, key); ok {
		return v, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache: %s: the memoized function panicked: %v", m.name, r)
		}
	}()
	v, err = m.fn(ctx, arg)
	if err != nil {
		if m.c.life.Err() != nil {
			err = errors.Join(ErrClosed, err)
		}
		return v, err
	}
	m.save(ctx, key, v)
	return v, nil
}

// detach returns a context with no values of callerCtx but its trace id
// and, for a PerUser memo, its acting user: the result of a call is shared
// by callers who may be other users, so it must not be computed with the
// rights of whoever came first.
func (m *Memo[K, V]) detach(callerCtx context.Context) context.Context {
	ctx := context.Background()
	if id := trace.ID(callerCtx); id != "" {
		ctx = trace.WithID(ctx, id)
	}
	if m.perUser {
		if u, ok := identity.From(callerCtx); ok {
			ctx = identity.With(ctx, u)
		}
	}
	return ctx
}

func (m *Memo[K, V]) load(ctx context.Context, key string) (V, bool) {
	var zero V
	b, ok, err := m.c.store.Get(ctx, key)
	if err != nil {
		m.c.log.WarnContext(ctx, "cache: read failed; computing", "key", key, "err", err)
		return zero, false
	}
	if !ok {
		return zero, false
	}
	expires, payload, err := unseal(b)
	if err == nil {
		if !expires.IsZero() && !m.c.now().Before(expires) {
			return zero, false
		}
		var v V
		if err = m.codec.Unmarshal(payload, &v); err == nil {
			return v, true
		}
	}
	m.c.log.WarnContext(ctx, "cache: dropping unreadable entry", "key", key, "err", err)
	if err := m.c.store.Delete(ctx, key); err != nil {
		m.c.log.WarnContext(ctx, "cache: delete failed", "key", key, "err", err)
	}
	return zero, false
}

func (m *Memo[K, V]) save(ctx context.Context, key string, v V) {
	payload, err := m.codec.Marshal(v)
	if err != nil {
		m.c.log.WarnContext(ctx, "cache: value not stored", "key", key, "err", err)
		return
	}
	var expires time.Time
	if m.ttl > 0 {
		expires = m.c.now().Add(m.ttl)
	}
	if err := m.c.store.Set(ctx, key, seal(expires, payload), m.ttl); err != nil {
		m.c.log.WarnContext(ctx, "cache: write failed", "key", key, "err", err)
	}
}

// An entry as stored: version byte, expiry (Unix nanoseconds, 0 for none),
// CRC-32 of the payload, payload.
const (
	entryVersion = 1
	headerLen    = 1 + 8 + 4
)

var errCorrupt = errors.New("cache: corrupt entry")

func seal(expires time.Time, payload []byte) []byte {
	b := make([]byte, headerLen+len(payload))
	b[0] = entryVersion
	if !expires.IsZero() {
		binary.BigEndian.PutUint64(b[1:9], uint64(expires.UnixNano()))
	}
	binary.BigEndian.PutUint32(b[9:13], crc32.ChecksumIEEE(payload))
	copy(b[headerLen:], payload)
	return b
}

func unseal(b []byte) (expires time.Time, payload []byte, err error) {
	if len(b) < headerLen || b[0] != entryVersion {
		return time.Time{}, nil, errCorrupt
	}
	payload = b[headerLen:]
	if crc32.ChecksumIEEE(payload) != binary.BigEndian.Uint32(b[9:13]) {
		return time.Time{}, nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	if ns := int64(binary.BigEndian.Uint64(b[1:9])); ns != 0 { // #nosec G115 -- the expiry was stored as uint64(int64 UnixNano): converted back bit for bit
		expires = time.Unix(0, ns)
	}
	return expires, payload, nil
}
