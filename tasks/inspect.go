package tasks

import (
	"context"
	"errors"
	"fmt"
	"github.com/webos-go/webos/audit"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

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
		m.announce(ctx, ActionCancel, st)
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
	// Problem, when set, says why the counts are incomplete: the queue
	// holds entries that cannot be read (keys of the wrong type, ids
	// whose task is gone), which the counts leave out.
	Problem string `json:"problem,omitempty"`
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
		if err != nil && bctx.Err() == nil {
			// asynq's one-step count fails on a single broken entry (a
			// key of the wrong type, an id without its task): count
			// what can be counted instead.
			st, cerr := m.countQueue(bctx, cn, q)
			if cerr == nil {
				m.log.WarnContext(ctx, "task queue holds entries asynq cannot read", "queue", q, "err", err)
				out = append(out, st)
				continue
			}
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
	page, size = max(page, 1), min(max(size, 1), 100)
	infos, err := inspect(bctx, cn, func() ([]*asynq.TaskInfo, error) {
		return list(m.qname(queue), asynq.Page(page), asynq.PageSize(size))
	})
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return []*Status{}, nil
	}
	if err != nil && bctx.Err() == nil {
		// One broken entry fails asynq's whole page: read the page's
		// tasks one by one, leaving out those that cannot be read.
		if got, lerr := m.listSafely(bctx, cn, queue, state, page, size); lerr == nil {
			m.log.WarnContext(ctx, "task queue holds entries asynq cannot read", "queue", queue, "state", state, "err", err)
			infos, err = got, nil
		}
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

// Audit actions of the task monitor's changes (see package audit).
const (
	// ActionRetry: an administrator ran a failed, cancelled, retrying or
	// scheduled task again.
	ActionRetry = "tasks.retry"
	// ActionDelete: an administrator deleted a task.
	ActionDelete = "tasks.delete"
)

// Retry runs a failed, cancelled, retrying or scheduled task again now,
// with its payload, owner and trace id, and returns its status (queued).
// It is for administrators (PermAdmin): others get an error wrapping
// webos.ErrForbidden. A task that is queued, running or has succeeded
// gives an error wrapping webos.ErrConflict. The retry is announced to
// the audit trail.
func (m *Module) Retry(ctx context.Context, id string) (*Status, error) {
	if err := m.requireAdmin(ctx); err != nil {
		return nil, err
	}
	st, err := m.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	switch st.State {
	case StateFailed, StateCancelled, StateRetrying:
	case StateQueued:
		if st.NextRunAt.IsZero() || !st.NextRunAt.After(time.Now()) {
			return st, fmt.Errorf("%w: task %q is already waiting for a worker", webos.ErrConflict, id)
		}
	default:
		return st, fmt.Errorf("%w: task %q is %s", webos.ErrConflict, id, st.State)
	}
	cn, err := m.connected()
	if err != nil {
		return nil, err
	}
	bctx, cancel := bound(ctx)
	defer cancel()
	// A cancelled task runs again only once its cancel is forgotten.
	if err := cn.api.Del(bctx, keyCancel+id).Err(); err != nil {
		return nil, redisFailure(ctx, err)
	}
	_, err = inspect(bctx, cn, func() (struct{}, error) { return struct{}{}, cn.insp.RunTask(m.qname(st.Queue), id) })
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, redisFailure(ctx, err)
	}
	m.log.InfoContext(ctx, "task retried", "task_id", id, "task_type", st.Type, "state", st.State)
	m.announce(ctx, ActionRetry, st)
	return m.lookup(ctx, id)
}

// Delete removes a task that is not running: its status, payload and
// result are gone. It is for administrators (PermAdmin): others get an
// error wrapping webos.ErrForbidden; a running task gives an error
// wrapping webos.ErrConflict (cancel it first). The deletion is announced
// to the audit trail.
func (m *Module) Delete(ctx context.Context, id string) error {
	if err := m.requireAdmin(ctx); err != nil {
		return err
	}
	st, err := m.lookup(ctx, id)
	if err != nil {
		return err
	}
	if st.State == StateRunning {
		return fmt.Errorf("%w: task %q is running: cancel it first", webos.ErrConflict, id)
	}
	cn, err := m.connected()
	if err != nil {
		return err
	}
	bctx, cancel := bound(ctx)
	defer cancel()
	qname := m.qname(st.Queue)
	_, err = inspect(bctx, cn, func() (struct{}, error) { return struct{}{}, cn.insp.DeleteTask(qname, id) })
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return notFound(id)
	}
	if err != nil {
		return redisFailure(ctx, err)
	}
	if st.Owner != "" && !st.Done() {
		m.unreserve(ctx, st.Owner, taskKey(qname, id))
	}
	m.log.InfoContext(ctx, "task deleted", "task_id", id, "task_type", st.Type, "state", st.State)
	m.announce(ctx, ActionDelete, st)
	return nil
}

