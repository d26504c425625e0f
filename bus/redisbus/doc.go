// Package redisbus carries bus events between the instances of an
// application over Redis pub/sub.
//
// Every instance's [Transport] subscribes to one Redis channel. When a bus
// emits an event, it delivers it to its own subscribers and the transport
// publishes it, JSON-encoded with its id, topic, time, trace id and user id,
// tagged with the instance it came from and signed. Every transport
// receives every message, skips the ones its own instance published and
// hands the others to its bus, whose handlers get the payload as a
// json.RawMessage (read it with bus.PayloadAs or bus.On). So each
// subscriber on each instance handles an event exactly once.
//
// # Signed envelopes
//
// A handler trusts an event's user id as the acting user, so a message on
// the channel must prove it comes from an instance of the application: each
// carries an HMAC-SHA256 over a canonical encoding of the envelope and the
// channel name, made with a key every instance shares ([Options].Keys,
// newest first, for rotation). A message that is unsigned, signed with
// another key or altered is dropped, counted ([Transport.Rejected]) and
// logged at WARN without its payload. There is no unsigned mode: [New]
// without a key fails with [ErrNoKey], and so does the [Module]'s
// Provision. An application passes its configured secret keys:
//
//	&redisbus.Module{URL: cfg.RedisURL.Reveal(), Options: redisbus.Options{Keys: redisbus.KeysFrom(cfg.SecretKeys)}}
//
// Signatures do not make events secret (Redis sees them) nor unique: a
// party that can publish on the channel can replay a signed message as it
// is.
//
// # Connections
//
// Redis pub/sub stores nothing: an instance that is disconnected when an
// event is published misses it. go-redis reconnects and resubscribes after
// Redis restarts, and the transport replaces a connection that stops
// answering pings. While Redis is unreachable, Emit returns an error
// wrapping bus.ErrTransport, after delivering to the local subscribers.
//
//	client := redis.NewClient(opts) // from redis.ParseURL(cfg.RedisURL)
//	t, err := redisbus.New(ctx, client, redisbus.Options{Keys: keys})
//	if err != nil {
//		return err
//	}
//	b := bus.New(bus.Options{Transport: t}) // b.Close closes t
package redisbus
