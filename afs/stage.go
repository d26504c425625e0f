package afs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"runtime/debug"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// How afs changes files without losing any: content that is to replace
// something is first written to a staging object next to its destination
// (a name beginning with [ReservedPrefix], which no URN can address and no
// listing shows), checked, and only then put in place. On a disk source
// putting in place is a rename, or a link(2) where nothing may be
// replaced, so the check for an existing file and the placing are one
// step; on object stores it is a server-side copy.

// stagePrefix begins the names of staging objects.
const stagePrefix = ReservedPrefix + "stage-"

// attrsExt ends the names of the files in which fileblob keeps a file's
// metadata, beside the file.
const attrsExt = ".attrs"

// stageKey returns a new staging key in the folder of key.
func stageKey(key string) string {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	name := stagePrefix + hex.EncodeToString(rnd[:])
	if d := path.Dir(key); d != "." {
		return d + "/" + name
	}
	return name
}

// isS3 reports whether the source's bucket is an S3 bucket.
func (s *Source) isS3() bool {
	var c *s3.Client
	return s.bucket.As(&c)
}

// place puts the staged object at stage in the place of key and removes
// the staging object. With noReplace, an existing object at key is
// [ErrExists] and stays: on a disk source the check and the placing are
// one link(2); on object stores they are two steps, which a per-path lock
// of the caller may serialise within the process.
func (s *Source) place(ctx context.Context, stage, key string, noReplace bool) error {
	if s.root != nil {
		if hookBeforePlace != nil {
			hookBeforePlace(key)
		}
		return s.renameFile(stage, key, noReplace)
	}
	if noReplace {
		if ok, err := s.bucket.Exists(ctx, key); err != nil {
			return mapErr(err)
		} else if ok {
			return ErrExists
		}
	}
	if err := s.bucket.Copy(ctx, key, stage, nil); err != nil {
		return mapErr(err)
	}
	s.drop(ctx, stage)
	return nil
}

// drop deletes the object at key, if any, also when ctx is cancelled: it
// is cleanup.
func (s *Source) drop(ctx context.Context, key string) {
	_ = s.bucket.Delete(context.WithoutCancel(ctx), key)
}

// renameFile moves a file, with its metadata file, within a disk source.
// With noReplace the file is linked to its new name, which fails when
// that name is taken, and then unlinked from the old one; otherwise it is
// renamed, replacing what was there.
func (s *Source) renameFile(from, to string, noReplace bool) error {
	linked := false
	if noReplace {
		err := s.root.Link(from, to)
		switch {
		case err == nil:
			linked = true
		case errors.Is(err, fs.ErrExist):
			return ErrExists
		case linkUnsupported(err):
			// A file system without hard links: check and rename under
			// the source's lock, which holds within this process.
			s.renameMu.Lock()
			_, serr := s.root.Lstat(to)
			if serr == nil {
				s.renameMu.Unlock()
				return ErrExists
			}
			err = s.root.Rename(from, to)
			s.renameMu.Unlock()
			if err != nil {
				return renameErr(err)
			}
		default:
			return renameErr(err)
		}
	} else if err := s.root.Rename(from, to); err != nil {
		return renameErr(err)
	}
	err := s.root.Rename(from+attrsExt, to+attrsExt)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		_ = s.root.Remove(to + attrsExt) // no metadata: drop the old file's
	default:
		if linked {
			_ = s.root.Remove(to)
		} else {
			_ = s.root.Rename(to, from)
		}
		return renameErr(err)
	}
	if linked {
		if err := s.root.Remove(from); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return renameErr(err)
		}
	}
	return nil
}

// renameDir moves a folder within a disk source. rename(2) does not
// replace a folder that holds anything, nor a file, so an existing
// destination is [ErrExists] in the same step.
func (s *Source) renameDir(from, to string) error {
	if hookBeforePlace != nil {
		hookBeforePlace(to)
	}
	if err := s.root.Rename(from, to); err != nil {
		return renameErr(err)
	}
	return nil
}

// linkUnsupported reports whether link(2) failed because the file system
// has no hard links.
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EMLINK)
}

func renameErr(err error) error {
	if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EISDIR) {
		return ErrExists
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return detail(ErrExists, "a file stands in the way")
	}
	return rootErr(err, false)
}

// backup keeps the object at key under a new staging key and returns that
// key: a hard link on a disk source, a server-side copy elsewhere.
func (s *Source) backup(ctx context.Context, key string) (string, error) {
	b := stageKey(key)
	if s.root != nil {
		if err := s.root.Link(key, b); err != nil {
			if !linkUnsupported(err) {
				return "", rootErr(err, false)
			}
			if err := s.bucket.Copy(ctx, b, key, nil); err != nil {
				return "", mapErr(err)
			}
			return b, nil
		}
		if err := s.root.Link(key+attrsExt, b+attrsExt); err != nil && !errors.Is(err, fs.ErrNotExist) {
			_ = s.root.Remove(b)
			return "", rootErr(err, false)
		}
		return b, nil
	}
	if err := s.bucket.Copy(ctx, b, key, nil); err != nil {
		return "", mapErr(err)
	}
	return b, nil
}

// pathLocks serialise the check and the write of conditional saves to one
// path within the process.
type pathLocks [64]sync.Mutex

func (l *pathLocks) lock(u URN) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(u.String()))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// goSafe runs fn in g; a panic in fn becomes its error, so that a bug in
// one worker fails the operation instead of the process.
func goSafe(g *errgroup.Group, fn func() error) {
	g.Go(func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("afs: panic in a worker: %v\n%s", r, debug.Stack())
			}
		}()
		return fn()
	})
}
