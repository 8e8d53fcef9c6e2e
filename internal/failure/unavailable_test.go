package failure

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

type storyStore struct{ names []string }

func (s *storyStore) RecordFailure(_ context.Context, f *store.Failure) error {
	s.names = append(s.names, f.Name)
	return nil
}

// TestUnavailableIsNotStored: the story of a database that did not answer
// is logged, not written to that database, where it would hold the answer
// up by another timeout.
func TestUnavailableIsNotStored(t *testing.T) {
	var logs bytes.Buffer
	st := &storyStore{}
	rec := &Recorder{Log: slog.New(slog.NewTextHandler(&logs, nil)), Store: st}
	r := httptest.NewRequest("POST", "/token", nil)
	r = r.WithContext(trace.With(r.Context(), "trace-1"))
	rec.Record(r, catalog.Token, "c", catalog.New(catalog.StorageUnavailable), time.Now())
	rec.Record(r, catalog.Token, "c", catalog.New(catalog.ServerError), time.Now())
	if len(st.names) != 1 || st.names[0] != string(catalog.ServerError) {
		t.Fatalf("stored %v; want only server_error", st.names)
	}
	if !strings.Contains(logs.String(), "storage_unavailable") {
		t.Fatalf("storage_unavailable not logged: %s", logs.String())
	}
}
