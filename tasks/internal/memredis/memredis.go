package memredis

import (
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// tick is how often key lifetimes are advanced: miniredis does not expire
// keys by the wall clock on its own.
const tick = time.Second

// Server is a running in-process Redis.
type Server struct {
	mr   *miniredis.Miniredis
	stop chan struct{}
	wg   sync.WaitGroup
}

// Start starts a server on a free port of 127.0.0.1.
func Start() (*Server, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		return nil, err
	}
	s := &Server{mr: mr, stop: make(chan struct{})}
	s.wg.Go(s.clock)
	return s, nil
}

// clock makes key lifetimes (EXPIRE) follow the wall clock.
func (s *Server) clock() {
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.mr.FastForward(now.Sub(last))
			last = now
		}
	}
}

// URL returns the redis:// URL clients connect to.
func (s *Server) URL() string { return "redis://" + s.mr.Addr() + "/0" }

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.mr.Addr() }

// Close stops the server and drops its data.
func (s *Server) Close() {
	close(s.stop)
	s.wg.Wait()
	s.mr.Close()
}
