package files

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/tasks"
)

// Conflict policies of a [Transfer]: what to do when the destination
// already has a file or folder of the name.
const (
	ConflictSkip      = "skip"      // leave both as they are
	ConflictOverwrite = "overwrite" // replace the file, merge into the folder
	ConflictKeep      = "keep"      // keep both: the copy gets a free name, "a (2).txt"
)

// Transfer is the payload of the copy and move task: files and folders
// to copy or move into the folder To, across sources or within one.
type Transfer struct {
	Op       string    `json:"op"` // "copy" or "move"
	From     []afs.URN `json:"from"`
	To       afs.URN   `json:"to"`
	Conflict string    `json:"conflict"`
}

// Summary is what a transfer did: its task's result.
type Summary struct {
	Op     string    `json:"op"`
	Done   []string  `json:"done"`    // URNs made at the destination
	Skip   []string  `json:"skipped"` // names left alone (they existed)
	Failed []Failure `json:"failed,omitempty"`
	Files  int       `json:"files"`
	Bytes  int64     `json:"bytes"`
	Took   string    `json:"took"`
}

// Failure is one item a transfer could not copy or move.
type Failure struct {
	URN   string `json:"urn"`
	Error string `json:"error"`
}

// Enqueue starts t as a background task for the user in ctx and returns
// the task's id.
// The shell's sidebar shows its progress on every page for a while.
func (m *Module) Enqueue(ctx context.Context, t Transfer) (string, error) {
	id, err := m.transfer.Enqueue(ctx, t)
	if err != nil {
		return "", err
	}
	what := fmt.Sprintf("%d items", len(t.From))
	if len(t.From) == 1 {
		what = t.From[0].Name()
	}
	verb := map[string]string{"copy": "Copy", "move": "Move"}[t.Op]
	if err := m.remember(ctx, id, verb+" "+what+" → "+t.To.String()); err != nil {
		// The task runs; only the sidebar will not follow it.
		m.log.WarnContext(ctx, "recording a transfer failed", "task", id, "err", err)
	}
	return id, nil
}

