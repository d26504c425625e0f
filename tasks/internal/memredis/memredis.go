package memredis

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// tick is how often key lifetimes are advanced: miniredis does not expire
// keys by the wall clock on its own.
var tick = time.Second

// saveInterval is how often a server with a file saves its data while it
// runs; Close saves it once more.
var saveInterval = 5 * time.Second

// Server is a running in-process Redis.
type Server struct {
	mr   *miniredis.Miniredis
	file string
	// password is the random password every connection must give; it is
	// never printed (see ClientOptions).
	password string
	rdb      *redis.Client // for saving, which reads all data in one script
	stop     chan struct{}
	wg       sync.WaitGroup
	// report gets the errors of the saves made while the server runs.
	report func(error)

	saveMu sync.Mutex // one save at a time
}

// Start starts a server on a free port of 127.0.0.1 whose data lives in
// memory only. Like every server of the package it requires a random
// password (see [Server.ClientOptions]).
func Start() (*Server, error) { return Open("", nil) }

// Open starts a server on a free port of 127.0.0.1 that keeps its data in
// file: it loads what the file holds, if it exists, saves every five
// seconds and when it closes. Keys whose lifetime ended meanwhile
// are not loaded. A file that cannot be read is an error: the server does
// not start rather than start empty and later overwrite it. An empty file
// name keeps the data in memory only. report, if not nil, gets the error of
// each save that fails while the server runs.
func Open(file string, report func(error)) (*Server, error) {
	mr := miniredis.NewMiniRedis()
	if file != "" {
		if err := load(mr, file); err != nil {
			return nil, err
		}
	}
	// The password is set before the server listens: no connection is
	// ever served without it.
	password := rand.Text()
	mr.RequireAuth(password)
	if err := mr.Start(); err != nil {
		return nil, err
	}
	s := &Server{mr: mr, file: file, password: password, stop: make(chan struct{}), report: report}
	if file != "" {
		opts := s.ClientOptions()
		opts.PoolSize, opts.MaxRetries = 1, -1
		s.rdb = redis.NewClient(opts)
	}
	s.wg.Go(s.clock)
	return s, nil
}

// clock makes key lifetimes (EXPIRE) follow the wall clock, and saves the
// data every saveInterval when the server has a file.
func (s *Server) clock() {
	t := time.NewTicker(tick)
	defer t.Stop()
	var saves <-chan time.Time
	if s.file != "" {
		st := time.NewTicker(saveInterval)
		defer st.Stop()
		saves = st.C
	}
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.mr.FastForward(now.Sub(last))
			last = now
		case <-saves:
			if err := s.Save(); err != nil && s.report != nil {
				s.report(err)
			}
		}
	}
}

// ClientOptions returns new go-redis options that connect to the server,
// its password included. The password is random, made when the server
// starts, and lives only in this process: other processes on the machine
// that find the port are refused. It is not part of any text the package
// makes (addresses, errors): keep it that way, and do not log these
// options.
func (s *Server) ClientOptions() *redis.Options {
	return &redis.Options{Addr: s.mr.Addr(), Password: s.password}
}

// Addr returns the host:port the server listens on; it carries no
// credentials and may be logged.
func (s *Server) Addr() string { return s.mr.Addr() }

// File returns the file the server keeps its data in, or "".
func (s *Server) File() string { return s.file }

// Save writes the data to the server's file now (nothing without one). The
// data is read in one script, so the file holds one moment's state; it is
// written to a temporary file first and renamed over the old one, so a
// crash leaves the previous save whole.
func (s *Server) Save() error {
	if s.file == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return save(ctx, s.rdb, s.file)
}

// Close saves the data to the server's file (see [Server.Save]), stops the
// server and drops the data in memory. The error is that of the save.
func (s *Server) Close() error {
	close(s.stop)
	s.wg.Wait()
	err := s.Save()
	if s.rdb != nil {
		_ = s.rdb.Close()
	}
	s.mr.Close()
	return err
}
