package explorer_test

import (
	"context"
	"fmt"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/identity"
)

// Book is a row: its tags make the columns.
type Book struct {
	ID    string `json:"id" explorer:"hidden"`
	Title string `json:"title" validate:"required" explorer:"sort,filter,edit"`
	Year  int    `json:"year" explorer:"sort,filter=gte|lte"`
}

func Example() {
	books, _ := explorer.NewSlice([]Book{
		{ID: "1", Title: "Dune", Year: 1965}, {ID: "2", Title: "Neuromancer", Year: 1984},
		{ID: "3", Title: "Hyperion", Year: 1989}, {ID: "4", Title: "Foundation", Year: 1951},
	})
	// The application (*webos.App) answers the permission checks; here a
	// single-user tool's.
	access := webos.AllowAll().(webos.AuthorizerProvider).Authorizer()
	grid, err := explorer.New(books, explorer.Config{Name: "books", Access: access, Sort: []string{"-year"}})
	if err != nil {
		panic(err)
	}
	ctx := identity.With(context.Background(), identity.Subject("ada"))
	filter, _ := explorer.ParseFilter("year:gte:1960")
	page, _ := grid.Page(ctx, explorer.Request{Where: filter, Limit: 2, Count: true})
	for _, b := range page.Rows {
		fmt.Println(b.Year, b.Title)
	}
	fmt.Println("total:", page.Total, "more:", page.Next != "")
	// Output:
	// 1989 Hyperion
	// 1984 Neuromancer
	// total: 3 more: true
}
