package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/secret"
)

// Kind is the outbox kind of e-mail deliveries.
const Kind = "mail"

// sealAAD binds a sealed message to its use.
var sealAAD = []byte("lucid outbox mail v1")

// Enqueuer stores outbox messages: the server's outbox (which also wakes
// its worker), or outbox.Enqueue on a store for the CLI, whose messages
// the server then delivers.
type Enqueuer func(ctx context.Context, msgs ...outbox.Message) error

// Mailer renders messages and puts them in the outbox, sealed.
type Mailer struct {
	Templates *Templates
	Secrets   *secret.Keys
	Enqueue   Enqueuer
}

// Send renders template for to and enqueues it; the outbox's worker
// delivers it. The row holds only the sealed message: the link in it is
// as good as a password until it is used.
func (m *Mailer) Send(ctx context.Context, template, to string, d Data) error {
	if d.Lang == "" {
		d.Lang = m.Templates.LanguageFor(ctx)
	}
	msg, err := m.Templates.Render(template, to, d)
	if err != nil {
		return err
	}
	if err := CheckAddress(to); err != nil {
		return err
	}
	plain, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return m.Enqueue(ctx, outbox.Message{Kind: Kind, Target: to, Payload: m.Secrets.Seal(plain, sealAAD)})
}

// Deliverer is the outbox handler of mail items.
type Deliverer struct {
	Relay   *Relay
	Secrets *secret.Keys
	Now     func() time.Time
}

// Deliver opens the item's message and hands it to the relay. A 5xx
// answer is final (mail_rejected, the item dead at once); anything else
// is retried with the outbox's backoff (mail_delivery_failed).
func (d *Deliverer) Deliver(ctx context.Context, it outbox.Item) error {
	plain, err := d.Secrets.Open(it.Payload, sealAAD)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("the message cannot be opened (was it sealed under another master key?): %w", err))
	}
	var msg Message
	if err := json.Unmarshal(plain, &msg); err != nil {
		return outbox.Permanent(fmt.Errorf("the item's payload is not a message: %w", err))
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	raw, err := d.Relay.compose(msg, now())
	if err != nil {
		return outbox.Permanent(err)
	}
	err = d.Relay.Send(ctx, msg.To, raw)
	if err == nil {
		return nil
	}
	se, ok := err.(*SendError)
	if !ok {
		return err
	}
	if se.Permanent() {
		return outbox.Permanent(catalog.New(catalog.MailRejected, "server", d.Relay.Server(), "to", msg.To, "stage", se.Stage,
			"reply", fmt.Sprintf("%d %s", se.Reply.Code, se.Reply.Message)).Wrap(err))
	}
	return catalog.New(catalog.MailDeliveryFailed, "attempt", it.Attempt, "to", msg.To, "server", d.Relay.Server(), "stage", se.Stage,
		"reason", se.Err.Error()).Wrap(err)
}
