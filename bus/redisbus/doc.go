// Package redisbus carries bus events between the instances of an
// application over Redis pub/sub.
//
// Every instance's [Transport] subscribes to one Redis channel. When a bus
// emits an event, it delivers it to its own subscribers and the transport
// publishes it, JSON-encoded with its id, topic, time, trace id and user id,
// and tagged with the instance it came from. Every transport receives every
// message, skips the ones its own instance published and hands the others
// to its bus, whose handlers get the payload as a json.RawMessage (read it
// with bus.PayloadAs or bus.On). So each subscriber on each instance
// handles an event exactly once.
//
// Redis pub/sub stores nothing: an instance that is disconnected when an
// event is published misses it. go-redis reconnects and resubscribes after
// Redis restarts, and the transport replaces a connection that stops
// answering pings. While Redis is unreachable, Emit returns an error
// wrapping bus.ErrTransport, after delivering to the local subscribers.
//
//	client := redis.NewClient(opts) // from redis.ParseURL(cfg.RedisURL)
//	t, err := redisbus.New(ctx, client, redisbus.Options{})
//	if err != nil {
//		return err
//	}
//	b := bus.New(bus.Options{Transport: t}) // b.Close closes t
package redisbus
