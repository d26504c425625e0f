package tasks

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// State is where a task is in its life.
type State string

// Task states. Queued, running and retrying tasks are still going;
// succeeded, failed and cancelled ones have ended.
const (
	// StateQueued: waiting for a worker (or for its delay to pass).
	StateQueued State = "queued"
	// StateRunning: a worker is running the handler.
	StateRunning State = "running"
	// StateRetrying: an attempt failed; the task waits for its next one.
	StateRetrying State = "retrying"
	// StateSucceeded: the handler returned a result.
	StateSucceeded State = "succeeded"
	// StateFailed: the last attempt failed, or the failure was permanent.
	StateFailed State = "failed"
	// StateCancelled: cancelled by [Module.Cancel].
	StateCancelled State = "cancelled"
)

// Done reports whether s is a final state.
func (s State) Done() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCancelled
}

// Status is what is known about a task: the JSON of GET /tasks/{id}.
type Status struct {
	// ID is the task's id, as Enqueue returned it.
	ID string `json:"id"`
	// Type is the task type name.
	Type string `json:"type"`
	// Queue is the queue the task is in.
	Queue string `json:"queue"`
	// State is where the task is.
	State State `json:"state"`
	// Percent is the last progress the handler reported, 0 to 100; 100 once
	// the task succeeded.
	Percent int `json:"percent"`
	// Message is the last progress message.
	Message string `json:"message,omitempty"`
	// Payload is the task's input as JSON.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Result is the handler's result as JSON, once the task succeeded.
	Result json.RawMessage `json:"result,omitempty"`
	// Error is the error of the last failed attempt.
	Error string `json:"error,omitempty"`
	// Retried counts the retries so far.
	Retried int `json:"retried"`
	// MaxRetry is how many retries the task may have.
	MaxRetry int `json:"max_retry"`
	// Owner is the id of the user who enqueued the task ("" for none).
	Owner string `json:"owner,omitempty"`
	// TraceID is the trace id of the enqueuing request, which the task's log
	// lines carry too.
	TraceID string `json:"trace_id,omitempty"`
	// EnqueuedAt is when the task was enqueued.
	EnqueuedAt time.Time `json:"enqueued_at,omitzero"`
	// NextRunAt is when a queued or retrying task runs next.
	NextRunAt time.Time `json:"next_run_at,omitzero"`
	// LastFailedAt is when an attempt last failed.
	LastFailedAt time.Time `json:"last_failed_at,omitzero"`
	// CompletedAt is when the task succeeded.
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// CancelRequested is true once Cancel was called, also while a running
	// handler is still winding down.
	CancelRequested bool `json:"cancel_requested,omitempty"`
}

// Done reports whether the task has ended.
func (s *Status) Done() bool { return s.State.Done() }

// Bus topics on which workers announce what happens to tasks. The payload
// of each is an [Event]. Enqueueing emits nothing: the caller knows, and an
// event would make every enqueue cost more, listened to or not.
const (
	TopicStarted   = "tasks.started"
	TopicProgress  = "tasks.progress"
	TopicRetrying  = "tasks.retrying"
	TopicSucceeded = "tasks.succeeded"
	TopicFailed    = "tasks.failed"
	TopicCancelled = "tasks.cancelled"
)

// Event kinds: the last segment of the topics, and the event names of
// GET /tasks/{id}/events.
const (
	KindStarted   = "started"
	KindProgress  = "progress"
	KindRetrying  = "retrying"
	KindSucceeded = "succeeded"
	KindFailed    = "failed"
	KindCancelled = "cancelled"
)

// Event is something that happened to a task: the payload of the tasks.*
// bus topics and the data of the task's Server-Sent Events.
type Event struct {
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// ID is the task's id.
	ID string `json:"id"`
	// Type is the task type name.
	Type string `json:"type"`
	// State is the task's state after the event.
	State State `json:"state"`
	// Percent and Message are the progress so far.
	Percent int    `json:"percent"`
	Message string `json:"message,omitempty"`
	// Result is the handler's result, for "succeeded".
	Result json.RawMessage `json:"result,omitempty"`
	// Error is the attempt's error, for "retrying" and "failed".
	Error string `json:"error,omitempty"`
	// Retried counts the retries before this attempt.
	Retried int `json:"retried"`
	// Owner is the id of the user who enqueued the task.
	Owner string `json:"owner,omitempty"`
	// Time is when it happened.
	Time time.Time `json:"time"`
}

