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

// Revocation reasons that a later error explains.
const (
	reasonCodeReused       = "authorization code reused"
	reasonRefreshReused    = "rotated refresh token reused"
	reasonConsentWithdrawn = store.ReasonConsentWithdrawn
)

// grantRefreshToken exchanges a refresh token (RFC 6749 §6). Every use
// rotates it; presenting a rotated token again revokes the whole family
// (OAuth 2.0 Security BCP §4.14.2), unless it is the same request within
// the reuse grace (token_refresh_grace.go). A client under the FAPI 2.0
// Security Profile keeps its refresh token instead (keepRefresh).
func (p *Provider) grantRefreshToken(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	raw := req.params["refresh_token"]
	// A value of another kind, damaged, or none at all is told apart
	// before any read, and named with the reason the client has none.
	if e := p.misplacedRefresh(ctx, req, raw); e != nil {
		return nil, e
	}
	hash := secret.Hash(raw)
	old, err := p.store.GetRefreshToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.RefreshUnknown).Internal(p.recognise(raw).internal()...)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	if old.ClientID != req.client.ID {
		return nil, catalog.New(catalog.RefreshOtherClient, "client_id", req.client.ID).Internal("token_client_id", old.ClientID)
	}
	if e := checkRefreshBinding(ctx, old); e != nil {
		return nil, e
	}
	family, err := p.tokenFamily(ctx, old.FamilyID)
	if err != nil {
		return nil, failure.FromStore(err)
	}
	now := p.now()
	if family.RevokedAt != nil {
		return nil, revokedFamily(family)
	}
	if e := refreshBinding(ctx, req.client, family); e != nil {
		return nil, e
	}
	if old.RotatedAt != nil {
		return p.reusedOrGrace(ctx, req, raw, hash, old, now)
	}
	if !now.Before(old.ExpiresAt) {
		return nil, catalog.New(catalog.RefreshExpired, "lifetime", p.life.RefreshAbsolute, "expired_at", old.ExpiresAt)
	}
	if !now.Before(old.IdleExpiresAt) {
		return nil, catalog.New(catalog.RefreshIdleExpired, "lifetime", p.life.RefreshIdle, "expired_at", old.IdleExpiresAt)
	}
	user, granted, aud, e := p.userBound(ctx, req, userGrant{userID: old.UserID, scopes: old.Scopes, resources: family.Resources, narrowScope: true})
	if e != nil {
		return nil, e
	}
	details, e := p.narrowDetails(ctx, req.client, req.params, family.AuthorizationDetails)
	if e != nil {
		return nil, e
	}
	keep := p.fapi(req.client)
	resp, issued, e := p.issueTokens(ctx, grant{
		client: req.client, user: user, scopes: granted, family: family.ID,
		// The ID token tells of the original authentication (OpenID
		// Connect Core §12.2): its auth_time, amr and acr, kept on the
		// family.
		session: family.SessionID, authTime: family.AuthTime, amr: family.AMR, acr: family.ACR, refresh: !keep, keepRefresh: keep, aud: aud,
		explicitScope: req.params["scope"] != "",
		details:       details,
	}, family.CreatedAt)
	if e != nil {
		return nil, e
	}
	if keep {
		return p.keepRefresh(ctx, req, raw, hash, old, issued, resp, now)
	}
	// RFC 6749 §6: the new refresh token keeps the scope of the old one,
	// even when this access token was narrowed.
	issued.Refresh.Scopes = old.Scopes
	if p.life.RefreshReuseGrace > 0 {
		if issued.Successor, e = p.sealSuccessor(raw, hash, req, resp, now); e != nil {
			return nil, e
		}
	}
	stored, err := p.store.RotateRefreshToken(ctx, hash, issued, now)
	if err != nil {
		if errors.Is(err, store.ErrAlreadyUsed) {
			// Lost a race: the winner's rotation, as stored, decides.
			if stored == nil {
				stored = old
			}
			return p.reusedOrGrace(ctx, req, raw, hash, stored, now)
		}
		return nil, failure.FromStore(err)
	}
	return resp, nil
}

