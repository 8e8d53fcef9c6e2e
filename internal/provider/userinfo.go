package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/jwe"
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
	out := p.userClaims(user, granted)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	jwt, e := p.userinfoJWT(ctx, claims.ClientID, out)
	if e != nil {
		p.fail(w, r, catalog.UserInfo, claims.ClientID, e)
		return
	}
	if jwt != "" {
		h.Set("Content-Type", "application/jwt")
		_, _ = w.Write([]byte(jwt))
		return
	}
	h.Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// userinfoJWTNames report a client key that cannot receive an encrypted
// userinfo answer.
var userinfoJWTNames = clientauth.EncryptionNames{Missing: catalog.UserInfoEncryptionKeyMissing, Unreachable: catalog.UserInfoEncryptionKeysUnreachable}

// userinfoJWT is the userinfo answer as a JWT for a client registered
// with userinfo_signed_response_alg and/or userinfo_encrypted_response_alg
// (OpenID Connect Core §5.3.2): signed with iss and aud, then encrypted
// (a nested JWT), or encrypted only (the JSON claims in a JWE). "" when
// the client asked for plain JSON.
func (p *Provider) userinfoJWT(ctx context.Context, clientID string, out map[string]any) (string, *catalog.Error) {
	c, err := p.store.GetClient(ctx, clientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil // a token whose client is gone: its claims as JSON
	case err != nil:
		return "", failure.FromStore(err)
	case c.UserInfoAlg == "" && c.UserInfoEncAlg == "":
		return "", nil
	}
	var body []byte
	signed := ""
	if c.UserInfoAlg != "" {
		out["iss"], out["aud"] = p.issuer, c.ID
		alg := p.signingAlg(c, c.UserInfoAlg)
		if signed, err = p.keys.Sign(alg, "JWT", out); err != nil {
			return "", catalog.New(catalog.SigningKeyMissing, "alg", alg).Wrap(err)
		}
		if c.UserInfoEncAlg == "" {
			return signed, nil
		}
	} else if body, err = json.Marshal(out); err != nil {
		return "", catalog.New(catalog.ServerError).Wrap(err)
	}
	key, e := p.clients.EncryptionKey(ctx, c, c.UserInfoEncAlg, userinfoJWTNames)
	if e != nil {
		return "", e
	}
	var jwt string
	if signed != "" {
		jwt, err = jwe.Encrypt(signed, key, c.UserInfoEncAlg, c.UserInfoEncEnc)
	} else {
		jwt, err = jwe.EncryptJSON(body, key, c.UserInfoEncAlg, c.UserInfoEncEnc)
	}
	if err != nil {
		return "", catalog.New(catalog.ServerError).Wrap(err)
	}
	return jwt, nil
}

func orNone(s string) string {
	if s == "" {
		return "no scope"
	}
	return s
}
