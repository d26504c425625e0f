// Package bus is the application's event bus: modules announce what
// happened ("settings.changed", "files.saved") and other modules react,
// without knowing each other.
//
// # Mental model
//
// An event is an [Envelope]: a unique id, a dot-separated topic, a payload,
// the time, and the emitter's trace id and acting user. [Bus.Emit] matches
// the topic against every subscription's pattern, queues one handler call
// per match and returns at once; a bounded pool of workers makes the calls.
// Handlers get a context that carries the emitter's trace id and user (so
// logs and owner-scoped queries work as in the request) but not its
// cancellation. A handler that fails or panics is logged with the event's
// topic, pattern and trace id; nothing else notices. [Bus.Close] refuses new
// events and waits until everything queued has been handled.
//
// Patterns are topics whose segments may be wildcards: "*" matches exactly
// one segment and "**", only as the last segment, matches one or more:
//
//	settings.changed   exactly that topic
//	settings.*         settings.changed, settings.reset; not settings.blog.changed
//	files.**           files.saved, files.saved.thumbnail; not files
//	**                 every topic
//
// Handlers run concurrently and in no particular order, even for two events
// of the same topic. Events are not stored: one emitted while nobody
// subscribes is gone, and so are queued events if the process dies.
//
// # Several instances
//
// Give the bus a [Transport] (package redisbus has one over Redis pub/sub)
// and events cross instances: the emitting bus delivers to its own
// subscribers and publishes to the others, and each transport skips what
// its own instance published, so every subscriber on every instance gets an
// event exactly once. Payloads travel as JSON and arrive on the other
// instances as json.RawMessage; [PayloadAs], [On] and [Typed] decode them,
// and type-assert local payloads, so handlers read both the same way. Give
// payloads JSON-friendly types with exported fields. [Hub] links buses in
// one process the same way, for tests.
//
// # Usage
//
//	b := bus.New(bus.Options{})
//	defer b.Close(ctx)
//
//	cancel := bus.On(b, "settings.*", func(ctx context.Context, e bus.Envelope, c SettingChange) error {
//		log.Printf("%s: user %s changed %s", e.Topic, identity.ID(ctx), c.Key)
//		return nil
//	})
//	defer cancel()
//
//	err := b.Emit(ctx, "settings.changed", SettingChange{Key: "theme"})
package bus
