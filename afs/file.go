package afs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"gocloud.dev/blob"
)

// File is a file opened for reading with [FS.Open]: an io.ReadSeekCloser
// that knows its [Info]. On object stores the content is fetched lazily
// from the current offset at the first Read after a Seek, so seeking is
// cheap and a range costs one request. A File is not safe for concurrent
// use; Close it when done.
type File struct {
	info Info

	// A disk source reads the file itself.
	os *os.File

	// Other sources read through the bucket.
	ctx    context.Context
	bucket *blob.Bucket
	key    string
	r      *blob.Reader
	rpos   int64 // offset r reads at next
	off    int64 // offset the next Read reads at
	closed bool
}

// Info describes the file as it was when it was opened.
func (f *File) Info() Info { return f.info }

// Read reads up to len(p) bytes from the current offset.
func (f *File) Read(p []byte) (int, error) {
	if f.os != nil {
		return f.os.Read(p)
	}
	if f.closed {
		return 0, os.ErrClosed
	}
	if f.off >= f.info.Size {
		return 0, io.EOF
	}
	if f.r == nil || f.rpos != f.off {
		if f.r != nil {
			_ = f.r.Close()
			f.r = nil
		}
		r, err := f.bucket.NewRangeReader(f.ctx, f.key, f.off, -1, nil)
		if err != nil {
			return 0, mapErr(err)
		}
		f.r, f.rpos = r, f.off
	}
	n, err := f.r.Read(p)
	f.rpos += int64(n)
	f.off = f.rpos
	return n, err
}

// Seek sets the offset of the next Read, as io.Seeker describes.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	if f.os != nil {
		return f.os.Seek(offset, whence)
	}
	if f.closed {
		return 0, os.ErrClosed
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = f.off + offset
	case io.SeekEnd:
		abs = f.info.Size + offset
	default:
		return 0, errors.New("afs: Seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("afs: Seek: negative position")
	}
	f.off = abs
	return abs, nil
}

// Close releases the file.
func (f *File) Close() error {
	if f.os != nil {
		return f.os.Close()
	}
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	if f.r != nil {
		return f.r.Close()
	}
	return nil
}

// Open opens the file u for reading. A folder is [ErrIsFolder]; a missing
// file is [ErrNotFound]. On object stores, ctx also governs the reads of
// the returned file.
func (f *FS) Open(ctx context.Context, u URN) (*File, error) {
	file, err := f.open(ctx, u)
	return file, pathErr("open", u, err)
}

func (f *FS) open(ctx context.Context, u URN) (*File, error) {
	s, err := f.source(u)
	if err != nil {
		return nil, err
	}
	info, err := f.stat(ctx, s, u)
	if err != nil {
		return nil, err
	}
	if info.Folder {
		return nil, ErrIsFolder
	}
	if s.root == nil {
		return &File{info: info, ctx: ctx, bucket: s.bucket, key: u.key()}, nil
	}
	osf, err := s.root.Open(u.key())
	if err != nil {
		return nil, rootErr(err, false)
	}
	st, err := osf.Stat()
	if err != nil {
		_ = osf.Close()
		return nil, err
	}
	if st.IsDir() {
		_ = osf.Close()
		return nil, ErrIsFolder
	}
	// The size and time of the file now open, should it have changed since
	// the metadata was read.
	info.Size, info.ModTime = st.Size(), st.ModTime()
	return &File{info: info, os: osf}, nil
}

// OpenRange opens length bytes of the file u from offset; a negative
// length reads to the end. An offset past the end reads nothing.
func (f *FS) OpenRange(ctx context.Context, u URN, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, pathErr("open", u, fmt.Errorf("%w: negative offset", ErrInvalidURN))
	}
	file, err := f.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	if file.os == nil {
		// One request for exactly the range.
		_ = file.Close()
		if offset >= file.info.Size {
			return io.NopCloser(eofReader{}), nil
		}
		r, err := file.bucket.NewRangeReader(ctx, file.key, offset, length, nil)
		if err != nil {
			return nil, pathErr("open", u, mapErr(err))
		}
		return r, nil
	}
	if _, err := file.Seek(offset, io.SeekStart); err != nil {
		_ = file.Close()
		return nil, pathErr("open", u, err)
	}
	if length < 0 {
		return file, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(file, length), file}, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// linkTarget checks a listed object on a disk source. It returns ok false
// for a symbolic link that leads outside the folder, to a folder, or
// nowhere; for a good link, the size of its target; for any other object,
// size -1.
func (s *Source) linkTarget(o *blob.ListObject) (size int64, ok bool) {
	var fi os.FileInfo
	if !o.As(&fi) || fi.Mode()&os.ModeSymlink == 0 {
		return -1, true
	}
	st, err := s.root.Stat(o.Key)
	if err != nil || st.IsDir() {
		return 0, false
	}
	return st.Size(), true
}
