package explorer

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/store"
)

type Level string

func (Level) Values() []string { return []string{"low", "mid", "high"} }

type Dims struct {
	Depth float32 `json:"depth" bson:"depth" explorer:"sort"`
}

type Meta struct{ Color string }

type mapped struct {
	store.Doc `bson:",inline"`
	Dims      `bson:",inline"`
	Title     string     `bson:"title" json:"title" validate:"required,max=50" explorer:"label=Name,order=1,width=240,sort,filter,edit"`
	Count     int        `bson:"count" json:"count" explorer:"sort,filter=eq|gt|lt,edit=items.count"`
	U8        uint8      `bson:"u8" json:"u8"`
	I64       int64      `bson:"i64" json:"i64"`
	Price     float64    `bson:"price" json:"price" explorer:"filter=gte|lte"`
	Done      bool       `bson:"done" json:"done" explorer:"filter,edit"`
	Due       time.Time  `bson:"due" json:"due" explorer:"sort,filter=lt|gt"`
	Seen      *time.Time `bson:"seen,omitempty" json:"seen,omitempty" explorer:"filter=isEmpty"`
	Status    string     `bson:"status" json:"status" validate:"oneof=open closed" explorer:"filter,edit"`
	Level     Level      `bson:"level" json:"level" explorer:"hidden,filter=eq|in"`
	Secret    string     `bson:"secret" json:"secret" explorer:"read=items.secret,readonly,edit"`
	Score     *int       `bson:"score" json:"score"`
	Skipped   string     `bson:"skipped" json:"-"`
	Ignored   string     `bson:"ignored" json:"ignored" explorer:"-"`
	Tags      []string   `bson:"tags" json:"tags"`
	Meta      Meta       `bson:"meta" json:"meta"`
	Extra     map[string]any
	//lint:ignore U1000 an unexported field, which the mapping skips
	hidden string
}

func defsOf(t *testing.T) map[string]map[string]any {
	t.Helper()
	cols, err := Columns[mapped]()
	if err != nil {
		t.Fatal(err)
	}
	defs := make([]ColumnDef, len(cols))
	for i := range cols {
		defs[i] = cols[i].Def()
	}
	raw, err := json.Marshal(defs)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	var order []string
	for _, d := range list {
		out[d["field"].(string)] = d
		order = append(order, d["field"].(string))
	}
	want := "title,depth,count,u8,i64,price,done,due,seen,status,level,secret,score,tags,id,created_at,updated_at,created_by,updated_by"
	if got := strings.Join(order, ","); got != want {
		t.Fatalf("column order\n got %s\nwant %s", got, want)
	}
	return out
}

