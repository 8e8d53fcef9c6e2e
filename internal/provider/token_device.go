package provider

import (
	"context"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// maxDeviceCode bounds the device_code looked up: a longer one was never
// issued (they are 43 characters).
const maxDeviceCode = 64

// grantDeviceCode answers a device's poll (RFC 8628 §3.4, §3.5). Until the
// person decides, a poll reads the device code's row and the in-memory
// poll record (pollPacer) and writes nothing: authorization_pending, or
// slow_down when it came sooner than the interval. An approved code is
// redeemed like an authorization code: the person's checks (userBound),
// tokens minted, then one conditional write that spends the code and
// stores the family and the tokens, so that of any number of polls on
// any replicas exactly one gets tokens.
func (p *Provider) grantDeviceCode(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	raw := req.params["device_code"]
	if raw == "" {
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "device_code")
	}
	if len(raw) > maxDeviceCode {
		return nil, catalog.New(catalog.DeviceCodeUnknown).Internal("length", len(raw))
	}
	hash := secret.Hash(raw)
	dc, err := p.store.GetDeviceCode(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.DeviceCodeUnknown)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	if dc.ClientID != req.client.ID {
		return nil, catalog.New(catalog.DeviceCodeOtherClient, "client_id", req.client.ID).Internal("device_client_id", dc.ClientID)
	}
	now := p.now()
	if e := p.deviceSpent(ctx, dc, now); e != nil {
		return nil, e
	}
	if dc.Decision == nil {
		interval, elapsed, tooSoon := p.polls.poll(hash, now, dc.Interval, dc.ExpiresAt)
		if tooSoon {
			return nil, catalog.New(catalog.DeviceSlowDown, "elapsed", elapsed.Round(time.Millisecond), "interval", interval)
		}
		return nil, catalog.New(catalog.DeviceAuthorizationPending, "interval", interval, "remaining", dc.ExpiresAt.Sub(now).Round(time.Second))
	}
	if !dc.Decision.Approved {
		return nil, catalog.New(catalog.DeviceAccessDenied, "ago", decidedAgo(dc, now)).Internal("user_id", dc.Decision.UserID)
	}
	d := dc.Decision
	user, granted, aud, e := p.userBound(ctx, req, userGrant{userID: d.UserID, scopes: dc.Scopes, resources: dc.Resources, narrowScope: true})
	if e != nil {
		return nil, e
	}
	family := &store.TokenFamily{
		ID:        secret.Token(16),
		ClientID:  req.client.ID,
		UserID:    user.ID,
		Scopes:    dc.Scopes,
		Resources: dc.Resources,
		SessionID: d.SessionID,
		AuthTime:  d.AuthTime,
		AMR:       d.AMR,
		ACR:       d.ACR,
		CreatedAt: now,
		DPoPJKT:   familyKey(ctx, req.client),
	}
	// Mint first, spend the device code last (as the code grant does).
	resp, issued, e := p.issueTokens(ctx, grant{
		client: req.client, user: user, scopes: granted, family: family.ID,
		session: d.SessionID, authTime: d.AuthTime, amr: d.AMR, acr: d.ACR, aud: aud,
	}, now)
	if e != nil {
		return nil, e
	}
	if resp.RefreshToken == "" {
		resp.RefreshTokenWithheld = withheldReason(req.client, granted)
	}
	stored, err := p.store.RedeemDeviceCode(ctx, hash, family, issued, now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// Lost a race with another poll, or expired meanwhile.
		if e := p.deviceSpent(ctx, stored, now); e != nil {
			return nil, e
		}
		return nil, catalog.New(catalog.DeviceCodeUsed, "ago", time.Duration(0))
	case err != nil:
		return nil, failure.FromStore(err)
	}
	p.polls.forget(hash)
	return resp, nil
}

// Why a device code's or an auth_req_id's family was revoked.
const (
	reasonDeviceCodeReused = "device code redeemed again"
	reasonAuthReqIDReused  = "auth_req_id redeemed again"
)

// deviceSpent refuses a device code that was redeemed or has expired. A
// second redemption revokes the family of the first, as a reused
// authorization code does (RFC 8628 §5.2 leaves the device code to be
// treated like one): whoever holds a copy, the device or a thief, loses
// the tokens, and the person approves again.
func (p *Provider) deviceSpent(ctx context.Context, dc *store.DeviceCode, now time.Time) *catalog.Error {
	if dc.RedeemedAt != nil {
		e := catalog.New(catalog.DeviceCodeUsed, "ago", now.Sub(*dc.RedeemedAt).Round(time.Second)).Internal("family_id", dc.FamilyID)
		return p.revokeRedeemed(ctx, e, dc.FamilyID, reasonDeviceCodeReused, now)
	}
	if !now.Before(dc.ExpiresAt) {
		return catalog.New(catalog.DeviceCodeExpired, "ago", now.Sub(dc.ExpiresAt).Round(time.Second), "lifetime", dc.ExpiresAt.Sub(dc.CreatedAt).Round(time.Second))
	}
	return nil
}

// revokeRedeemed revokes the family a grant redeemed before and returns
// e, the refusal of the second redemption (or the store's failure).
func (p *Provider) revokeRedeemed(ctx context.Context, e *catalog.Error, familyID, reason string, now time.Time) *catalog.Error {
	if familyID == "" {
		return e
	}
	if err := p.store.RevokeTokenFamily(ctx, familyID, reason, now); err != nil {
		return failure.FromStore(err).Internal("while", "revoking the tokens of a grant "+reason)
	}
	return e
}

func decidedAgo(dc *store.DeviceCode, now time.Time) time.Duration {
	if dc.DecidedAt == nil {
		return 0
	}
	return now.Sub(*dc.DecidedAt).Round(time.Second)
}
