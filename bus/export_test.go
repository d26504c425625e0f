package bus

// Pending reports how many handler calls wait in b's queue and how many
// emitters wait for room in it, so that tests can wait for a state instead
// of sleeping.
func Pending(b *Bus) (queued, waiting int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.queue.len(), len(b.waiters)
}
