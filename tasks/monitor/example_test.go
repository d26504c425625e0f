package monitor_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/tasks/monitor"
)

// signedIn stands in for the auth module: it makes the X-User header the
// request's user.
type signedIn struct{}

func (signedIn) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "signed-in"} }

// Authorizer makes signedIn the application's authorizer: the request acts
// as the user the X-User header names, and only "root" holds tasks.admin.
func (signedIn) Authorizer() webos.Authorizer { return signedIn{} }

func (signedIn) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r.WithContext(identity.With(r.Context(), identity.Subject(r.Header.Get("X-User")))), nil
}

func (signedIn) Authorize(ctx context.Context, perm string) error {
	switch identity.ID(ctx) {
	case "":
		return webos.ErrUnauthorized
	case "root":
		return nil
	}
	return webos.ErrForbidden
}

func Example() {
	tm := tasks.New(tasks.Options{})
	app := webos.New(webos.Config{}, signedIn{}, tm, monitor.New(tm))
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	for _, user := range []string{"root", "ada"} {
		r := httptest.NewRequest("GET", monitor.Path+"/", nil)
		r.Header.Set("X-User", user)
		w := httptest.NewRecorder()
		app.Handler().ServeHTTP(w, r)
		fmt.Println(user, w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// root 200 text/html; charset=utf-8
	// ada 403 application/json; charset=utf-8
}
