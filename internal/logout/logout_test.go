package logout

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func TestFrames(t *testing.T) {
	parts := []Participant{
		{Client: &store.Client{ID: "a", LogoutChannels: store.LogoutChannels{FrontchannelURI: "https://a.example/fcl?x=1", FrontchannelSessionRequired: true}}, SessionID: "s1"},
		{Client: &store.Client{ID: "b", LogoutChannels: store.LogoutChannels{FrontchannelURI: "https://b.example/fcl"}}, SessionID: "s1"},
		{Client: &store.Client{ID: "b2", LogoutChannels: store.LogoutChannels{FrontchannelURI: "https://b.example/fcl"}}, SessionID: "s1"},
		{Client: &store.Client{ID: "c", LogoutChannels: store.LogoutChannels{BackchannelURI: "https://c.example/bcl"}}, SessionID: "s1"},
	}
	got := Frames("https://id.example", parts)
	want := []string{"https://a.example/fcl?iss=https%3A%2F%2Fid.example&sid=s1&x=1", "https://b.example/fcl"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("frames %q, want %q", got, want)
	}
}

// Notify enqueues one item per client with a back channel, none for a
// client that needs a sid when there is none, and a payload that signs
// the same jti at every attempt.
func TestNotifyAndParticipants(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for _, c := range []*store.Client{
		{ID: "mail", LogoutChannels: store.LogoutChannels{BackchannelURI: "https://mail.example/bcl", BackchannelSessionRequired: true}},
		{ID: "notes", LogoutChannels: store.LogoutChannels{BackchannelURI: "https://notes.example/bcl"}},
		{ID: "plain"},
	} {
		if err := st.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []*store.TokenFamily{
		{ID: "f1", ClientID: "mail", UserID: "u", SessionID: "s1", CreatedAt: now},
		{ID: "f2", ClientID: "mail", UserID: "u", SessionID: "s1", CreatedAt: now}, // a second sign-in of the same client
		{ID: "f3", ClientID: "notes", UserID: "u", SessionID: "s1", CreatedAt: now},
		{ID: "f4", ClientID: "plain", UserID: "u", SessionID: "s1", CreatedAt: now},
		{ID: "f5", ClientID: "notes", UserID: "u", SessionID: "s2", CreatedAt: now},
		{ID: "f6", ClientID: "gone", UserID: "u", SessionID: "s1", CreatedAt: now},
	} {
		if err := st.CreateTokenFamily(ctx, f, store.Issued{}); err != nil {
			t.Fatal(err)
		}
	}
	parts, err := Participants(ctx, st, "u", []string{"s1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("participants %+v, want mail, notes and plain once each (gone is deleted, s2 is another session)", parts)
	}
	// A participant without a sid, for a client that needs one, is skipped.
	parts = append(parts, Participant{Client: parts[0].Client, UserID: "u"})
	if err := Notify(ctx, st, now, parts); err != nil {
		t.Fatal(err)
	}
	items, _ := st.ListOutbox(ctx, store.OutboxPending, 10)
	if len(items) != 2 {
		t.Fatalf("%d items, want mail and notes", len(items))
	}
	for _, it := range items {
		var p payload
		if err := json.Unmarshal(it.Payload, &p); err != nil || p.SessionID != "s1" || p.Subject != "u" || p.JTI == "" || p.ClientID != it.ClientID || it.Kind != Kind {
			t.Errorf("item %+v payload %+v", it, p)
		}
	}
}
