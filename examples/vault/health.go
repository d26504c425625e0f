package vault

import (
	"context"
	"slices"
	"sort"
	"time"
)

// WeakBits is the estimated entropy below which the health report calls a
// password weak.
const WeakBits = 50

// Health is the password-health report of one vault.
type Health struct {
	// Checked is how many entries have a password.
	Checked int `json:"checked"`
	// Weak are the entries whose password is estimated below WeakBits.
	Weak []HealthItem `json:"weak"`
	// Reused are groups of entries that share one password, found by
	// comparing keyed hashes.
	Reused [][]HealthItem `json:"reused"`
	// Old are the entries whose password was set longer ago than the
	// configured maximum age.
	Old []HealthItem `json:"old"`
	// Breached are the entries whose password the breach check found, when
	// it is on.
	Breached []HealthItem `json:"breached"`
	// BreachChecked tells whether the breach check ran.
	BreachChecked bool `json:"breach_checked"`
}

// HealthItem names an entry of the report, never its password.
type HealthItem struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Bits  float64   `json:"bits,omitempty"`
	Since time.Time `json:"since,omitzero"`
	Seen  int       `json:"seen,omitempty"` // times in breaches
}

// Health reports on the passwords of the user's vault. Passwords are
// opened only to estimate their strength and, when the breach check is on,
// for the first five hex digits of their SHA-1; reuse is found from the
// stored keyed hashes.
func (m *Module) Health(ctx context.Context, now time.Time) (*Health, error) {
	k, err := m.dataKey(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Health{Weak: []HealthItem{}, Reused: [][]HealthItem{}, Old: []HealthItem{}, Breached: []HealthItem{}, BreachChecked: m.breach != nil}
	groups := map[string][]HealthItem{}
	err = m.all(ctx, func(e *Entry) error {
		if !e.Has(FieldPassword) {
			return nil
		}
		rep.Checked++
		item := HealthItem{ID: e.ID, Title: e.Title}
		p, err := m.open(k, e, FieldPassword)
		if err != nil {
			return err
		}
		if bits := Strength(p); bits < WeakBits {
			it := item
			it.Bits = bits
			rep.Weak = append(rep.Weak, it)
		}
		if e.Fingerprint != "" {
			groups[e.Fingerprint] = append(groups[e.Fingerprint], item)
		}
		if !e.PasswordChangedAt.IsZero() && now.Sub(e.PasswordChangedAt) > m.cfg.MaxPasswordAge {
			it := item
			it.Since = e.PasswordChangedAt
			rep.Old = append(rep.Old, it)
		}
		if m.breach != nil {
			n, err := m.breach.Count(ctx, p)
			if err != nil {
				return err
			}
			if n > 0 {
				it := item
				it.Seen = n
				rep.Breached = append(rep.Breached, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if len(g) > 1 {
			rep.Reused = append(rep.Reused, g)
		}
	}
	sort.Slice(rep.Reused, func(i, j int) bool { return rep.Reused[i][0].Title < rep.Reused[j][0].Title })
	return rep, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
