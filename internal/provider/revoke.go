package provider

import (
	"errors"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// revokedByClient is the family revoke reason the revocation endpoint sets.
const revokedByClient = "revoked by its client at the revocation endpoint"

// handleRevoke is RFC 7009. A refresh token takes its whole family with it
// (every token of the grant); a JWT access token goes on the denylist until
// it expires; an opaque one is marked revoked. Unknown and invalid tokens
// get 200, as §2.2 requires: the caller's goal, an unusable token, holds.
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request) {
	caller, params, ok := p.authenticatedForm(w, r, catalog.Revoke)
	if !ok {
		return
	}
	if e := p.originCheck(r, caller); e != nil {
		p.fail(w, r, catalog.Revoke, caller.ID, e)
		return
	}
	switch hint := params["token_type_hint"]; hint {
	case "", "access_token", "refresh_token":
	default:
		p.fail(w, r, catalog.Revoke, caller.ID, catalog.New(catalog.RevokeTokenTypeUnsupported, "hint", hint))
		return
	}
	ctx := r.Context()
	token := params["token"]
	now := p.now()
	var owner string
	var revoke func() error
	if isJWT(token) {
		// An invalid or expired JWT is already unusable: nothing to do.
		if c, e := p.parseJWTAccess(token); e == nil && c.Issuer == p.issuer && now.Unix() < c.Expiry {
			owner = c.ClientID
			revoke = func() error { return p.store.DenyJTI(ctx, c.ID, time.Unix(c.Expiry, 0)) }
		}
	} else {
		hash := secret.Hash(token)
		// A refresh token of Lucid's form needs no access-token read.
		var at *store.AccessToken
		err := store.ErrNotFound
		if credential.Inspect(token).Kind != credential.Refresh {
			at, err = p.store.GetAccessToken(ctx, hash)
		}
		switch {
		case err == nil:
			owner = at.ClientID
			revoke = func() error { return p.store.RevokeAccessToken(ctx, hash, now) }
		case !errors.Is(err, store.ErrNotFound):
			p.fail(w, r, catalog.Revoke, caller.ID, failure.FromStore(err))
			return
		default:
			rt, err := p.store.GetRefreshToken(ctx, hash)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				p.fail(w, r, catalog.Revoke, caller.ID, failure.FromStore(err))
				return
			}
			if err == nil {
				owner = rt.ClientID
				revoke = func() error { return p.store.RevokeTokenFamily(ctx, rt.FamilyID, revokedByClient, now) }
			}
		}
	}
	if revoke != nil && owner != caller.ID {
		p.fail(w, r, catalog.Revoke, caller.ID, catalog.New(catalog.RevokeOtherClient, "client_id", caller.ID).Internal("owner", owner))
		return
	}
	if revoke != nil {
		if err := revoke(); err != nil && !errors.Is(err, store.ErrNotFound) {
			p.fail(w, r, catalog.Revoke, caller.ID, failure.FromStore(err))
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
