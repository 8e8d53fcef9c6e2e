package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// maxAuthReqID bounds the auth_req_id looked up: a longer one was never issued.
const maxAuthReqID = 64

// grantCIBA is the token request of OpenID CIBA Core §10.1. A pending
// poll reads the request once and writes nothing: its pace is kept in
// memory (pollPacer). An approved request is minted first and spent last,
// in the one conditional write that stores its tokens.
func (p *Provider) grantCIBA(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	raw := req.params["auth_req_id"]
	if raw == "" {
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "auth_req_id")
	}
	if len(raw) > maxAuthReqID {
		return nil, catalog.New(catalog.CIBAAuthReqIDUnknown).Internal("length", len(raw))
	}
	hash := secret.Hash(raw)
	br, err := p.store.GetBackchannelRequest(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.CIBAAuthReqIDUnknown)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	if br.ClientID != req.client.ID {
		return nil, catalog.New(catalog.CIBAAuthReqIDOtherClient, "client_id", req.client.ID).Internal("request_client_id", br.ClientID)
	}
	if br.Mode == store.DeliveryPush {
		// §10.3.1: a push client's tokens come to its notification
		// endpoint; it does not poll.
		return nil, catalog.New(catalog.CIBAPushPolled, "client_id", req.client.ID)
	}
	now := p.now()
	if e := p.cibaRefusal(ctx, br, hash, now); e != nil {
		return nil, e
	}
	if br.Status == store.BackchannelPending {
		base := time.Duration(br.Interval) * time.Second
		interval, waited, tooSoon := p.polls.poll(hash, now, base, br.ExpiresAt)
		if tooSoon {
			return nil, catalog.New(catalog.CIBASlowDown, "waited", waited.Round(time.Millisecond), "interval", int(interval/time.Second))
		}
		return nil, catalog.New(catalog.CIBAAuthorizationPending, "expires_in", br.ExpiresAt.Sub(now), "interval", int(interval/time.Second))
	}

	// Approved.
	user, _, aud, e := p.userBound(ctx, req, userGrant{userID: br.UserID, scopes: br.Scopes})
	if e != nil {
		return nil, e
	}
	d := br.Decision
	if d == nil {
		d = &store.BackchannelDecision{At: now, AuthTime: now}
	}
	family := &store.TokenFamily{
		ID:        secret.Token(16),
		ClientID:  req.client.ID,
		UserID:    user.ID,
		Scopes:    br.Scopes,
		AuthTime:  d.AuthTime,
		AMR:       d.AMR,
		ACR:       d.ACR,
		CreatedAt: now,
		DPoPJKT:   familyKey(ctx, req.client),
	}
	resp, issued, e := p.issueTokens(ctx, grant{
		client: req.client, user: user, scopes: br.Scopes, family: family.ID,
		authTime: d.AuthTime, amr: d.AMR, acr: d.ACR, aud: aud,
	}, now)
	if e != nil {
		return nil, e
	}
	if resp.RefreshToken == "" {
		resp.RefreshTokenWithheld = withheldReason(req.client, br.Scopes)
	}
	stored, err := p.store.RedeemBackchannelRequest(ctx, hash, family, issued, now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// Lost a race with another redemption, or expired meanwhile.
		if e := p.cibaRefusal(ctx, stored, hash, now); e != nil {
			return nil, e
		}
		return nil, catalog.New(catalog.CIBAAuthReqIDUsed, "redeemed_at", now)
	case err != nil:
		return nil, failure.FromStore(err)
	}
	p.polls.forget(hash)
	return resp, nil
}

// cibaRefusal is the answer to a request that will never yield tokens:
// redeemed (which revokes the tokens of the first redemption, as for a
// device code), expired, denied or failed; nil while it may.
func (p *Provider) cibaRefusal(ctx context.Context, br *store.BackchannelRequest, hash string, now time.Time) *catalog.Error {
	var decided time.Time
	var by, reason string
	if d := br.Decision; d != nil {
		decided, by, reason = d.At, d.By, d.Reason
	}
	switch {
	case br.RedeemedAt != nil:
		e := catalog.New(catalog.CIBAAuthReqIDUsed, "redeemed_at", *br.RedeemedAt).Internal("family_id", br.FamilyID)
		return p.revokeRedeemed(ctx, e, br.FamilyID, reasonAuthReqIDReused, now)
	case !now.Before(br.ExpiresAt):
		p.polls.forget(hash)
		return catalog.New(catalog.CIBAExpired, "ago", now.Sub(br.ExpiresAt), "lifetime", br.ExpiresAt.Sub(br.CreatedAt)).Internal("status", br.Status)
	case br.Status == store.BackchannelDenied:
		p.polls.forget(hash)
		return catalog.New(catalog.CIBAAccessDenied, "at", decided).Internal("decided_by", by)
	case br.Status == store.BackchannelFailed:
		p.polls.forget(hash)
		return catalog.New(catalog.CIBATransactionFailed, "at", decided).Internal("decided_by", by, "reason", reason)
	}
	return nil
}

// quietAnswers are the answers a polling client gets while the person
// decides: the protocol's normal course, not failures anyone investigates.
var quietAnswers = map[catalog.Name]bool{
	catalog.CIBAAuthorizationPending: true,
	catalog.CIBASlowDown:             true,
}

// failGrant answers a grant's refusal. A poll's pending or slow_down is
// counted in the metrics but neither logged nor stored as a story: at tens
// of thousands a second those would be noise, and a pending poll is to
// cost no database write, not even a sampled story's.
func (p *Provider) failGrant(w http.ResponseWriter, r *http.Request, clientID string, e *catalog.Error) {
	if !quietAnswers[e.Name()] {
		p.fail(w, r, catalog.Token, clientID, e)
		return
	}
	if p.failures.Count != nil {
		p.failures.Count(string(e.Name()), e.Code(), string(catalog.Token))
	}
	e.WriteJSON(w, p.issuer, trace.ID(r.Context()), p.now())
}
