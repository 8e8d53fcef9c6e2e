package provider

import (
	"context"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// How a person's decision on a backchannel request reaches Lucid: the
// approval page (approvals.go) or an external notifier through the admin
// API (internal/admin calls PendingBackchannel and DecideBackchannel).
// Both end in decideBackchannel: one conditional write that also stores,
// for a ping client, the notification.

// maxPending bounds a list of pending requests.
const maxPending = 100

// BackchannelView is a pending or decided backchannel request as the
// admin API shows it: never its auth_req_id or notification token.
type BackchannelView struct {
	ID             string    `json:"id"`
	ClientID       string    `json:"client_id"`
	ClientName     string    `json:"client_name"`
	UserID         string    `json:"user_id"`
	Scopes         []string  `json:"scopes"`
	BindingMessage string    `json:"binding_message,omitempty"`
	ACRValues      string    `json:"acr_values,omitempty"`
	Mode           string    `json:"backchannel_token_delivery_mode"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
}

func (p *Provider) viewBackchannel(ctx context.Context, br *store.BackchannelRequest) BackchannelView {
	name := br.ClientID
	if c, err := p.store.GetClient(ctx, br.ClientID); err == nil {
		name = clientName(c)
	}
	return BackchannelView{
		ID: br.ID, ClientID: br.ClientID, ClientName: name, UserID: br.UserID, Scopes: br.Scopes,
		BindingMessage: br.BindingMessage, ACRValues: br.ACRValues, Mode: br.Mode, Status: br.Status,
		CreatedAt: br.CreatedAt.UTC(), ExpiresAt: br.ExpiresAt.UTC(),
	}
}

// PendingBackchannel lists the requests waiting for a decision, of one
// user or ("" ) of everyone, oldest expiry first.
func (p *Provider) PendingBackchannel(ctx context.Context, userID string) ([]BackchannelView, error) {
	list, err := p.store.ListBackchannelRequests(ctx, userID, p.now(), maxPending)
	if err != nil {
		return nil, failure.FromStore(err)
	}
	out := make([]BackchannelView, 0, len(list))
	for _, br := range list {
		out = append(out, p.viewBackchannel(ctx, br))
	}
	return out, nil
}

// Decisions a notifier may report.
const (
	DecisionApprove = "approve"
	DecisionDeny    = "deny"
	DecisionFail    = "fail"
)

// DecideBackchannel records a notifier's report of the person's decision
// (approve, deny) or of its failure to reach them (fail), with how the
// person authenticated (amr) and, for a failure, why.
func (p *Provider) DecideBackchannel(ctx context.Context, id, decision string, amr []string, reason string) (*BackchannelView, error) {
	status := map[string]string{DecisionApprove: store.BackchannelApproved, DecisionDeny: store.BackchannelDenied, DecisionFail: store.BackchannelFailed}[decision]
	if status == "" {
		return nil, catalog.New(catalog.AdminInvalid, "field", "decision", "reason", "use approve, deny or fail")
	}
	now := p.now()
	d := store.BackchannelDecision{Status: status, At: now, By: "admin", AMR: amr, Reason: catalog.Clip(reason, 500)}
	if status == store.BackchannelApproved {
		d.AuthTime = now.Truncate(time.Second)
	}
	br, err := p.decideBackchannel(ctx, id, "", d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, catalog.New(catalog.AdminNotFound, "kind", "backchannel request", "id", id)
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, notPending(br, now)
	case err != nil:
		return nil, decisionFailure(err)
	}
	v := p.viewBackchannel(ctx, br)
	return &v, nil
}

// decisionFailure is the answer to a decision that failed otherwise: a
// push client's tokens that could not be minted keep their own entry
// (the person disabled meanwhile, a key missing), the rest is the store's.
func decisionFailure(err error) *catalog.Error {
	var e *catalog.Error
	if errors.As(err, &e) {
		return e
	}
	return failure.FromStore(err)
}

// notPending is the refusal of a decision on a request already decided
// or expired.
func notPending(br *store.BackchannelRequest, now time.Time) *catalog.Error {
	state := br.Status
	switch {
	case br.Status == store.BackchannelPending && !now.Before(br.ExpiresAt):
		state = "expired since " + br.ExpiresAt.UTC().Format(time.RFC3339)
	case br.Decision != nil:
		state = br.Status + " since " + br.Decision.At.UTC().Format(time.RFC3339)
	}
	return catalog.New(catalog.CIBARequestNotPending, "state", state).Internal("request_id", br.ID)
}

// decideBackchannel stores a decision (userID "" for an operator's) and,
// for a ping client, its ping (for a push client, its sealed tokens or
// refusal, ciba_push.go) in the same write (DecideBackchannelRequest with
// the outbox item): a crash can lose neither one without the other, and
// the notification never announces a decision not yet visible.
func (p *Provider) decideBackchannel(ctx context.Context, id, userID string, d store.BackchannelDecision) (*store.BackchannelRequest, error) {
	var notify []*store.OutboxItem
	var pushed *pushPackage
	if p.outbox != nil {
		cur, err := p.store.GetBackchannelRequestByID(ctx, id)
		if err != nil {
			return nil, err
		}
		var msg *outbox.Message
		switch cur.Mode {
		case store.DeliveryPing:
			msg, err = p.pingMessage(ctx, cur)
		case store.DeliveryPush:
			// Only a decision that will be stored mints: a request
			// decided already keeps its first decision's delivery.
			if cur.Status == store.BackchannelPending && (userID == "" || cur.UserID == userID) && p.now().Before(cur.ExpiresAt) {
				msg, pushed, err = p.pushMessage(ctx, cur, d)
			}
		}
		if err != nil {
			return nil, err
		}
		if msg != nil {
			if notify, err = p.outbox.Items(*msg); err != nil {
				return nil, err
			}
		}
	}
	br, err := p.store.DecideBackchannelRequest(ctx, id, userID, d, p.now(), notify...)
	if err != nil {
		return br, err
	}
	if br.Status != store.BackchannelApproved {
		p.polls.forget(br.Hash)
	}
	if pushed != nil && pushed.Family != nil {
		// Spent now, while it is unexpired, so a delivery delayed past
		// the expiry still finds its tokens stored; if this fails the
		// delivery spends it (redeemPushed).
		if _, err := p.store.RedeemBackchannelRequest(ctx, br.Hash, pushed.Family, pushed.Issued, p.now()); err != nil {
			p.log.WarnContext(ctx, "ciba: a push request was not spent at its decision; its delivery will", "trace_id", trace.ID(ctx), "err", err)
		}
	}
	if len(notify) > 0 {
		p.outbox.Wake()
	}
	return br, nil
}