// announce tells the audit trail about an administrator's change of a task.
func (m *Module) announce(ctx context.Context, action string, st *Status) {
	if err := audit.Emit(ctx, m.bus, audit.Change{Action: action, Target: "task:" + st.ID,
		Before: map[string]string{"type": st.Type, "state": string(st.State), "owner": st.Owner}}); err != nil {
		m.log.WarnContext(ctx, "announcing a change for the audit trail failed", "task_id", st.ID, "err", err)
	}
}

// queueKey is the Redis key of one of asynq's per-queue structures.
func (m *Module) queueKey(queue, part string) string { return "asynq:{" + m.qname(queue) + "}:" + part }

// listKeys are the lists (true) and sorted sets (false) of the task
// monitor's states.
var listKeys = map[string]bool{"pending": true, "active": true, "scheduled": false, "retry": false, "archived": false, "completed": false}

// countQueue counts a queue's tasks by state with commands that read
// each structure on its own, so that a broken entry costs nothing but
// itself; a structure of the wrong type counts as empty.
func (m *Module) countQueue(ctx context.Context, cn *conn, queue string) (QueueStats, error) {
	pipe := cn.api.Pipeline()
	cmds := map[string]*redis.IntCmd{}
	for _, state := range MonitorStates {
		if listKeys[state] {
			cmds[state] = pipe.LLen(ctx, m.queueKey(queue, state))
		} else {
			cmds[state] = pipe.ZCard(ctx, m.queueKey(queue, state))
		}
	}
	paused := pipe.Exists(ctx, m.queueKey(queue, "paused"))
	if _, err := pipe.Exec(ctx); err != nil && !isReply(err) {
		return QueueStats{}, err
	}
	n := func(state string) int { v, _ := cmds[state].Result(); return int(v) }
	st := QueueStats{Queue: queue, Pending: n("pending"), Active: n("active"), Scheduled: n("scheduled"),
		Retry: n("retry"), Archived: n("archived"), Completed: n("completed"), Paused: paused.Val() > 0,
		Problem: "some entries of this queue cannot be read; the counts leave them out"}
	st.Size = st.Pending + st.Active + st.Scheduled + st.Retry + st.Archived
	return st, nil
}

// listSafely reads one page of a queue's tasks in a state id by id,
// leaving out the ids whose task cannot be read.
func (m *Module) listSafely(ctx context.Context, cn *conn, queue, state string, page, size int) ([]*asynq.TaskInfo, error) {
	start, stop := int64((page-1)*size), int64(page*size-1)
	key := m.queueKey(queue, state)
	var ids []string
	var err error
	if listKeys[state] {
		ids, err = cn.api.LRange(ctx, key, start, stop).Result()
	} else {
		ids, err = cn.api.ZRange(ctx, key, start, stop).Result()
	}
	if err != nil {
		if isReply(err) {
			return []*asynq.TaskInfo{}, nil
		}
		return nil, err
	}
	out := make([]*asynq.TaskInfo, 0, len(ids))
	for _, id := range ids {
		info, err := inspect(ctx, cn, func() (*asynq.TaskInfo, error) { return cn.insp.GetTaskInfo(m.qname(queue), id) })
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		out = append(out, info)
	}
	return out, nil
}

// isReply reports whether err is an error reply of the Redis server (such
// as WRONGTYPE), not a failure to reach it.
func isReply(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && err != redis.Nil
}
