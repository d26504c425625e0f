package tasks

import (
	"context"
	"errors"
	"fmt"
	"github.com/webos-go/webos/audit"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
)

// maxIDLen bounds task ids accepted from clients.
const maxIDLen = 128

func notFound(id string) error { return fmt.Errorf("%w: task %q", ErrNotFound, id) }

// mayRead reports whether the caller in ctx may see a task of owner.
func (m *Module) mayRead(ctx context.Context, owner string) bool {
	if uid := identity.ID(ctx); uid != "" && uid == owner {
		return true
	}
	return m.isAdmin(ctx)
}

func (m *Module) isAdmin(ctx context.Context) bool {
	return m.app != nil && m.app.Can(ctx, PermAdmin)
}

// Status returns what is known about task id. Only the task's owner (the
// user who enqueued it) and administrators (PermAdmin) may read it;
// for anyone else, as for an unknown id, the error wraps [ErrNotFound].
// Succeeded tasks are kept for their retention (see [Retention]), failed
// ones for up to 90 days.
func (m *Module) Status(ctx context.Context, id string) (*Status, error) {
	st, err := m.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !m.mayRead(ctx, st.Owner) {
		return nil, notFound(id)
	}
	return st, nil
}

// lookup finds task id in the module's queues, without access checks. A
// queue missing from asynq's list of queues (Redis lost its data) is
// registered again, and the task looked for once more.
func (m *Module) lookup(ctx context.Context, id string) (*Status, error) {
	if id == "" || len(id) > maxIDLen {
		return nil, notFound(id)
	}
	cn, err := m.connected()
	if err != nil {
		return nil, err
	}
	bctx, cancel := bound(ctx)
	defer cancel()
	st, missing, err := m.find(bctx, cn, id)
	if err == nil && st == nil && missing {
		if err = m.registerQueues(bctx, cn.api); err == nil {
			st, _, err = m.find(bctx, cn, id)
		}
	}
	if err != nil {
		return nil, redisFailure(ctx, err)
	}
	if st == nil {
		return nil, notFound(id)
	}
	return st, nil
}

