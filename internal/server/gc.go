package server

import "runtime/debug"

// The server's live heap is a few megabytes, so with the default GOGC=100
// the collector runs every few milliseconds under load and takes a third
// of the CPU. A higher GOGC spends memory Lucid has (its RSS stays far
// under its budget) for throughput; the soft memory limit makes the
// collector work harder again before memory grows past it. GOGC and
// GOMEMLIMIT in the environment win.
const (
	GCPercent   = 400
	MemoryLimit = 120 << 20
)

// TuneGC applies GCPercent and MemoryLimit unless the environment sets them.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
