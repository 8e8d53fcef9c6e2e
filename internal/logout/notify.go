// Package logout tells the clients of a session that it ended: OpenID
// Back-Channel Logout 1.0 (a signed logout token POSTed to each client's
// backchannel_logout_uri, through the outbox, so that a crash or a client
// that is down loses nothing) and Front-Channel Logout 1.0 (an iframe per
// client on the logged-out page).
//
// The clients of a session are those holding a token family issued in it
// (TokenFamily.SessionID). The logout token is signed at each attempt, not
// at enqueue, so that a delivery retried an hour later is not refused as
// expired; its jti stays the same, so that a receiver dedupes retries.
package logout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Kind is the outbox kind of back-channel logout deliveries.
const Kind = "backchannel_logout"

// Store is what finding a session's clients needs; store.Store is one.
type Store interface {
	outbox.Store
	GetClient(ctx context.Context, id string) (*store.Client, error)
	ListFamiliesFor(ctx context.Context, userID string) ([]*store.TokenFamily, error)
	ListSessionsFor(ctx context.Context, userID string) ([]*store.Session, error)
}

// Participant is a client that took part in one session of a user.
type Participant struct {
	Client    *store.Client
	UserID    string
	SessionID string
}

// Participants finds the clients holding tokens issued in the user's
// sessions sessionIDs, one entry per client and session, in the order the
// clients first appear. A client deleted since is left out.
func Participants(ctx context.Context, st Store, userID string, sessionIDs []string) ([]Participant, error) {
	if len(sessionIDs) == 0 {
		return nil, nil
	}
	fams, err := st.ListFamiliesFor(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("clients of the session: %w", err)
	}
	type key struct{ client, sid string }
	seen := map[key]bool{}
	clients := map[string]*store.Client{}
	var out []Participant
	for _, f := range fams {
		k := key{f.ClientID, f.SessionID}
		if f.SessionID == "" || seen[k] || !slices.Contains(sessionIDs, f.SessionID) {
			continue
		}
		seen[k] = true
		c, ok := clients[f.ClientID]
		if !ok {
			c, err = st.GetClient(ctx, f.ClientID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				c = nil
			case err != nil:
				return nil, fmt.Errorf("clients of the session: %w", err)
			}
			clients[f.ClientID] = c
		}
		if c != nil {
			out = append(out, Participant{Client: c, UserID: userID, SessionID: f.SessionID})
		}
	}
	return out, nil
}

// SessionsOf is Participants for every session the user has.
func SessionsOf(ctx context.Context, st Store, userID string) ([]Participant, error) {
	sessions, err := st.ListSessionsFor(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("sessions of the user: %w", err)
	}
	ids := make([]string, 0, len(sessions))
	for _, s := range sessions {
		ids = append(ids, s.ID)
	}
	return Participants(ctx, st, userID, ids)
}

// payload is what an outbox item keeps to sign its logout token.
type payload struct {
	ClientID  string `json:"client_id"`
	Subject   string `json:"sub"`
	SessionID string `json:"sid,omitempty"`
	JTI       string `json:"jti"`
	// Event is when the session ended.
	Event time.Time `json:"event"`
}

// Notify enqueues a back-channel logout for every participant with a
// backchannel_logout_uri, in one transaction. Call it before the session
// is deleted: a crash in between then costs one notification too many,
// never one too few.
func Notify(ctx context.Context, st outbox.Store, now time.Time, parts []Participant) error {
	var msgs []outbox.Message
	for _, p := range parts {
		c := p.Client
		if c.BackchannelURI == "" || c.BackchannelSessionRequired && p.SessionID == "" {
			continue
		}
		raw, err := json.Marshal(payload{ClientID: c.ID, Subject: p.UserID, SessionID: p.SessionID, JTI: secret.ID(16), Event: now})
		if err != nil {
			return err
		}
		msgs = append(msgs, outbox.Message{Kind: Kind, Target: c.BackchannelURI, ClientID: c.ID, Payload: raw})
	}
	return outbox.Enqueue(ctx, st, now, msgs...)
}
