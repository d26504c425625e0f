package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/cache"
)

// config is what the demo reads from the environment.
type config struct {
	AFS   afs.Config
	Cache cache.Config
}

func main() {
	file := flag.String("file", "", "file to upload (default: 4 MiB of random bytes)")
	to := flag.String("to", "", "destination URN (default: fs://s3/demo/<name>)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *file, *to); err != nil {
		fmt.Fprintln(os.Stderr, "storage demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, file, to string) error {
	var cfg config
	if err := webos.Load(&cfg); err != nil {
		return err
	}
	fsys, err := afs.Open(ctx, cfg.AFS.Sources.Reveal(), afs.Options{})
	if err != nil {
		return err
	}
	defer fsys.Close()
	c, err := cache.Open(ctx, cfg.Cache, cache.Options{})
	if err != nil {
		return err
	}
	defer c.Close()

	var content io.Reader = io.LimitReader(rand.Reader, 4<<20)
	name := fmt.Sprintf("random-%d.bin", time.Now().Unix())
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		content, name = f, filepath.Base(file)
	}
	if to == "" {
		to = "fs://s3/demo/" + name
	}
	dst, err := afs.Parse(to)
	if err != nil {
		return err
	}
	res, err := Demo(ctx, fsys, c, dst, content, os.Stdout)
	if err != nil {
		return err
	}
	if !res.Match {
		return errors.New("checksums differ")
	}
	return nil
}

// Result is what [Demo] found.
type Result struct {
	URN      afs.URN
	Size     int64
	Uploaded string // SHA-256 of the bytes sent
	Cached   string // SHA-256 computed from the first download, then served from the cache
	Fresh    string // SHA-256 of the download after the cache was cleared
	// Downloads counts the times the file was fetched from the store: 2
	// (one to fill the cache, one after clearing it).
	Downloads int64
	Match     bool
}

// Demo uploads content to dst, computes its checksum by downloading it
// (memoized in c, the local cache), asks again (served by the cache),
// clears the cache, asks once more (downloaded again) and compares all
// checksums with the one of the bytes uploaded. It reports each step to
// out.
func Demo(ctx context.Context, fsys *afs.FS, c *cache.Cache, dst afs.URN, content io.Reader, out io.Writer) (Result, error) {
	res := Result{URN: dst}
	sent := sha256.New()
	info, err := fsys.Save(ctx, dst, io.TeeReader(content, sent), nil)
	if err != nil {
		return res, fmt.Errorf("upload: %w", err)
	}
	res.Size, res.Uploaded = info.Size, hex.EncodeToString(sent.Sum(nil))
	fmt.Fprintf(out, "uploaded   %s (%d bytes) sha256 %s\n", dst, info.Size, res.Uploaded)

	var downloads atomic.Int64
	checksum := cache.Memoize(c, "demo.sha256", time.Hour, func(ctx context.Context, u afs.URN) (string, error) {
		downloads.Add(1)
		f, err := fsys.Open(ctx, u)
		if err != nil {
			return "", err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	})
	// A previous run may have left this URN's checksum in the cache.
	if err := checksum.Invalidate(ctx, dst); err != nil {
		return res, err
	}
	first, err := checksum.Get(ctx, dst)
	if err != nil {
		return res, fmt.Errorf("download: %w", err)
	}
	fmt.Fprintf(out, "downloaded %s sha256 %s (now cached)\n", dst, first)
	if res.Cached, err = checksum.Get(ctx, dst); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "cached     %s sha256 %s (%d download so far)\n", dst, res.Cached, downloads.Load())

	if err := c.Clear(ctx); err != nil {
		return res, fmt.Errorf("clear cache: %w", err)
	}
	fmt.Fprintln(out, "cleared    the local cache")
	if res.Fresh, err = checksum.Get(ctx, dst); err != nil {
		return res, fmt.Errorf("download again: %w", err)
	}
	res.Downloads = downloads.Load()
	fmt.Fprintf(out, "downloaded %s sha256 %s (%d downloads)\n", dst, res.Fresh, res.Downloads)

	res.Match = first == res.Uploaded && res.Cached == res.Uploaded && res.Fresh == res.Uploaded
	if res.Match {
		fmt.Fprintln(out, "checksums match")
	} else {
		fmt.Fprintln(out, "checksums DIFFER")
	}
	return res, nil
}
