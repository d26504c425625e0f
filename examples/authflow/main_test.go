package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

func TestAuthFlow(t *testing.T) {
	url := testenv.MongoURL(t)
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	t.Cleanup(func() { slog.SetDefault(prev) })

	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cfg.MongoURL = webos.Secret(url)
	cfg.MongoDatabase = "authflow_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		if db, err := store.ConnectMongo(ctx, url, cfg.MongoDatabase); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := []string{
		"registered demo@example.com with roles user, analyst",
		"login: 200, token of 43 characters, valid for 168h0m0s",
		"GET /reports/summary without a token: 401",
		"GET /reports/summary with the token: 200 for demo@example.com, 3 reports",
		"logout: 204",
		"GET /reports/summary after logout: 401",
	}
	if got := strings.Split(strings.TrimSpace(out.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}

	// A second run over the same database works too.
	out.Reset()
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
}
