package server

import (
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

func TestCoalesce(t *testing.T) {
	flush, lost := store.Change{Kind: store.ChangeFlush}, store.Change{Kind: store.ChangeLost}
	fam := store.Change{Kind: store.ChangeFamily, ID: "f"}
	for _, c := range []struct {
		name   string
		first  store.Change
		queued []store.Change
		want   store.ChangeKind
	}{
		{"changes become one flush", fam, []store.Change{fam, fam, {Kind: store.ChangeClient, ID: "c"}}, store.ChangeFlush},
		{"lost last stays lost", fam, []store.Change{fam, lost}, store.ChangeLost},
		{"lost then reconnected is a flush", lost, []store.Change{flush, fam}, store.ChangeFlush},
		{"lost first, nothing after", lost, nil, store.ChangeLost},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := make(chan store.Change, len(c.queued))
			for _, q := range c.queued {
				ch <- q
			}
			if got := coalesce(c.first, ch); got.Kind != c.want {
				t.Errorf("coalesced to %v, want %v", got.Kind, c.want)
			}
			if len(ch) != 0 {
				t.Errorf("%d changes left queued", len(ch))
			}
		})
	}
}