// find looks for task id in the module's queues: its status, or nil and
// whether a queue was missing from asynq's list of queues.
func (m *Module) find(ctx context.Context, cn *conn, id string) (st *Status, missing bool, err error) {
	for _, q := range m.queues {
		info, err := inspect(ctx, cn, func() (*asynq.TaskInfo, error) { return cn.insp.GetTaskInfo(m.qname(q), id) })
		if errors.Is(err, asynq.ErrQueueNotFound) {
			missing = true
			continue
		}
		if errors.Is(err, asynq.ErrTaskNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		cancelled := false
		if info.State != asynq.TaskStateCompleted {
			n, err := cn.api.Exists(ctx, keyCancel+id).Result()
			if err != nil {
				return nil, false, err
			}
			cancelled = n > 0
		}
		return statusOf(info, q, cancelled), false, nil
	}
	return nil, missing, nil
}

// ActionCancel is the audit action of an administrator cancelling another
// user's task (see package audit).
const ActionCancel = "tasks.cancel"

// Cancel cancels task id for its owner or an administrator (others get an
// error wrapping [ErrNotFound]). A task waiting in its queue or for a retry
// ends at once; a running one has its handler's context cancelled, and
// Cancel waits a few seconds for the handler to return. The returned status
// is then cancelled, or still running with CancelRequested when the
// handler ignores its context (it is cancelled when it returns, and never
// retried). A task that has already ended gives an error wrapping
// [ErrFinished].
func (m *Module) Cancel(ctx context.Context, id string) (*Status, error) {
	st, err := m.Status(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Done() {
		return st, fmt.Errorf("%w: task %q is %s", ErrFinished, id, st.State)
	}
	by := identity.ID(ctx)
	if by == "" {
		by = "-"
	}
	cn, err := m.connected()
	if err != nil {
		return nil, err
	}
	sctx, cancel := bound(ctx)
	err = cn.api.Set(sctx, keyCancel+id, by, cancelTTL).Err()
	cancel()
	if err != nil {
		return nil, redisFailure(ctx, err)
	}
	m.log.InfoContext(ctx, "task cancel requested", "task_id", id, "task_type", st.Type, "state", st.State)
	if by != st.Owner {
		// An administrator cancels someone else's task: the audit trail
		// records it (a user cancelling their own task is no
		// administrative change).
		if err := audit.Emit(ctx, m.bus, audit.Change{Action: ActionCancel, Target: "task:" + id,
			Before: map[string]string{"type": st.Type, "state": string(st.State), "owner": st.Owner}}); err != nil {
			m.log.WarnContext(ctx, "announcing a change for the audit trail failed", "task_id", id, "err", err)
		}
	}
	qname := m.qname(st.Queue)
	deadline := time.Now().Add(cancelWait)
	var signalled time.Time
	sawActive := false
	// call runs Inspector calls, bounded like every Redis call.
	call := func(fn func() error) error {
		cctx, cancel := bound(ctx)
		defer cancel()
		_, err := inspect(cctx, cn, func() (struct{}, error) { return struct{}{}, fn() })
		return err
	}
	for {
		var info *asynq.TaskInfo
		err := call(func() (err error) { info, err = cn.insp.GetTaskInfo(qname, id); return err })
		if err != nil {
			if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
				return nil, notFound(id)
			}
			return nil, redisFailure(ctx, err)
		}
		switch info.State {
		case asynq.TaskStateActive:
			sawActive = true
			if time.Since(signalled) > 500*time.Millisecond {
				// Repeated: a handler that has only just started may have missed it.
				if err := call(func() error { return cn.insp.CancelProcessing(id) }); err != nil {
					return nil, redisFailure(ctx, err)
				}
				signalled = time.Now()
			}
		case asynq.TaskStateArchived, asynq.TaskStateCompleted:
			return m.Status(ctx, id)
		default: // waiting: pending, scheduled, retry, aggregating
			err := call(func() error { return cn.insp.ArchiveTask(qname, id) })
			if err == nil {
				if st.Owner != "" {
					m.unreserve(ctx, st.Owner, taskKey(qname, id))
				}
				st, err := m.Status(ctx, id)
				if err == nil && !sawActive {
					// No handler ran to record it.
					ev := eventOf(st)
					m.record(ctx, ev)
				}
				return st, err
			}
			if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
				return nil, redisFailure(ctx, err)
			}
			// It changed state meanwhile: look again.
		}
		if time.Now().After(deadline) {
			return m.Status(ctx, id)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// QueueStats counts the tasks of one queue by state, for the task monitor.
type QueueStats struct {
	// Queue is the queue's name as definitions give it.
	Queue string `json:"queue"`
	// Size counts the tasks in the queue, except completed ones.
	Size      int `json:"size"`
	Pending   int `json:"pending"`
	Active    int `json:"active"`
	Scheduled int `json:"scheduled"`
	Retry     int `json:"retry"`
	Archived  int `json:"archived"`
	Completed int `json:"completed"`
	// Processed and Failed count today's attempts (UTC).
	Processed int `json:"processed_today"`
	Failed    int `json:"failed_today"`
	// Paused is true when workers take nothing from the queue.
	Paused bool `json:"paused"`
	// LatencyMS is how long the oldest pending task has waited.
	LatencyMS int64 `json:"latency_ms"`
}

// MonitorStates are the states the task monitor lists tasks by: asynq's
// own, finer than [State].
var MonitorStates = []string{"pending", "active", "scheduled", "retry", "archived", "completed"}

// Queues counts the tasks of each of the application's queues by state
// (none in a queue that has had no task yet).
// It is for administrators (PermAdmin): others get an error wrapping
// webos.ErrForbidden.
func (m *Module) Queues(ctx context.Context) ([]QueueStats, error) {
	if err := m.requireAdmin(ctx); err != nil {
		return nil, err
	}
	cn, err := m.connected()
	if err != nil {
		return nil, err
	}
	bctx, cancel := bound(ctx)
	defer cancel()
	// asynq reports a queue missing from its list of queues with an error
	// of its own, not ErrQueueNotFound: make sure the list has them all.
	if err := m.registerQueues(bctx, cn.api); err != nil {
		return nil, redisFailure(ctx, err)
	}
	out := make([]QueueStats, 0, len(m.queues))
	for _, q := range m.queues {
		info, err := inspect(bctx, cn, func() (*asynq.QueueInfo, error) { return cn.insp.GetQueueInfo(m.qname(q)) })
		if errors.Is(err, asynq.ErrQueueNotFound) {
			out = append(out, QueueStats{Queue: q})
			continue
		}
		if err != nil {
			return nil, redisFailure(ctx, err)
		}
		out = append(out, QueueStats{
			Queue: q, Size: info.Size, Pending: info.Pending, Active: info.Active,
			Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived,
			Completed: info.Completed, Processed: info.Processed, Failed: info.Failed,
			Paused: info.Paused, LatencyMS: info.Latency.Milliseconds(),
		})
	}
	return out, nil
}

// List returns one page (from 1) of up to size tasks of a queue in one of
// the [MonitorStates], for administrators (others get an error wrapping
// webos.ErrForbidden).
func (m *Module) List(ctx context.Context, queue, state string, page, size int) ([]*Status, error) {
	if err := m.requireAdmin(ctx); err != nil {
		return nil, err
	}
	if !slices.Contains(m.queues, queue) {
		return nil, fmt.Errorf("%w: queue %q", ErrNotFound, queue)
	}
	cn, err := m.connected()
	if err != nil {
		return nil, err
	}
	list := map[string]func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		"pending":   cn.insp.ListPendingTasks,
		"active":    cn.insp.ListActiveTasks,
		"scheduled": cn.insp.ListScheduledTasks,
		"retry":     cn.insp.ListRetryTasks,
		"archived":  cn.insp.ListArchivedTasks,
		"completed": cn.insp.ListCompletedTasks,
	}[state]
	if list == nil {
		return nil, webos.Invalid("state", "must be one of pending, active, scheduled, retry, archived, completed")
	}
	bctx, cancel := bound(ctx)
	defer cancel()
	infos, err := inspect(bctx, cn, func() ([]*asynq.TaskInfo, error) {
		return list(m.qname(queue), asynq.Page(max(page, 1)), asynq.PageSize(min(max(size, 1), 100)))
	})
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return []*Status{}, nil
	}
	if err != nil {
		return nil, redisFailure(ctx, err)
	}
	out := make([]*Status, len(infos))
	for i, info := range infos {
		out[i] = statusOf(info, queue, false)
	}
	return out, nil
}

// requireAdmin asks the application's authorizer for PermAdmin: 401
// without a user, 403 without the permission.
func (m *Module) requireAdmin(ctx context.Context) error {
	if m.app == nil {
		return fmt.Errorf("tasks: %w: the module is not provisioned", webos.ErrUnauthorized)
	}
	return m.app.Authorize(ctx, PermAdmin)
}
