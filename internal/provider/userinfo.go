package provider

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// handleUserInfo is the UserInfo endpoint (OIDC Core §5.3), GET or POST
// with a Bearer token (RFC 6750 §2.1, §2.2).
func (p *Provider) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.fail(w, r, catalog.UserInfo, "", catalog.New(catalog.MethodNotAllowed, "allowed", "GET and POST", "method", r.Method))
		return
	}
	// Userinfo takes no body but a form with access_token: a larger one,
	// whatever its type, is refused before anything else is read.
	if r.ContentLength > maxBody {
		p.fail(w, r, catalog.UserInfo, "", catalog.New(catalog.BodyTooLarge, "limit", maxBody))
		return
	}
	token, dpopScheme := resourceToken(r)
	var e *catalog.Error
	switch {
	case dpopScheme && token == "":
		e = p.dpopChallenge(catalog.New(catalog.BearerMissing))
	case !dpopScheme:
		token, e = bearer.Token(w, r, maxBody)
	}
	if e != nil && e.Name() == catalog.BodyTooLarge {
		p.fail(w, r, catalog.UserInfo, "", e)
		return
	}
	if e != nil {
		p.failBearer(w, r, "", e)
		return
	}
	ctx := r.Context()
	claims, e := p.verifyAccessToken(ctx, token)
	if e != nil && e.Status() >= 500 {
		p.fail(w, r, catalog.UserInfo, "", e)
		return
	}
	if e != nil {
		if dpopScheme {
			p.dpopChallenge(e)
		}
		p.failBearer(w, r, "", e)
		return
	}
	if e := checkCertBinding(ctx, claims); e != nil {
		p.failBearer(w, r, claims.ClientID, e)
		return
	}
	if e := p.resourceBinding(w, r, token, dpopScheme, claims); e != nil {
		if e.Status() >= 500 {
			p.fail(w, r, catalog.UserInfo, claims.ClientID, e)
			return
		}
		p.failBearer(w, r, claims.ClientID, p.dpopChallenge(e))
		return
	}
	if e := p.tokenClientOrigin(r, claims.ClientID); e != nil {
		p.fail(w, r, catalog.UserInfo, claims.ClientID, e)
		return
	}
	granted := scopes(claims.Scope)
	if !contains(granted, "openid") {
		e := catalog.New(catalog.UserInfoOpenIDMissing, "granted", orNone(claims.Scope))
		e.Scope = "openid"
		p.failBearer(w, r, claims.ClientID, e)
		return
	}
	user, err := p.store.GetUser(ctx, claims.Subject)
	if errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled) {
		p.failBearer(w, r, claims.ClientID, catalog.New(catalog.UserInfoUserInactive).Internal("user_id", claims.Subject))
		return
	}
	if err != nil {
		p.fail(w, r, catalog.UserInfo, claims.ClientID, failure.FromStore(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(p.userClaims(user, granted))
}

func orNone(s string) string {
	if s == "" {
		return "no scope"
	}
	return s
}
