package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkDataVersion is the cost of one poll of the change feed
// (DataVersionPoll apart): the PRAGMA on the writer connection.
func BenchmarkDataVersion(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "lucid.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.dataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