// Done reports whether the event ends the task.
func (e Event) Done() bool { return e.State.Done() }

// progressRecord is what the worker keeps as the asynq task's result:
// progress while the task runs, then also the handler's result.
type progressRecord struct {
	Percent int             `json:"percent"`
	Message string          `json:"message,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
}

// Task headers that carry the enqueuing context to the worker.
const (
	headerUser     = "webos-user"
	headerTrace    = "webos-trace"
	headerEnqueued = "webos-enqueued"
	// headerMaxRetry is the task's own number of retries; asynq's is one
	// more (see Module.asynqOptions). Tasks enqueued before it existed
	// lack it, and have asynq's.
	headerMaxRetry = "webos-max-retry"
)

// maxRetryOf is the task's own number of retries, from its headers, or
// asynq's when they lack it.
func maxRetryOf(headers map[string]string, asynqMax int) int {
	if n, err := strconv.Atoi(headers[headerMaxRetry]); err == nil && n >= 0 {
		return n
	}
	return asynqMax
}

// statusOf turns asynq's view of a task into a Status. cancelled says
// whether a cancel was requested.
func statusOf(info *asynq.TaskInfo, queue string, cancelled bool) *Status {
	st := &Status{
		ID:              info.ID,
		Type:            info.Type,
		Queue:           queue,
		Retried:         info.Retried,
		MaxRetry:        maxRetryOf(info.Headers, info.MaxRetry),
		Owner:           info.Headers[headerUser],
		TraceID:         info.Headers[headerTrace],
		LastFailedAt:    info.LastFailedAt,
		CompletedAt:     info.CompletedAt,
		CancelRequested: cancelled,
	}
	if t, err := time.Parse(time.RFC3339Nano, info.Headers[headerEnqueued]); err == nil {
		st.EnqueuedAt = t
	}
	if len(info.Payload) > 0 && json.Valid(info.Payload) {
		st.Payload = json.RawMessage(info.Payload)
	}
	var rec progressRecord
	if len(info.Result) > 0 && json.Unmarshal(info.Result, &rec) == nil {
		st.Percent, st.Message = rec.Percent, rec.Message
	}
	lastErr := info.LastErr
	deferred := lastErr == errDeferred.Error()
	if deferred {
		// Put back because its owner had enough tasks running: no failure.
		lastErr, st.LastFailedAt = "", time.Time{}
	}
	switch info.State {
	case asynq.TaskStateActive:
		st.State = StateRunning
	case asynq.TaskStateRetry:
		if deferred {
			st.State, st.NextRunAt = StateQueued, info.NextProcessAt
			break
		}
		st.State = StateRetrying
		st.Error = lastErr
		st.NextRunAt = info.NextProcessAt
	case asynq.TaskStateCompleted:
		st.State, st.Percent, st.Result = StateSucceeded, 100, rec.Result
	case asynq.TaskStateArchived:
		st.State, st.Error = StateFailed, lastErr
		if cancelled || lastErr == context.Canceled.Error() || lastErr == ErrCancelled.Error() {
			st.State, st.Error, st.CancelRequested = StateCancelled, ErrCancelled.Error(), true
		}
	default: // pending, scheduled, aggregating
		st.State = StateQueued
		st.NextRunAt = info.NextProcessAt
		if lastErr != "" && info.Retried > 0 {
			st.Error = lastErr
		}
	}
	if cancelled && !st.Done() && st.State != StateRunning {
		// Cancel archives waiting tasks; until it has, they count as cancelled.
		st.State, st.Error = StateCancelled, ErrCancelled.Error()
	}
	return st
}

// eventOf is the final event a status implies, for streams that find a task
// ended without its worker having recorded so.
func eventOf(st *Status) Event {
	kind := KindFailed
	switch st.State {
	case StateSucceeded:
		kind = KindSucceeded
	case StateCancelled:
		kind = KindCancelled
	}
	return Event{
		Kind: kind, ID: st.ID, Type: st.Type, State: st.State,
		Percent: st.Percent, Message: st.Message, Result: st.Result, Error: st.Error,
		Retried: st.Retried, Owner: st.Owner, Time: time.Now().UTC(),
	}
}
