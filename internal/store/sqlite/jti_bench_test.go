package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkUseJTI is the single-use record of a DPoP proof or client
// assertion under concurrent requests, which the writer commits in
// groups: the process CPU each costs, the writer goroutine included.
func BenchmarkUseJTI(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "lucid.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			jti := "jti-" + strconv.FormatInt(next.Add(1), 10)
			if err := s.UseJTI(ctx, "dpop:thumbprint", jti, exp); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
