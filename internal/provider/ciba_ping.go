package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// PingKind is the outbox kind of CIBA ping notifications.
const PingKind = "ciba-ping"

// pingPayload is what the outbox keeps of a ping: only the request's
// hash; the auth_req_id and the client's token stay sealed in the request.
type pingPayload struct {
	Hash string `json:"hash"`
}

// errNotDecided makes the outbox try a ping again later. A ping is stored
// with its decision, so a request still pending means a database whose
// reads lag its writes (a replica of it).
var errNotDecided = errors.New("the request is not decided yet")

// pingMessage is the outbox message of br's ping, nil when its client no
// longer has a notification endpoint.
func (p *Provider) pingMessage(ctx context.Context, br *store.BackchannelRequest) (*outbox.Message, error) {
	target := ""
	c, err := p.store.GetClient(ctx, br.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Backchannel != nil {
		target = c.Backchannel.NotificationEndpoint
	}
	if target == "" {
		p.log.WarnContext(ctx, "ciba: the client has no notification endpoint any more; no ping", "trace_id", trace.ID(ctx), "client_id", br.ClientID)
		return nil, nil
	}
	payload, err := json.Marshal(pingPayload{Hash: br.Hash})
	if err != nil {
		return nil, err
	}
	return &outbox.Message{Kind: PingKind, Target: target, ClientID: br.ClientID, Payload: payload}, nil
}

// DeliverPing is the outbox handler of PingKind (OpenID CIBA Core §10.2):
// POST {"auth_req_id": …} to the client's notification endpoint with its
// client_notification_token as bearer token. A request still pending is
// tried again later; one forgotten, redeemed or expired needs no ping.
func (p *Provider) DeliverPing(ctx context.Context, it outbox.Item) error {
	var pl pingPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return outbox.Permanent(fmt.Errorf("unreadable ping payload: %w", err))
	}
	br, err := p.store.GetBackchannelRequest(ctx, pl.Hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case br.Status == store.BackchannelPending && p.now().Before(br.ExpiresAt):
		return errNotDecided
	case br.RedeemedAt != nil || !p.now().Before(br.ExpiresAt):
		return nil
	}
	sec, err := p.openPing(br)
	if err != nil {
		return err
	}
	return p.postNotification(ctx, it.Target, sec.Token, map[string]string{"auth_req_id": sec.AuthReqID})
}
