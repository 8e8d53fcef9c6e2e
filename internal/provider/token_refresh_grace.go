package provider

// The refresh reuse grace (lifetimes.refresh_reuse_grace): two tabs that
// refresh with the same token at once should not count as reuse and end
// the grant. The rotation that wins keeps its answer on the old token,
// sealed with a key derived from the old token itself (and the master
// key): the server never stores that token, so neither the database nor
// anyone without the token can read the answer. A repeated identical
// request that presents the old token within the grace opens it and gets
// the same tokens; nothing new is minted, so exactly one successor exists.

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// sealedSuccessor is the part of a rotation's answer the grace keeps.
type sealedSuccessor struct {
	AccessToken  string `json:"access_token"`
	AccessExpiry int64  `json:"access_exp"` // Unix seconds, for expires_in
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token,omitempty"`
}

// successorAAD binds a sealed successor to the old token and to the
// request that made it: client, scopes and resources asked for, as sets
// (an absent and an empty scope ask the same). Another request does not
// open it.
func successorAAD(oldHash string, req *tokenRequest) []byte {
	set := func(v []string) []string {
		v = slices.Clone(v)
		slices.Sort(v)
		return slices.Compact(v)
	}
	b, _ := json.Marshal(struct {
		Use       string   `json:"use"`
		Old       string   `json:"old"`
		Client    string   `json:"client"`
		Scopes    []string `json:"scopes"`
		Resources []string `json:"resources"`
	}{"lucid refresh successor v1", oldHash, req.client.ID, set(scopes(req.params["scope"])), set(req.resources)})
	return b
}

// sealSuccessor seals resp for the holder of the old refresh token raw,
// to be kept with it until the grace ends.
func (p *Provider) sealSuccessor(raw, oldHash string, req *tokenRequest, resp *tokenResponse, now time.Time) (*store.Successor, *catalog.Error) {
	plain, err := json.Marshal(sealedSuccessor{
		AccessToken:  resp.AccessToken,
		AccessExpiry: now.Unix() + resp.ExpiresIn,
		Scope:        resp.Scope,
		RefreshToken: resp.RefreshToken,
		IDToken:      resp.IDToken,
	})
	if err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	sealed, err := p.secrets.SealFor(raw, plain, successorAAD(oldHash, req))
	if err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	return &store.Successor{Sealed: sealed, Until: now.Add(p.life.RefreshReuseGrace)}, nil
}

// graceAnswer answers a refresh with the rotated token old (raw, by
// hash) from the successor its rotation kept, when the grace allows it.
// Otherwise it returns why not (for the operator's story), and the caller
// treats the request as reuse; e reports a failure that is neither.
func (p *Provider) graceAnswer(ctx context.Context, req *tokenRequest, raw, hash string, old *store.RefreshToken, now time.Time) (resp *tokenResponse, why string, e *catalog.Error) {
	grace := p.life.RefreshReuseGrace
	switch {
	case grace <= 0:
		return nil, "", nil
	case old.Successor == nil:
		return nil, "rotated without a successor kept, or the grace ended", nil
	}
	end := old.Successor.Until
	if old.RotatedAt != nil && old.RotatedAt.Add(grace).Before(end) {
		end = old.RotatedAt.Add(grace) // the grace was shortened since
	}
	if !now.Before(end) {
		return nil, "reuse grace ended at " + end.UTC().Format(time.RFC3339), nil
	}
	plain, err := p.secrets.OpenFor(raw, old.Successor.Sealed, successorAAD(hash, req))
	if err != nil {
		return nil, "within the reuse grace, but with another client, scope or resource than the rotation", nil
	}
	var s sealedSuccessor
	if err := json.Unmarshal(plain, &s); err != nil || s.RefreshToken == "" {
		return nil, "successor unreadable", nil
	}
	next, err := p.store.GetRefreshToken(ctx, secret.Hash(s.RefreshToken))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "successor no longer stored", nil
	case err != nil:
		return nil, "", failure.FromStore(err)
	case next.RotatedAt != nil:
		return nil, "within the reuse grace, but the successor was used already", nil
	}
	if _, e := p.activeUser(ctx, old.UserID); e != nil {
		return nil, "", e
	}
	p.log.InfoContext(ctx, "refresh token presented again within the reuse grace; answered with the tokens of its rotation",
		"client_id", req.client.ID, "family_id", old.FamilyID, "grace_ends", end)
	return &tokenResponse{
		AccessToken:  s.AccessToken,
		TokenType:    "Bearer",
		ExpiresIn:    max(0, s.AccessExpiry-now.Unix()),
		Scope:        s.Scope,
		RefreshToken: s.RefreshToken,
		IDToken:      s.IDToken,
	}, "", nil
}

// reusedOrGrace answers a refresh with a rotated token: the successor
// within the grace, reuse (the family revoked) otherwise.
func (p *Provider) reusedOrGrace(ctx context.Context, req *tokenRequest, raw, hash string, old *store.RefreshToken, now time.Time) (*tokenResponse, *catalog.Error) {
	resp, why, e := p.graceAnswer(ctx, req, raw, hash, old, now)
	switch {
	case e != nil:
		return nil, e
	case resp != nil:
		return resp, nil
	}
	e = p.refreshReused(ctx, old, now)
	if why != "" {
		e.Internal("reuse_grace", why)
	}
	return nil, e
}