// TestColumnDefs checks each column's AG Grid definition against the
// expected document, field by field.
func TestColumnDefs(t *testing.T) {
	defs := defsOf(t)
	textOps := []any{"contains", "notContains", "equals", "notEqual", "startsWith", "blank", "notBlank", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange"}
	want := map[string]string{
		"title": `{"field":"title","colId":"title","headerName":"Name","cellDataType":"text","sortable":true,"filter":"agTextColumnFilter",
			"filterParams":{"filterOptions":` + mustJSON(textOps) + `,"maxNumConditions":2,"inRangeInclusive":true},"editable":true,"hide":false,"width":240,
			"context":{"type":"text","ops":["contains","eq","ne","startsWith","in","isEmpty","lt","lte","gt","gte"]}}`,
		"depth": `{"field":"depth","colId":"depth","headerName":"Depth","cellDataType":"number","type":"numericColumn","sortable":true,"filter":false,"editable":false,"hide":false,"context":{"type":"number","ops":[]}}`,
		"count": `{"field":"count","colId":"count","headerName":"Count","cellDataType":"number","type":"numericColumn","sortable":true,"filter":"agNumberColumnFilter",
			"filterParams":{"filterOptions":["equals","greaterThan","lessThan"],"maxNumConditions":2,"inRangeInclusive":true},"editable":true,"hide":false,"context":{"type":"number","ops":["eq","gt","lt"]}}`,
		"u8":    `{"field":"u8","colId":"u8","headerName":"U8","cellDataType":"number","type":"numericColumn","sortable":false,"filter":false,"editable":false,"hide":false,"context":{"type":"number","ops":[]}}`,
		"i64":   `{"field":"i64","colId":"i64","headerName":"I64","cellDataType":"number","type":"numericColumn","sortable":false,"filter":false,"editable":false,"hide":false,"context":{"type":"number","ops":[]}}`,
		"price": `{"field":"price","colId":"price","headerName":"Price","cellDataType":"number","type":"numericColumn","sortable":false,"filter":"agNumberColumnFilter","filterParams":{"filterOptions":["greaterThanOrEqual","lessThanOrEqual","inRange"],"maxNumConditions":2,"inRangeInclusive":true},"editable":false,"hide":false,"context":{"type":"number","ops":["gte","lte"]}}`,
		"done":  `{"field":"done","colId":"done","headerName":"Done","cellDataType":"boolean","sortable":false,"filter":"agTextColumnFilter","filterParams":{"filterOptions":["equals","notEqual","blank","notBlank"],"maxNumConditions":2,"inRangeInclusive":true},"editable":true,"hide":false,"context":{"type":"boolean","ops":["eq","ne","isEmpty"]}}`,
		"due":   `{"field":"due","colId":"due","headerName":"Due","cellDataType":"dateTimeString","sortable":true,"filter":"agDateColumnFilter","filterParams":{"filterOptions":["lessThan","greaterThan"],"maxNumConditions":2,"inRangeInclusive":true},"editable":false,"hide":false,"context":{"type":"time","ops":["lt","gt"]}}`,
		"seen":  `{"field":"seen","colId":"seen","headerName":"Seen","cellDataType":"dateTimeString","sortable":false,"filter":"agDateColumnFilter","filterParams":{"filterOptions":["blank","notBlank"],"maxNumConditions":2,"inRangeInclusive":true},"editable":false,"hide":false,"context":{"type":"time","ops":["isEmpty"],"nullable":true}}`,
		"status": `{"field":"status","colId":"status","headerName":"Status","cellDataType":"text","sortable":false,"filter":"agTextColumnFilter","filterParams":{"filterOptions":["equals","notEqual","blank","notBlank"],"maxNumConditions":2,"inRangeInclusive":true},"editable":true,"hide":false,
			"cellEditor":"agSelectCellEditor","cellEditorParams":{"values":["open","closed"]},"context":{"type":"enum","ops":["eq","ne","in","isEmpty"],"values":["open","closed"]}}`,
		"level": `{"field":"level","colId":"level","headerName":"Level","cellDataType":"text","sortable":false,"filter":"agTextColumnFilter","filterParams":{"filterOptions":["equals"],"maxNumConditions":2,"inRangeInclusive":true},"editable":false,"hide":true,
			"cellEditor":"agSelectCellEditor","cellEditorParams":{"values":["low","mid","high"]},"context":{"type":"enum","ops":["eq","in"],"values":["low","mid","high"]}}`,
		"secret":     `{"field":"secret","colId":"secret","headerName":"Secret","cellDataType":"text","sortable":false,"filter":false,"editable":false,"hide":false,"context":{"type":"text","ops":[]}}`,
		"score":      `{"field":"score","colId":"score","headerName":"Score","cellDataType":"number","type":"numericColumn","sortable":false,"filter":false,"editable":false,"hide":false,"context":{"type":"number","ops":[],"nullable":true}}`,
		"tags":       `{"field":"tags","colId":"tags","headerName":"Tags","cellDataType":"text","sortable":false,"filter":false,"editable":false,"hide":false,"context":{"type":"list","ops":[]}}`,
		"id":         `{"field":"id","colId":"id","headerName":"ID","cellDataType":"text","sortable":true,"filter":false,"editable":false,"hide":true,"context":{"type":"text","ops":[]}}`,
		"created_at": `{"field":"created_at","colId":"created_at","headerName":"Created","cellDataType":"dateTimeString","sortable":true,"filter":false,"editable":false,"hide":false,"context":{"type":"time","ops":[]}}`,
		"updated_at": `{"field":"updated_at","colId":"updated_at","headerName":"Updated","cellDataType":"dateTimeString","sortable":true,"filter":false,"editable":false,"hide":false,"context":{"type":"time","ops":[]}}`,
		"created_by": `{"field":"created_by","colId":"created_by","headerName":"Created by","cellDataType":"text","sortable":false,"filter":false,"editable":false,"hide":true,"context":{"type":"text","ops":[]}}`,
		"updated_by": `{"field":"updated_by","colId":"updated_by","headerName":"Updated by","cellDataType":"text","sortable":false,"filter":false,"editable":false,"hide":true,"context":{"type":"text","ops":[]}}`,
	}
	if len(defs) != len(want) {
		t.Fatalf("%d columns, want %d", len(defs), len(want))
	}
	for field, doc := range want {
		var exp map[string]any
		if err := json.Unmarshal([]byte(doc), &exp); err != nil {
			t.Fatalf("%s: expected document: %v", field, err)
		}
		got := defs[field]
		for k, v := range exp {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s.%s = %s, want %s", field, k, mustJSON(got[k]), mustJSON(v))
			}
		}
		for k := range got {
			if _, ok := exp[k]; !ok {
				t.Errorf("%s: unexpected key %s = %s", field, k, mustJSON(got[k]))
			}
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestColumnAttributes(t *testing.T) {
	cols, err := Columns[mapped]()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Column{}
	for _, c := range cols {
		by[c.Field] = c
	}
	if c := by["count"]; c.EditPerm != "items.count" || !c.Editable || c.Key != "count" {
		t.Errorf("count: %+v", c)
	}
	if c := by["secret"]; c.ReadPerm != "items.secret" || c.Editable {
		t.Errorf("secret: readonly wins over edit, read=perm kept: %+v", c)
	}
	if c := by["id"]; c.Key != "_id" || !c.Audit || c.Editable {
		t.Errorf("id: %+v", c)
	}
	if c := by["depth"]; c.Key != "depth" || len(c.index) != 2 {
		t.Errorf("embedded struct not flattened: %+v", c)
	}
	for _, skipped := range []string{"Skipped", "skipped", "ignored", "meta", "Extra", "hidden"} {
		if _, ok := by[skipped]; ok {
			t.Errorf("%s should be skipped", skipped)
		}
	}
	if words("CreatedAt") != "Created at" || words("HTTPServer") != "HTTP server" || words("ID") != "ID" {
		t.Errorf("words: %q %q %q", words("CreatedAt"), words("HTTPServer"), words("ID"))
	}
}

func TestColumnTagErrors(t *testing.T) {
	type badOp struct {
		N int `json:"n" explorer:"filter=contains"`
	}
	type badOpt struct {
		N int `json:"n" explorer:"sortable"`
	}
	type badWidth struct {
		N int `json:"n" explorer:"width=-3"`
	}
	type badType struct {
		M map[string]int `json:"m" explorer:"sort"`
	}
	type sortList struct {
		L []string `json:"l" explorer:"sort"`
	}
	type editList struct {
		L []string `json:"l" explorer:"edit"`
	}
	type inner struct {
		A int `json:"x"`
	}
	type twice struct {
		inner
		B int `json:"x"`
	}
	for name, fn := range map[string]func() error{
		"op":          func() error { _, err := Columns[badOp](); return err },
		"option":      func() error { _, err := Columns[badOpt](); return err },
		"width":       func() error { _, err := Columns[badWidth](); return err },
		"type":        func() error { _, err := Columns[badType](); return err },
		"twice":       func() error { _, err := Columns[twice](); return err },
		"sorted list": func() error { _, err := Columns[sortList](); return err },
		"edited list": func() error { _, err := Columns[editList](); return err },
		"scalar":      func() error { _, err := Columns[int](); return err },
	} {
		if err := fn(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
