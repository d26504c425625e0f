package tasks_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/trace"
)

// BenchmarkEnqueue compares enqueueing through tasks (JSON payload, headers
// with user, trace id and time) with the raw asynq client (JSON payload) on
// the same Redis connection pool, with the same task options. Compare
// tasks/x with asynq/x of the same run; BenchmarkEnqueueRatio does it for
// you on a busy machine.
func BenchmarkEnqueue(b *testing.B) {
	viaAsynq, viaTasks := enqueuers(b)
	for _, mode := range []string{"serial", "parallel"} {
		for _, c := range []struct {
			name string
			fn   func() error
		}{{"asynq", viaAsynq}, {"tasks", viaTasks}} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				b.ReportAllocs()
				start := time.Now()
				if mode == "serial" {
					for b.Loop() {
						if err := c.fn(); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					b.SetParallelism(5) // 10 goroutines on 2 cores
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := c.fn(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tasks/s")
			})
		}
	}
}

// BenchmarkEnqueueRatio measures both ways in alternating batches (each op
// is one batch of each), so that a busy machine slows both alike, and
// reports tasks' throughput as a fraction of asynq's ("ratio"). Serial is
// one goroutine; parallel is 10.
func BenchmarkEnqueueRatio(b *testing.B) {
	viaAsynq, viaTasks := enqueuers(b)
	for _, workers := range []int{1, 10} {
		name := "serial"
		if workers > 1 {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			const perWorker = 100
			timed := func(fn func() error) time.Duration {
				start := time.Now()
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for range perWorker {
							if err := fn(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				return time.Since(start)
			}
			var tAsynq, tTasks time.Duration
			round := 0
			for b.Loop() {
				if round%2 == 0 {
					tAsynq += timed(viaAsynq)
					tTasks += timed(viaTasks)
				} else {
					tTasks += timed(viaTasks)
					tAsynq += timed(viaAsynq)
				}
				round++
			}
			n := float64(round * workers * perWorker)
			b.ReportMetric(n/tAsynq.Seconds(), "asynq/s")
			b.ReportMetric(n/tTasks.Seconds(), "tasks/s")
			b.ReportMetric(tAsynq.Seconds()/tTasks.Seconds(), "ratio")
		})
	}
}

// enqueuers returns two functions that enqueue one task each, through the
// raw asynq client and through tasks, on the same connection pool with the
// same options.
func enqueuers(b *testing.B) (viaAsynq, viaTasks func() error) {
	url := testenv.RedisURL(b)
	ns := randomName("bench")
	def := tasks.Define("bench.noop", func(context.Context, echoIn) (any, error) { return nil, nil })
	// No per-user limit: one user enqueues them all, and none runs.
	tm := tasks.New(tasks.Options{RedisURL: url, Namespace: ns, NoWorker: true, MaxQueuedPerUser: -1, Tasks: []tasks.Definition{def}})
	app := webos.New(testConfig(b), tm)
	app.SetLogger(discardLogger())
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(tm.Redis())
	b.Cleanup(func() {
		_ = insp.DeleteQueue(ns+":"+tasks.DefaultQueue, true)
		_ = app.Stop(context.Background())
	})
	raw := asynq.NewClientFromRedisClient(tm.Redis())
	// As in a request: a signed-in user and the kernel's trace id.
	ctx := trace.WithID(contextAs("alice"), trace.NewID())
	payload := echoIn{Text: "hello"}
	rawOpts := []asynq.Option{
		asynq.Queue(ns + ":" + tasks.DefaultQueue), asynq.MaxRetry(tasks.DefaultMaxRetry),
		asynq.Timeout(tasks.DefaultTimeout), asynq.Retention(tasks.DefaultRetention),
	}
	viaAsynq = func() error {
		p, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		_, err = raw.EnqueueContext(ctx, asynq.NewTask("bench.noop", p), rawOpts...)
		return err
	}
	viaTasks = func() error {
		_, err := def.Enqueue(ctx, payload)
		return err
	}
	return viaAsynq, viaTasks
}
