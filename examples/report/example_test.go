package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
)

func Example() {
	tm := tasks.New(tasks.Options{PollInterval: 50 * time.Millisecond}) // in-process Redis
	reports := report.New()
	app := webos.New(webos.Config{}, tm, reports)
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(ctx)

	ctx = identity.With(ctx, identity.Subject("ada"))
	id, err := reports.Generate(ctx, report.Params{Title: "Squares", Steps: 4, StepMS: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		st, err := tm.Status(ctx, id)
		if err != nil {
			fmt.Println(err)
			return
		}
		if st.Done() {
			var rep report.Report
			_ = json.Unmarshal(st.Result, &rep)
			fmt.Println(st.State, st.Percent, st.Message)
			fmt.Println(rep.Title, len(rep.Rows), rep.Total, rep.GeneratedBy)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Output:
	// succeeded 100 step 4 of 4
	// Squares 4 30 ada
}
