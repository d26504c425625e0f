package bus

// jobQueue is a first-in first-out ring of handler calls that grows as
// needed and reuses its memory.
type jobQueue struct {
	buf  []job
	head int
	n    int
}

func (q *jobQueue) len() int { return q.n }

func (q *jobQueue) push(j job) {
	if q.n == len(q.buf) {
		buf := make([]job, max(16, 2*len(q.buf)))
		k := copy(buf, q.buf[q.head:])
		copy(buf[k:], q.buf[:q.head])
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = j
	q.n++
}

func (q *jobQueue) pop() job {
	j := q.buf[q.head]
	q.buf[q.head] = job{} // release the payload and context
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return j
}

// reset empties the queue and returns how many jobs it held.
func (q *jobQueue) reset() int {
	n := q.n
	*q = jobQueue{}
	return n
}
