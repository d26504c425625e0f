package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Transport carries events between the instances of an application that
// share a broker, such as Redis (see package redisbus). A [Bus] always
// delivers its own events to its own subscribers; the transport only adds
// the other instances. So that each subscriber everywhere sees an event
// exactly once, a transport must not hand an instance back the events that
// instance published.
//
// Connecting, and anything else that can fail, belongs in the transport's
// constructor; the bus calls Listen once, from [New], and Close once, from
// [Bus.Close].
type Transport interface {
	// Publish sends e to the other instances. A payload that is not a
	// json.RawMessage is JSON-encoded; the other instances receive it as a
	// json.RawMessage.
	Publish(ctx context.Context, e Envelope) error
	// Listen starts passing every envelope that another instance publishes
	// to deliver, from a goroutine of the transport, one at a time. deliver
	// may block while the bus is busy.
	Listen(deliver func(Envelope))
	// Close stops listening and waits for the goroutine that calls deliver
	// to return. Publish fails afterwards.
	Close() error
}

// Hub links buses in one process as if each ran in its own instance and
// they shared a broker: an event emitted on one bus reaches the
// subscribers of every bus exactly once, and payloads reach the other buses
// JSON-encoded, as they would over the network. It lets tests exercise
// multi-instance behaviour without a server. The zero value is ready to
// use.
type Hub struct {
	mu      sync.Mutex
	members []*hubMember
}

// NewHub returns an empty hub.
func NewHub() *Hub { return new(Hub) }

// Transport returns a new member of the hub, to pass as the Transport of
// one bus.
func (h *Hub) Transport() Transport {
	m := &hubMember{hub: h, done: make(chan struct{})}
	m.wake.L = &m.mu
	h.mu.Lock()
	h.members = append(h.members, m)
	h.mu.Unlock()
	return m
}

// hubMember is one instance's end of a Hub: an inbox and the goroutine that
// empties it into the bus.
type hubMember struct {
	hub       *Hub
	mu        sync.Mutex
	wake      sync.Cond
	inbox     []Envelope
	closed    bool
	listening bool
	done      chan struct{} // closed when the listening goroutine returns
}

func (m *hubMember) Publish(ctx context.Context, e Envelope) error {
	if _, raw := e.Payload.(json.RawMessage); !raw {
		data, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("bus: encoding payload of %q: %w", e.Topic, err)
		}
		e.Payload = json.RawMessage(data)
	}
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return ErrClosed
	}
	m.hub.mu.Lock()
	others := slices.Clone(m.hub.members)
	m.hub.mu.Unlock()
	for _, o := range others {
		if o != m {
			o.put(e)
		}
	}
	return nil
}

func (m *hubMember) put(e Envelope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.inbox = append(m.inbox, e)
		m.wake.Signal()
	}
}

func (m *hubMember) Listen(deliver func(Envelope)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.listening || m.closed {
		return
	}
	m.listening = true
	go func() {
		defer close(m.done)
		m.mu.Lock()
		for {
			for len(m.inbox) == 0 && !m.closed {
				m.wake.Wait()
			}
			if len(m.inbox) == 0 {
				m.mu.Unlock()
				return
			}
			e := m.inbox[0]
			m.inbox[0] = Envelope{}
			m.inbox = m.inbox[1:]
			m.mu.Unlock()
			deliver(e)
			m.mu.Lock()
		}
	}()
}

// Close leaves the hub; envelopes already received are still delivered
// before Close returns.
func (m *hubMember) Close() error {
	m.hub.mu.Lock()
	m.hub.members = slices.DeleteFunc(m.hub.members, func(x *hubMember) bool { return x == m })
	m.hub.mu.Unlock()
	m.mu.Lock()
	m.closed = true
	listening := m.listening
	m.wake.Broadcast()
	m.mu.Unlock()
	if listening {
		<-m.done
	}
	return nil
}
