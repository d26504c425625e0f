package explorer

// ColumnDef is a column definition in AG Grid's columnDefs contract, as
// AG Grid Community takes it. [Column.Def] makes one; a grid's
// [Grid.ColumnDefs] gives those a caller may read, editable where they may
// edit.
type ColumnDef struct {
	Field        string `json:"field"`
	ColID        string `json:"colId"`
	HeaderName   string `json:"headerName"`
	CellDataType string `json:"cellDataType"`
	// Type is "numericColumn" for numbers (right-aligned), else empty.
	Type     string `json:"type,omitempty"`
	Sortable bool   `json:"sortable"`
	// Filter is the AG Grid filter component's name, or false.
	Filter           any           `json:"filter"`
	FilterParams     *FilterParams `json:"filterParams,omitempty"`
	Editable         bool          `json:"editable"`
	Hide             bool          `json:"hide"`
	Width            int           `json:"width,omitempty"`
	CellEditor       string        `json:"cellEditor,omitempty"`
	CellEditorParams *EditorParams `json:"cellEditorParams,omitempty"`
	// Context carries what AG Grid has no field for: the column's type and
	// operators in this package's terms, and an enum's values.
	Context DefContext `json:"context"`
}

// FilterParams are the filterParams of a column definition.
type FilterParams struct {
	FilterOptions    []string `json:"filterOptions"`
	MaxNumConditions int      `json:"maxNumConditions"`
	// InRangeInclusive: the grid's ranges include both ends.
	InRangeInclusive bool `json:"inRangeInclusive,omitempty"`
}

// EditorParams are the cellEditorParams of an enum column's select editor.
type EditorParams struct {
	Values []string `json:"values"`
}

// DefContext is the context of a column definition.
type DefContext struct {
	Type     Type     `json:"type"`
	Ops      []Op     `json:"ops"`
	Values   []string `json:"values,omitempty"`
	Nullable bool     `json:"nullable,omitempty"`
}

// Def returns the column's AG Grid definition as declared.
func (c *Column) Def() ColumnDef {
	d := ColumnDef{
		Field: c.Field, ColID: c.Field, HeaderName: c.Header, CellDataType: c.agType(),
		Sortable: c.Sortable, Filter: false, Editable: c.Editable, Hide: c.Hidden, Width: c.Width,
		Context: DefContext{Type: c.Type, Ops: c.Ops, Values: c.Values, Nullable: c.Nullable},
	}
	if d.Context.Ops == nil {
		d.Context.Ops = []Op{}
	}
	if d.CellDataType == "number" {
		d.Type = "numericColumn"
	}
	if name, opts := c.agFilter(); name != "" {
		d.Filter = name
		d.FilterParams = &FilterParams{FilterOptions: opts, MaxNumConditions: 2, InRangeInclusive: true}
	}
	if c.Type == Enum {
		d.CellEditor = "agSelectCellEditor"
		d.CellEditorParams = &EditorParams{Values: c.Values}
	}
	return d
}