// keepRefresh answers a refresh of a client under the FAPI 2.0 Security
// Profile, which "shall not use refresh token rotation except in
// extraordinary circumstances" (§5.3.2.1 item 9, Note 1): the token
// presented stays the family's refresh token, and comes back in the
// answer. Its idle lifetime starts again (never past the absolute one),
// stored with the opaque access token, if any, in one write. It stays
// sender-constrained by the client's authentication (the profile has only
// confidential clients), and revoking it still ends the family. Since it
// is never marked rotated, presenting it again is no reuse; a token
// rotated meanwhile (the client was under the profile no longer) is
// judged as any rotated one.
func (p *Provider) keepRefresh(ctx context.Context, req *tokenRequest, raw, hash string, old *store.RefreshToken, issued store.Issued, resp *tokenResponse, now time.Time) (*tokenResponse, *catalog.Error) {
	renewed := *old
	renewed.Successor = nil
	renewed.IdleExpiresAt = now.Add(p.life.RefreshIdle)
	if renewed.IdleExpiresAt.After(old.ExpiresAt) {
		renewed.IdleExpiresAt = old.ExpiresAt
	}
	err := p.store.RenewRefreshToken(ctx, &renewed, issued.Access)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		stored, gerr := p.store.GetRefreshToken(ctx, hash)
		if gerr != nil {
			return nil, failure.FromStore(gerr)
		}
		return p.reusedOrGrace(ctx, req, raw, hash, stored, now)
	case errors.Is(err, store.ErrNotFound):
		return nil, catalog.New(catalog.RefreshUnknown)
	case err != nil:
		return nil, failure.FromStore(err)
	}
	resp.RefreshToken = raw
	return resp, nil
}

// maxGrantDepth bounds the walk up a chain of grants made by token exchange.
const maxGrantDepth = 8

// tokenFamily reads a family and, for one made by token exchange, its
// ancestors (ParentID): a revoked ancestor revokes it too, and the family
// comes back carrying the ancestor's revocation. Revoking a family also
// marks its descendants in the store, but a child created while its
// parent was being revoked can miss that mark; this read cannot. An
// ancestor already deleted (expired) ends the walk.
func (p *Provider) tokenFamily(ctx context.Context, id string) (*store.TokenFamily, error) {
	f, err := p.store.GetTokenFamily(ctx, id)
	if err != nil || f.RevokedAt != nil {
		return f, err
	}
	for up, depth := f.ParentID, 0; up != "" && depth < maxGrantDepth; depth++ {
		a, err := p.store.GetTokenFamily(ctx, up)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if a.RevokedAt != nil {
			inherited := *f
			inherited.RevokedAt, inherited.RevokeReason = a.RevokedAt, a.RevokeReason
			return &inherited, nil
		}
		up = a.ParentID
	}
	return f, nil
}

// revokedFamily explains why a family's tokens no longer work.
func revokedFamily(f *store.TokenFamily) *catalog.Error {
	if f.RevokeReason == reasonConsentWithdrawn {
		return catalog.New(catalog.RefreshConsentWithdrawn, "at", *f.RevokedAt)
	}
	return catalog.New(catalog.RefreshRevoked, "revoked_at", *f.RevokedAt, "reason", f.RevokeReason)
}

// refreshReused revokes the family of a replayed refresh token.
func (p *Provider) refreshReused(ctx context.Context, old *store.RefreshToken, now time.Time) *catalog.Error {
	rotated := now
	if old.RotatedAt != nil {
		rotated = *old.RotatedAt
	}
	if err := p.store.RevokeTokenFamily(ctx, old.FamilyID, reasonRefreshReused, now); err != nil {
		return failure.FromStore(err).Internal("while", "revoking a replayed refresh token's family")
	}
	return catalog.New(catalog.RefreshReused, "rotated_at", rotated).Internal("family_id", old.FamilyID, "user_id", old.UserID)
}
