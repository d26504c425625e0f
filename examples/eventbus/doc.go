// Command eventbus is the event-bus demonstration: one service emits, others
// react, without knowing each other — in the same instance and in another.
//
// It starts two application instances in one process, linked the way
// redisbus links real instances over Redis (here by a [bus.Hub], so that
// nothing needs to be installed). On instance A the orders module places an
// order for a signed-in user and emits "orders.placed" with a typed
// payload; on instance A a receipts module and on instance B a shipping
// module react to it. Shipping answers with "shipping.scheduled", which
// orders hears back on A. A handler that fails does not stop the others,
// and each handler sees the emitter's user and trace id.
//
//	go run ./examples/eventbus
//
// prints what every service saw, in order. Its test runs it and checks the
// output.
package main