// runTransfer is the task: each item in turn, verified by afs (a move
// deletes the original only after its copy checked out), with progress
// in bytes and files. Cancelling ends the item being copied without a
// trace at the destination; what was done stays done.
func (m *Module) runTransfer(ctx context.Context, t Transfer) (any, error) {
	if t.Op != "copy" && t.Op != "move" {
		return nil, tasks.Permanent(fmt.Errorf("files: unknown operation %q", t.Op))
	}
	start := time.Now()
	sum := &Summary{Op: t.Op, Done: []string{}, Skip: []string{}}
	type item struct {
		src   afs.URN
		info  afs.Info
		files int
		bytes int64
	}
	var items []item
	var total int64
	totalFiles := 0
	for _, u := range t.From {
		info, err := m.fs.Stat(ctx, u)
		if err != nil {
			if errors.Is(err, afs.ErrNotFound) && t.Op == "move" {
				// Moved already by an attempt that a restart interrupted.
				if d, jerr := t.To.Join(u.Name()); jerr == nil {
					if _, serr := m.fs.Stat(ctx, d); serr == nil {
						sum.Done = append(sum.Done, d.String())
						continue
					}
				}
			}
			sum.Failed = append(sum.Failed, Failure{URN: u.String(), Error: problem(err)})
			continue
		}
		it := item{src: u, info: info, files: 1, bytes: info.Size}
		if info.Folder {
			if it.files, it.bytes, err = m.measure(ctx, u); err != nil {
				sum.Failed = append(sum.Failed, Failure{URN: u.String(), Error: problem(err)})
				continue
			}
		}
		items = append(items, it)
		total += it.bytes
		totalFiles += it.files
	}
	verb := map[string]string{"copy": "Copying", "move": "Moving"}[t.Op]
	var copied atomic.Int64
	var mu sync.Mutex
	filesDone := 0
	last := time.Time{}
	report := func(force bool) {
		mu.Lock()
		defer mu.Unlock()
		if !force && time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		pct := 100
		if total > 0 {
			pct = int(copied.Load() * 100 / total)
		} else if totalFiles > 0 {
			pct = filesDone * 100 / totalFiles
		}
		_ = tasks.Progress(ctx, min(pct, 99), fmt.Sprintf("%s: %d of %d files · %s of %s",
			verb, filesDone, totalFiles, humanBytes(copied.Load()), humanBytes(total)))
	}
	report(true)
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dst, err := t.To.Join(it.src.Name())
		if err != nil {
			sum.Failed = append(sum.Failed, Failure{URN: it.src.String(), Error: problem(err)})
			continue
		}
		opts := &afs.CopyOptions{Progress: func(n int64) { copied.Add(n); report(false) }}
		if _, err := m.fs.Stat(ctx, dst); err == nil {
			switch t.Conflict {
			case ConflictOverwrite:
				opts.Overwrite = true
			case ConflictKeep:
				if dst, err = m.freeName(ctx, dst); err != nil {
					sum.Failed = append(sum.Failed, Failure{URN: it.src.String(), Error: problem(err)})
					continue
				}
			default:
				sum.Skip = append(sum.Skip, it.src.Name())
				copied.Add(it.bytes)
				mu.Lock()
				filesDone += it.files
				mu.Unlock()
				continue
			}
		} else if !errors.Is(err, afs.ErrNotFound) {
			sum.Failed = append(sum.Failed, Failure{URN: it.src.String(), Error: problem(err)})
			continue
		}
		before := copied.Load()
		if t.Op == "move" {
			_, err = m.fs.Move(ctx, it.src, dst, opts)
		} else {
			_, err = m.fs.Copy(ctx, it.src, dst, opts)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			copied.Store(before + it.bytes) // count it as handled
			sum.Failed = append(sum.Failed, Failure{URN: it.src.String(), Error: problem(err)})
		} else {
			// A rename within a disk source copies no bytes.
			if c := copied.Load(); c < before+it.bytes {
				copied.Store(before + it.bytes)
			}
			sum.Done = append(sum.Done, dst.String())
			sum.Files += it.files
			sum.Bytes += it.bytes
		}
		mu.Lock()
		filesDone += it.files
		mu.Unlock()
		report(true)
	}
	sum.Took = time.Since(start).Round(time.Millisecond).String()
	_ = tasks.Progress(ctx, 100, summaryLine(sum))
	if len(sum.Done) == 0 && len(sum.Failed) > 0 && len(sum.Skip) == 0 {
		return nil, tasks.Permanent(fmt.Errorf("%s failed: %s: %s", t.Op, path.Base(sum.Failed[0].URN), sum.Failed[0].Error))
	}
	return sum, nil
}

// summaryLine says in one line what a transfer did.
func summaryLine(s *Summary) string {
	verb := map[string]string{"copy": "Copied", "move": "Moved"}[s.Op]
	parts := []string{fmt.Sprintf("%s %d files (%s) in %s", verb, s.Files, humanBytes(s.Bytes), s.Took)}
	if len(s.Skip) > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", len(s.Skip)))
	}
	if len(s.Failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", len(s.Failed)))
	}
	return strings.Join(parts, ", ")
}

// measure counts the files below the folder u and their bytes.
func (m *Module) measure(ctx context.Context, u afs.URN) (files int, bytes int64, err error) {
	token := ""
	for {
		p, err := m.fs.List(ctx, u, &afs.ListOptions{Recursive: true, PageToken: token})
		if err != nil {
			return 0, 0, err
		}
		for _, it := range p.Items {
			files++
			bytes += it.Size
		}
		if token = p.NextPageToken; token == "" {
			return files, bytes, nil
		}
	}
}

// freeName returns the first of "a (2).txt", "a (3).txt", … that does
// not exist beside u.
func (m *Module) freeName(ctx context.Context, u afs.URN) (afs.URN, error) {
	name := u.Name()
	ext := path.Ext(name)
	if ext == name {
		ext = ""
	}
	base := strings.TrimSuffix(name, ext)
	for i := 2; i < 1000; i++ {
		c, err := u.Parent().Join(fmt.Sprintf("%s (%d)%s", base, i, ext))
		if err != nil {
			return afs.URN{}, err
		}
		if _, err := m.fs.Stat(ctx, c); errors.Is(err, afs.ErrNotFound) {
			return c, nil
		} else if err != nil {
			return afs.URN{}, err
		}
	}
	return afs.URN{}, fmt.Errorf("%w: no free name for %s", afs.ErrExists, name)
}

// humanBytes writes n as B, KiB, MiB or GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit && exp < 3; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}
