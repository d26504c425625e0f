// Package report is a demo module with one long background task,
// "report.generate": it works through a number of steps, reports its
// progress after each, and returns a small report. The shell's progress
// widget and the task tests use it.
//
// Signed-in users enqueue it over HTTP through the tasks module and follow
// it there:
//
//	POST /tasks/report.generate   {"title": "Sales", "steps": 10, "step_ms": 300}  → 202 {"id": …}
//	GET  /tasks/{id}/events       progress 10 % … 100 %, then "succeeded" with the report
//	GET  /tasks/{id}              status, and the report once done
//
// Go code enqueues it with [Module.Generate].
package report
