package provider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// grantAuthorizationCode redeems an authorization code (RFC 6749 §4.1.3,
// RFC 7636 §4.6). Checks run cheapest and least revealing first; a failed
// PKCE check invalidates the code so that it cannot be tried again, and a
// second redemption revokes every token of the first (RFC 6749 §4.1.2).
func (p *Provider) grantAuthorizationCode(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	raw := req.params["code"]
	if raw == "" {
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "code")
	}
	// A value of another kind, or damaged, is told apart before any read.
	if e := p.misplacedCode(raw); e != nil {
		return nil, e
	}
	hash := secret.Hash(raw)
	code, err := p.store.GetAuthCode(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.CodeUnknown).Internal(p.recognise(raw).internal()...)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	now := p.now()
	if code.ClientID != req.client.ID {
		return nil, catalog.New(catalog.CodeOtherClient, "client_id", req.client.ID).Internal("code_client_id", code.ClientID)
	}
	if code.InvalidatedAt != nil {
		return nil, invalidated(code)
	}
	if code.RedeemedAt != nil {
		return nil, p.codeReused(ctx, code, now)
	}
	if !now.Before(code.ExpiresAt) {
		return nil, catalog.New(catalog.CodeExpired, "ago", now.Sub(code.ExpiresAt), "lifetime", code.ExpiresAt.Sub(code.CreatedAt))
	}
	if e := codeBinding(ctx, code); e != nil {
		return nil, e
	}
	given, hasRedirect := req.params["redirect_uri"]
	switch {
	case code.RedirectURIGiven && !hasRedirect:
		return nil, catalog.New(catalog.RedirectURIMissingCode, "redirect_uri", code.RedirectURI)
	case hasRedirect && given != code.RedirectURI:
		return nil, catalog.New(catalog.RedirectURIMismatch, "given", given, "expected", code.RedirectURI)
	}
	if e := p.checkVerifier(ctx, code, req.params, now); e != nil {
		return nil, e
	}
	user, _, aud, e := p.userBound(ctx, req, userGrant{userID: code.UserID, scopes: code.Scopes, resources: code.Resources})
	if e != nil {
		return nil, e
	}
	details, e := p.narrowDetails(ctx, req.client, req.params, code.AuthorizationDetails)
	if e != nil {
		return nil, e
	}
	family := &store.TokenFamily{
		// The family keeps the whole grant: a refresh may narrow differently.
		AuthorizationDetails: code.AuthorizationDetails,
		ID:                   secret.Token(16),
		ClientID:             req.client.ID,
		UserID:               user.ID,
		Scopes:               code.Scopes,
		Resources:            code.Resources,
		SessionID:            code.SessionID,
		AuthTime:             code.AuthTime,
		AMR:                  code.AMR,
		ACR:                  code.ACR,
		CreatedAt:            now,
		DPoPJKT:              familyKey(ctx, req.client),
	}
	// Mint first, spend the code second: a minting failure leaves the code
	// usable, and the redemption stores the family and the tokens in its
	// transaction, so a refused redemption leaves nothing behind.
	resp, issued, e := p.issueTokens(ctx, grant{
		client: req.client, user: user, scopes: code.Scopes, family: family.ID,
		session: code.SessionID, authTime: code.AuthTime, amr: code.AMR, acr: code.ACR, nonce: code.Nonce, aud: aud,
		details: details,
	}, now)
	if e != nil {
		return nil, e
	}
	if resp.RefreshToken == "" {
		resp.RefreshTokenWithheld = withheldReason(req.client, code.Scopes)
	}
	stored, err := p.store.RedeemAuthCode(ctx, hash, family, issued, now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// Lost a race with a concurrent redemption: same rule as a replay.
		return nil, p.codeReused(ctx, stored, now)
	case errors.Is(err, store.ErrInvalidated):
		return nil, invalidated(stored)
	case err != nil:
		return nil, failure.FromStore(err)
	}
	return resp, nil
}

func invalidated(code *store.AuthCode) *catalog.Error {
	at := time.Time{}
	if code.InvalidatedAt != nil {
		at = *code.InvalidatedAt
	}
	return catalog.New(catalog.CodeInvalidated, "at", at, "check", code.InvalidReason)
}

// codeReused revokes everything issued from the first redemption.
func (p *Provider) codeReused(ctx context.Context, code *store.AuthCode, now time.Time) *catalog.Error {
	redeemed := now
	if code.RedeemedAt != nil {
		redeemed = *code.RedeemedAt
	}
	e := catalog.New(catalog.CodeReused, "redeemed_at", redeemed).Internal("family_id", code.FamilyID, "user_id", code.UserID)
	if code.FamilyID != "" {
		if err := p.store.RevokeTokenFamily(ctx, code.FamilyID, reasonCodeReused, now); err != nil {
			return failure.FromStore(err).Internal("while", "revoking the tokens of a reused code")
		}
	}
	return e
}

// checkVerifier applies PKCE. Any failure invalidates the code: a guessed
// verifier gets exactly one try.
func (p *Provider) checkVerifier(ctx context.Context, code *store.AuthCode, params map[string]string, now time.Time) *catalog.Error {
	verifier, has := params["code_verifier"]
	var e *catalog.Error
	var check string
	switch {
	case code.CodeChallenge == "" && has:
		e, check = catalog.New(catalog.VerifierUnexpected), "code_verifier (sent without a challenge)"
	case code.CodeChallenge == "":
		return nil
	case !has || verifier == "":
		e, check = catalog.New(catalog.VerifierMissing), "code_verifier (missing)"
	default:
		if d := pkceShape(verifier, 43, 128); d != "" {
			e, check = catalog.New(catalog.VerifierMalformed, "length", len(verifier), "detail", d), "code_verifier (malformed)"
		} else if !s256Matches(verifier, code.CodeChallenge) {
			e, check = catalog.New(catalog.VerifierMismatch), "code_verifier"
		} else {
			return nil
		}
	}
	if err := p.store.InvalidateAuthCode(ctx, code.Hash, check, now); err != nil && !errors.Is(err, store.ErrAlreadyUsed) && !errors.Is(err, store.ErrInvalidated) {
		return failure.FromStore(err)
	}
	return e
}

func s256Matches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
