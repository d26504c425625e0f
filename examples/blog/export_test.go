package blog

import "time"

// SetClock makes m read the time from now, for tests of expiry.
func SetClock(m *Module, now func() time.Time) { m.now = now }
