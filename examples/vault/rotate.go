package vault

import (
	"context"
	"fmt"

	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
)

// RotateParams are the rotation task's payload; it needs none.
type RotateParams struct{}

// RotateResult is the rotation task's result.
type RotateResult struct {
	// KeyID is the fingerprint of the master key every data key is
	// wrapped by now.
	KeyID string `json:"key_id"`
	// Rewrapped is how many data keys were wrapped by an older key.
	Rewrapped int `json:"rewrapped"`
}

// Rotate enqueues the rotation task, which re-wraps every user's data key
// that an older master key wrapped under the newest one. The entries
// themselves are not touched: they are sealed by the data keys, which do
// not change. Once it has succeeded, the older keys can be removed from
// WEBOS_VAULT_MASTER_KEYS. It needs [PermRotate] over HTTP
// (POST /tasks/vault.rotate).
func (m *Module) Rotate(ctx context.Context) (taskID string, err error) {
	return m.rotate.Enqueue(ctx, RotateParams{})
}

// runRotate is the rotation task: across every user (the one place the
// module reads the key records unscoped), page by page, with progress.
func (m *Module) runRotate(ctx context.Context, _ RotateParams) (any, error) {
	return m.rewrapAll(ctx, func(done, total int) {
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		_ = tasks.Progress(ctx, pct, fmt.Sprintf("%d of %d data keys re-wrapped", done, total))
	})
}

func (m *Module) rewrapAll(ctx context.Context, progress func(done, total int)) (*RotateResult, error) {
	all := m.keyrings.Unscoped()
	current := m.keys.Current()
	old := store.Ne("key_id", current)
	total, err := all.Count(ctx, old)
	if err != nil {
		return nil, err
	}
	res := &RotateResult{KeyID: current}
	progress(0, int(total))
	for {
		// Each pass takes the first page of what is left: the records it
		// re-wraps leave the filter, so no cursor is needed.
		p, err := all.Page(ctx, store.Query{Where: old, Sort: []string{"_id"}, Limit: 200})
		if err != nil {
			return nil, err
		}
		if len(p.Items) == 0 {
			break
		}
		for _, rec := range p.Items {
			raw, err := m.keys.unwrap(rec.CreatedBy, rec.KeyID, rec.Wrapped)
			if err != nil {
				return nil, tasks.Permanent(fmt.Errorf("vault: the data key of record %s does not open with the configured master keys", rec.ID))
			}
			id, wrapped, err := m.keys.wrap(rec.CreatedBy, raw)
			clear(raw)
			if err != nil {
				return nil, err
			}
			if _, err := all.Update(ctx, rec.ID, store.Set("key_id", id), store.Set("wrapped", wrapped)); err != nil {
				return nil, err
			}
			res.Rewrapped++
			progress(res.Rewrapped, max(int(total), res.Rewrapped))
		}
	}
	return res, nil
}

// KeyStatus says how many data keys each master key wraps, by fingerprint
// (keys no longer configured included), for administrators.
func (m *Module) KeyStatus(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	all := m.keyrings.Unscoped()
	for _, id := range m.keys.IDs() {
		n, err := all.Count(ctx, store.Eq("key_id", id))
		if err != nil {
			return nil, err
		}
		out[id] = n
	}
	n, err := all.Count(ctx, store.Nin("key_id", m.keys.IDs()...))
	if err != nil {
		return nil, err
	}
	if n > 0 {
		out["unknown"] = n
	}
	return out, nil
}
