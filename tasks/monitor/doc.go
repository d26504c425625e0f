// Package monitor mounts asynqmon, the web UI of the asynq queues that the
// tasks module runs on, for administrators: queues, tasks by state with
// their payloads, results and errors, workers, and actions such as retrying
// or deleting tasks. It is a module of its own so that applications that do
// not want the UI (about 6 MB of embedded assets) do not link it.
//
//	tm := tasks.New(tasks.Options{RedisURL: url})
//	app := webos.New(cfg, tm, monitor.New(tm), …)
//	// → /tasks/admin/monitor/ for holders of tasks.admin
//
// The UI shows every asynq queue of the Redis database, including those of
// other applications (namespaces) that share it. For a JSON view of the
// application's own queues, see GET /tasks/admin/queues of the tasks module.
package monitor
