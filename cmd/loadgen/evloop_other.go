//go:build !linux

package main

import (
	"context"
	"time"
)

// haveEventLoop says runLoop drives the load on this system: not here, so
// runPhase uses a goroutine per worker.
const haveEventLoop = false

func runLoop(context.Context, string, string, []step, time.Duration, int, time.Duration, time.Duration) phase {
	panic("loadgen: no event loop on this system")
}
