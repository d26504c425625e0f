package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/ui"
)

// benchStalled is a search source that sleeps past its budget on every
// query, for the "stalled" case.
type benchStalled struct{ on bool }

func (*benchStalled) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "benchstalled", Name: "Stalled", Version: "1.0.0"}
}

func (s *benchStalled) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "sleeper", Budget: 300 * time.Millisecond, Search: func(ctx context.Context, _ ui.SearchQuery) ([]ui.Result, error) {
		if s.on {
			time.Sleep(time.Second) // ignores ctx, as a hung backend would
		}
		return nil, nil
	}}}
}

// BenchmarkPaletteSearch measures palette queries end to end — the
// request to /ui/search, the fan-out, the ranked and rendered results
// streamed back — over the demo on its zero-setup defaults with demo data
// (300 blog posts, 200 vault entries, 2,000 files, the administrator's
// settings and users), as an administrator, whom every source answers.
// Cases: a query of one source (the posts scope, the baseline), a query of
// every source, and every source with one more that stalls past its
// 300 ms budget; for the stalled case "healthy-ms" is when the last
// healthy source's results arrived and "done-ms" when the query ended.
// Each reports p50 and p99 in ms.
func BenchmarkPaletteSearch(b *testing.B) {
	stalled := &benchStalled{}
	app, _ := benchApp(b, stalled)
	srv := httptest.NewServer(app.Handler())
	b.Cleanup(srv.Close)
	token := seedSearchData(b, app)

	words := []string{"zep", "mig", "plan", "rep", "bud", "qua", "ops", "log"}
	run := func(b *testing.B, prefix string, healthy int) {
		var done, last []time.Duration
		i := 0
		for b.Loop() {
			q := prefix + words[i%len(words)]
			i++
			d, h := paletteRequest(b, srv.URL, token, q, fmt.Sprint("bench", i%4), healthy)
			done, last = append(done, d), append(last, h)
		}
		reportPercentiles(b, "done", done)
		for name, ms := range sourceMs {
			slices.Sort(ms)
			b.Logf("%s: p50 %d ms, max %d ms", name, ms[len(ms)/2], ms[len(ms)-1])
		}
		clear(sourceMs)
		if healthy != 0 {
			reportPercentiles(b, "healthy", last)
		}
	}
	b.Run("posts-scope-baseline", func(b *testing.B) { stalled.on = false; run(b, "#", 0) })
	b.Run("all-sources", func(b *testing.B) { stalled.on = false; run(b, "", 0) })
	b.Run("all-sources-one-stalled", func(b *testing.B) { stalled.on = true; run(b, "", -1) })
}

func reportPercentiles(b *testing.B, name string, ds []time.Duration) {
	slices.Sort(ds)
	at := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), name+"-p50-ms")
	b.ReportMetric(at(0.99), name+"-p99-ms")
}

// sourceMs collects each source's answer times, for the log.
var sourceMs = map[string][]int64{}

// paletteRequest runs one query and returns when it was done and when
// the last source other than the stalled one answered (healthy < 0 turns
// that on).
func paletteRequest(b *testing.B, base, token, q, palette string, healthy int) (done, last time.Duration) {
	req, err := http.NewRequest(http.MethodGet, base+ui.SearchPath+"?palette="+palette+"&q="+url.QueryEscape(q), nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", q, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event, answered := "", 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "source":
			var d struct {
				Source, State string
				Ms            int64
			}
			_ = json.Unmarshal([]byte(line[6:]), &d)
			if d.State != "pending" {
				sourceMs[d.Source] = append(sourceMs[d.Source], d.Ms)
			}
			if d.State != "pending" && d.Source != "benchstalled.sleeper" {
				answered++
				last = time.Since(start)
				if d.State != "ok" {
					b.Errorf("%s: source %s %s", q, d.Source, d.State)
				}
			}
		case strings.HasPrefix(line, "data: ") && event == "done":
			return time.Since(start), last
		}
	}
	b.Fatalf("%s: the stream ended without done (%v)", q, sc.Err())
	return 0, 0
}

// seedSearchData fills the demo with content and returns an
// administrator's API token.
func seedSearchData(b *testing.B, app *webos.App) string {
	ctx := context.Background()
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		b.Fatal(err)
	}
	admin, err := am.UserByEmail(ctx, "bench@example.com")
	if err != nil {
		b.Fatal(err)
	}
	uctx := auth.WithUser(ctx, admin)
	bmod, _ := app.Module("blog")
	vmod, _ := app.Module("vault")
	bm, vm := bmod.(*blog.Module), vmod.(*vault.Module)
	topics := []string{"Zephyr migration", "Quarterly report", "Budget plan", "Ops log", "Release notes"}
	for i := range 300 {
		if _, err := bm.Create(uctx, blog.Input{Title: fmt.Sprintf("%s %d", topics[i%len(topics)], i), Body: "text", Tags: []string{"ops"}}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 200 {
		pw := fmt.Sprintf("pw-%d-secret", i)
		if _, err := vm.Create(uctx, vault.Input{Title: fmt.Sprintf("%s account %d", topics[i%len(topics)], i), Username: "bench", Password: &pw}); err != nil {
			b.Fatal(err)
		}
	}
	fsys, err := registry.Get[*afs.FS](app.Registry())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 2000 {
		u, err := afs.Parse(fmt.Sprintf("fs://%s/bench/%d/%s-%d.txt", fsys.Sources()[0], i%20, strings.ReplaceAll(strings.ToLower(topics[i%len(topics)]), " ", "-"), i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := fsys.Save(uctx, u, strings.NewReader("x"), nil); err != nil {
			b.Fatal(err)
		}
	}
	secret, _, err := am.IssueToken(ctx, admin.ID, "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return secret
}
