package webos

import "log"

// logPrintf writes through the standard library's log package, as legacy
// code and dependencies do.
func logPrintf(format string, args ...any) { log.Printf(format, args...) }
