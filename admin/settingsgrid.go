package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/settings"
)

// settingRow is one setting of one module in the settings explorer grid:
// every module's settings in one grid, filtered by module, searched by key
// or description, the value edited inline in its JSON form (a string
// without quotes, a duration as 1m30s).
type settingRow struct {
	ID          string `json:"id" explorer:"hidden"`
	Module      string `json:"module" explorer:"order=1,width=140,sort,filter=eq|in"`
	Key         string `json:"key" explorer:"order=2,width=200,sort,filter=contains|eq"`
	Type        string `json:"type" explorer:"order=3,filter=eq"`
	Value       string `json:"value" explorer:"order=4,width=280,edit,filter=contains"`
	Default     string `json:"default" explorer:"order=5"`
	State       string `json:"state" validate:"oneof=default changed locked" explorer:"order=6,filter"`
	Description string `json:"description" explorer:"order=7,filter=contains"`
}

// settingsSource is the grid's source: the settings module's views, read
// afresh on every query (they are few and held in memory), edited through
// settings.Set, which validates against the module's schema, applies the
// change live and announces it on the bus.
type settingsSource struct{ m *Module }

func (s settingsSource) rows() ([]settingRow, map[string]settings.FieldView, error) {
	views, err := s.m.settings.Views()
	if err != nil {
		return nil, nil, err
	}
	var rows []settingRow
	fields := map[string]settings.FieldView{}
	for _, v := range views {
		for _, f := range v.Fields {
			id := v.Module + "/" + f.Key
			state := "default"
			if f.Locked {
				state = "locked"
			} else if jsonValue(f.Value) != jsonValue(f.Default) {
				state = "changed"
			}
			rows = append(rows, settingRow{ID: id, Module: v.Module, Key: f.Key, Type: f.Type,
				Value: settingText(f, f.Value), Default: settingText(f, f.Default), State: state, Description: f.Description})
			fields[id] = f
		}
	}
	return rows, fields, nil
}

// settingText is a value as the grid shows and edits it.
func settingText(f settings.FieldView, v any) string {
	if n, ok := v.(float64); ok && f.Type == settings.TypeDuration {
		return time.Duration(int64(n)).String()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return jsonValue(v)
}

func (s settingsSource) slice() (*explorer.Slice[settingRow], error) {
	rows, _, err := s.rows()
	if err != nil {
		return nil, err
	}
	return explorer.NewSlice(rows)
}

// Page returns a page of the settings.
func (s settingsSource) Page(ctx context.Context, q explorer.Query) (explorer.Page[settingRow], error) {
	sl, err := s.slice()
	if err != nil {
		return explorer.Page[settingRow]{}, err
	}
	return sl.Page(ctx, q)
}

// Count counts the settings f matches.
func (s settingsSource) Count(ctx context.Context, f explorer.Filter, limit int64) (int64, error) {
	sl, err := s.slice()
	if err != nil {
		return 0, err
	}
	return sl.Count(ctx, f, limit)
}

// Get returns one setting by module/key.
func (s settingsSource) Get(_ context.Context, id string) (*settingRow, error) {
	rows, _, err := s.rows()
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i], nil
		}
	}
	return nil, fmt.Errorf("%w: no setting %q", webos.ErrNotFound, id)
}

// Update sets a setting's value: parsed as the setting's type, refused
// for a locked setting, validated by the module's schema; problems are
// named on the value column.
func (s settingsSource) Update(ctx context.Context, id string, _ time.Time, changes []explorer.Change) (*settingRow, error) {
	_, fields, err := s.rows()
	if err != nil {
		return nil, err
	}
	f, ok := fields[id]
	if !ok {
		return nil, fmt.Errorf("%w: no setting %q", webos.ErrNotFound, id)
	}
	module, _, _ := strings.Cut(id, "/")
	if f.Locked {
		return nil, webos.Invalid("value", "locked: set by the environment or configuration")
	}
	for _, c := range changes {
		if c.Column.Field != "value" {
			continue
		}
		raw, _ := c.Value.(string)
		v, err := parseSetting(f, raw)
		if err != nil {
			return nil, webos.Invalid("value", err.Error())
		}
		if err := s.m.settings.Set(ctx, module, map[string]any{f.Key: v}); err != nil {
			var ve *webos.ValidationError
			if errors.As(err, &ve) && ve.Fields[f.Key] != "" {
				return nil, webos.Invalid("value", ve.Fields[f.Key])
			}
			return nil, err
		}
	}
	return s.Get(ctx, id)
}

// Delete refuses: a setting goes back to its default by setting it.
func (s settingsSource) Delete(context.Context, string) error {
	return fmt.Errorf("%w: a setting cannot be deleted; set its default instead", webos.ErrBadRequest)
}
