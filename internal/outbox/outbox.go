// Package outbox delivers notifications to other servers durably: a
// back-channel logout token today, a CIBA ping, an e-mail or a webhook
// tomorrow. A delivery is a row in the database (store.OutboxItem) from
// the moment it is enqueued, so a replica that crashes before or during
// the delivery loses nothing: another claim takes the row over once its
// lease expires.
//
// A worker in every replica polls for due rows and claims a batch with a
// lease (one conditional write, so two replicas never hold the same row),
// hands each item to the handler registered for its kind, and records the
// outcome: delivered, or retried later with exponential backoff and the
// error, or, after the last attempt, dead (kept and listed for the
// operator). Delivery is at least once: a replica that delivered and died
// before recording it delivers again, so receivers dedupe (by the jti of a
// logout token, as OpenID Back-Channel Logout expects).
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Store is what the outbox needs of the database; store.Store is one.
type Store interface {
	EnqueueOutbox(ctx context.Context, items []*store.OutboxItem) error
	ClaimOutbox(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]*store.OutboxItem, error)
	DeliveredOutbox(ctx context.Context, id, lease string, now time.Time) error
	RetryOutbox(ctx context.Context, id, lease string, r store.OutboxRetry) error
	CountOutbox(ctx context.Context) (store.OutboxCounts, error)
}

// Message is a delivery to make.
type Message struct {
	// Kind picks the handler (Register); it is stored, so it is a stable
	// name such as "backchannel_logout".
	Kind string
	// Target is where it goes (a URL, an address), shown to the operator.
	Target string
	// ClientID is the client the delivery concerns, if any: failure
	// stories are attributed to it.
	ClientID string
	// Payload is the handler's own data. It may hold secrets; it is never
	// shown.
	Payload []byte
	// NotBefore delays the first attempt; zero is now.
	NotBefore time.Time
}

// Item is one attempt at a delivery, as a handler gets it.
type Item struct {
	ID        string
	Kind      string
	Target    string
	ClientID  string
	Payload   []byte
	CreatedAt time.Time
	// Attempt counts from 1.
	Attempt int
	// TraceID names this attempt: its log lines and, when it fails, its
	// story for `lucid explain` carry it.
	TraceID string
}

// Handler delivers one item. It returns nil once the receiver has it;
// any error is a failed attempt, retried later unless it is Permanent or
// the attempts are used up. ctx ends at the attempt's timeout.
type Handler func(ctx context.Context, it Item) error

// Enqueue stores msgs as pending deliveries in one transaction. Call it
// before whatever makes the deliveries necessary is final (a session
// deleted): a crash between the two then delivers a notification too
// many, never one too few. When the store can write the items with that
// change itself (a CIBA decision), build them with Items instead.
func Enqueue(ctx context.Context, st Store, now time.Time, msgs ...Message) error {
	items, err := Items(now, msgs...)
	if err != nil || len(items) == 0 {
		return err
	}
	if err := st.EnqueueOutbox(ctx, items); err != nil {
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	return nil
}

// Items turns msgs into pending items due at their NotBefore (now at the
// earliest), for a store write that stores them with the change that
// makes them necessary.
func Items(now time.Time, msgs ...Message) ([]*store.OutboxItem, error) {
	items := make([]*store.OutboxItem, len(msgs))
	for i, m := range msgs {
		if m.Kind == "" {
			return nil, errors.New("outbox: message without a kind")
		}
		due := m.NotBefore
		if due.IsZero() || due.Before(now) {
			due = now
		}
		items[i] = &store.OutboxItem{
			ID: newID(), Kind: m.Kind, Target: m.Target, ClientID: m.ClientID, Payload: m.Payload,
			CreatedAt: now, NextAttempt: due, State: store.OutboxPending,
		}
	}
	return items, nil
}

// permanent marks an error that no retry can cure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as one no retry can cure (the receiver is no longer
// registered, say): the item is dead at once instead of retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// newID is a random item id (128 bits, hex).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
