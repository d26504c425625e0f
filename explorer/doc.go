// Package explorer turns a Go struct into a fast, safe, editable data grid
// over an in-memory slice or a store collection: the SDK's auto-GUI, on
// which the admin console and the apps' list views are built.
//
// # Mental model
//
// [Columns] reads a struct type once: every string, number, boolean, time
// and enum field is a [Column], a []string field a [List] column (its
// filters match any element: a user's roles, a post's tags), embedded
// structs are flattened and other fields skipped; its `explorer` tag says how it is
// shown, sorted, filtered and edited and who may see or edit it
// (read=perm, edit=perm). A column's JSON form is an AG Grid column
// definition ([Column.Def]), usable by AG Grid Community as it is.
//
// A [Source] gives the rows: [NewSlice] over a slice, [NewCollection] and
// [NewOwned] over a store collection, whose owner scoping is the store's
// own and never bypassed. A module plugs in its own source by implementing
// the two methods of Source, and [Editor] for edits and deletes.
//
// A [Grid] ([New]) stands between the caller and the source. Every request
// is checked: the grid's ReadPerm, filters and sorts only on declared
// filterable and sortable columns the caller may read (a filter on an
// unreadable column would leak its values row by row), values of the
// column's type, bounded trees. Paging is by keyset cursors, so page 500
// costs what page 1 costs when an index serves the sort; the grid signs
// each cursor and binds it to the grid, the user, the order and the
// filter, so a changed or foreign cursor is 400. Counting is optional and
// bounded: an exact total within CountLimit and CountBudget, otherwise
// "more than N". Filters are a typed tree ([Filter]) parsed from AG
// Grid's filterModel ([ParseFilterModel]) or a compact query syntax
// ([ParseFilter]) and compiled to store filters with bound values.
//
// [Grid.Edit] validates an inline edit with the struct's `validate` tags
// (per-field errors, 422), writes it through the source only while the
// row's updated_at is the one the caller saw (otherwise a [StaleError]
// with the fresh row, 409) and announces it on the bus.
//
// [Grid.Mount] serves it all: the server-rendered grid in the shell
// (gomponents and htmx: sortable headers, a filter row per type, cursor
// paging, keyboard editing, selection with a confirmed bulk delete, a CSV
// export of the current filter, column choices kept per user, light and
// dark, usable on a phone) and JSON routes, including AG Grid's infinite
// row model getRows, for apps that mount AG Grid instead.
//
// # Usage
//
//	type Note struct {
//		store.Doc `bson:",inline"`
//		Title     string `bson:"title" json:"title" validate:"required,max=200" explorer:"sort,filter,edit"`
//	}
//
//	// In Provision:
//	src, err := explorer.NewOwned(notes) // a *store.Owned[Note]
//	m.grid, err = explorer.New(src, explorer.Config{Name: "notes", Access: app,
//		Key: explorer.KeyFrom(app.Config()), Sort: []string{"-created_at"}, Deletable: true,
//		Bus: app.Bus(), Prefs: db})
//
//	// In Routes:
//	m.grid.Mount(r, "/grid", shell)
package explorer
