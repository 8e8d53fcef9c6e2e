package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"unavailable", fmt.Errorf("postgres: get: %w", store.ErrUnavailable), true},
		{"query or request deadline", fmt.Errorf("sqlite: write: %w", context.DeadlineExceeded), true},
		{"caller gone", context.Canceled, true},
		// pgx drops a connection whose cancel request went unanswered by
		// setting an I/O deadline; that is a frozen server too.
		{"connection I/O deadline", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), true},
		{"not found", store.ErrNotFound, false},
		{"conflict", store.ErrConflict, false},
		{"a bug", errors.New("syntax error"), false},
		{"nil", nil, false},
	} {
		if got := store.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
