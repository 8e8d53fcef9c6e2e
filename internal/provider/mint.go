package provider

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/jwe"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/rar"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// grant is what tokens are minted from: a redeemed code or a refresh.
type grant struct {
	client   *store.Client
	user     *store.User
	scopes   []string
	family   string
	session  string
	authTime time.Time
	amr      []string
	acr      string
	nonce    string
	// refresh asks for a refresh token regardless of scope: set on the
	// refresh path, where the chain must continue.
	refresh bool
	// keepRefresh mints no refresh token: the refresh grant keeps the one
	// presented (FAPI 2.0 §5.3.2.1 item 9, no rotation).
	keepRefresh bool
	// aud are the RFC 8707 resources the access token is for; empty means
	// Lucid itself (userinfo).
	aud []string
	// explicitScope says the client named the scopes in this request
	// (refresh with scope): one outside the audience is then refused
	// rather than left out of the access token.
	explicitScope bool
	// details are the RFC 9396 authorization details asked for; the
	// access token carries those of its audience.
	details []rar.Detail
	// authReqID is the auth_req_id of tokens delivered by CIBA push, for
	// the ID token.
	authReqID string
}

// issueTokens mints the access token, the ID token when openid was granted,
// and a refresh token when offline access was granted. It writes nothing:
// the caller stores the issued records in the transaction that spends the
// grant (RedeemAuthCode, RotateRefreshToken), so a refused grant leaves no
// token behind and a failure here leaves the grant unspent.
func (p *Provider) issueTokens(ctx context.Context, g grant, familyStart time.Time) (*tokenResponse, store.Issued, *catalog.Error) {
	var issued store.Issued
	now := p.now()
	aud, format, ttl := []string{p.issuer}, g.client.AccessTokenFormat, time.Duration(0)
	if len(g.aud) > 0 {
		aud = g.aud
		// With openid the token must still open userinfo.
		if contains(g.scopes, "openid") && !contains(aud, p.issuer) {
			aud = append(slices.Clone(aud), p.issuer)
		}
		format, ttl = p.tokenPolicy(ctx, g.client, g.aud)
	}
	// The access token carries only the scopes of its audience; the ID
	// token and the refresh token keep the whole grant, so that a later
	// refresh for another resource gets that resource's scopes.
	accessScopes, e := p.audienceScopes(ctx, aud, g.scopes, g.explicitScope)
	if e != nil {
		return nil, issued, e
	}
	details := p.tokenDetails(ctx, aud, g.details)
	access, at, record, e := p.newAccess(accessToken{
		client:   g.client,
		subject:  g.user.ID,
		userID:   g.user.ID,
		scopes:   accessScopes,
		aud:      aud,
		format:   format,
		ttl:      ttl,
		authTime: g.authTime,
		session:  g.session,
		family:   g.family,
		x5t:      certBinding(ctx),
		jkt:      boundKey(ctx),
		details:  details,
	})
	if e != nil {
		return nil, issued, e
	}
	issued.Access = record
	resp := &tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   at.Expiry - now.Unix(),
		Scope:       at.Scope,

		AuthorizationDetails: details,
	}
	if !g.keepRefresh && (g.refresh || contains(g.client.GrantTypes, "refresh_token") && (contains(g.scopes, "offline_access") || g.client.AlwaysRefresh)) {
		token, rt := p.newRefreshToken(&store.TokenFamily{ID: g.family, ClientID: g.client.ID, UserID: g.user.ID, Scopes: g.scopes}, familyStart, now)
		resp.RefreshToken = token
		if g.client.Public() {
			// A public client has nothing else that ties the refresh
			// token to it (RFC 8705 §4).
			rt.CertThumbprint = certBinding(ctx)
		}
		issued.Refresh = rt
	}
	if contains(g.scopes, "openid") {
		var e *catalog.Error
		resp.IDToken, e = p.signIDToken(g.client, g.user, g.scopes, g.authTime, now, p.life.IDToken, func(alg string, claims map[string]any) {
			if g.nonce != "" {
				claims["nonce"] = g.nonce
			}
			if g.session != "" {
				claims["sid"] = g.session
			}
			// The grant, as in access tokens: token exchange takes an ID
			// token only while its grant lives.
			if g.family != "" {
				claims["grant_id"] = g.family
			}
			if len(g.amr) > 0 {
				claims["amr"] = g.amr
			}
			if g.acr != "" {
				claims["acr"] = g.acr
			}
			claims["at_hash"] = halfHash(alg, access)
			if g.authReqID != "" {
				// CIBA push (§10.3.1): the ID token binds the
				// auth_req_id and the refresh token to the tokens.
				claims[claimAuthReqID] = g.authReqID
				if resp.RefreshToken != "" {
					claims[claimRTHash] = halfHash(alg, resp.RefreshToken)
				}
			}
		})
		if e != nil {
			return nil, issued, e
		}
		if g.client.IDTokenEncAlg != "" {
			if resp.IDToken, e = p.encryptIDToken(ctx, g.client, resp.IDToken); e != nil {
				return nil, issued, e
			}
		}
	}
	return resp, issued, nil
}

// signIDToken signs an ID token about user for client, with the claims
// the scopes release, in the client's algorithm (RS256 unless it chose
// another); more adds the claims of the grant at hand.
func (p *Provider) signIDToken(client *store.Client, user *store.User, scopes []string, authTime, now time.Time, ttl time.Duration,
	more func(alg string, claims map[string]any)) (string, *catalog.Error) {
	alg := client.IDTokenAlg
	if alg == "" {
		alg = keys.RS256
	}
	alg = p.signingAlg(client, alg)
	claims := p.userClaims(user, scopes)
	claims["iss"] = p.issuer
	claims["aud"] = client.ID
	claims["azp"] = client.ID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(ttl).Unix()
	if !authTime.IsZero() {
		claims["auth_time"] = authTime.Unix()
	}
	if more != nil {
		more(alg, claims)
	}
	token, err := p.keys.Sign(alg, "JWT", claims)
	if err != nil {
		return "", catalog.New(catalog.SigningKeyMissing, "alg", alg).Wrap(err)
	}
	return token, nil
}

// idTokenEncryptionNames report a client key that cannot receive an
// encrypted ID token.
var idTokenEncryptionNames = clientauth.EncryptionNames{Missing: catalog.IDTokenEncryptionKeyMissing, Unreachable: catalog.IDTokenEncryptionKeysUnreachable}

// encryptIDToken encrypts a signed ID token to the client's key in its
// id_token_encrypted_response_alg and enc: a nested JWT, signed then
// encrypted (OpenID Connect Core §10.2, RFC 7519 §5.2), cty JWT. It runs
// while minting, before the grant is spent, so a client without a key
// that fits keeps its code or refresh token.
func (p *Provider) encryptIDToken(ctx context.Context, c *store.Client, signed string) (string, *catalog.Error) {
	key, e := p.clients.EncryptionKey(ctx, c, c.IDTokenEncAlg, idTokenEncryptionNames)
	if e != nil {
		return "", e
	}
	out, err := jwe.Encrypt(signed, key, c.IDTokenEncAlg, c.IDTokenEncEnc)
	if err != nil {
		return "", catalog.New(catalog.ServerError).Wrap(err)
	}
	return out, nil
}

// newRefreshToken makes the next refresh token of a family: its absolute
// lifetime counts from the family's start, its idle lifetime from now,
// never past the absolute one.
func (p *Provider) newRefreshToken(f *store.TokenFamily, familyStart, now time.Time) (string, *store.RefreshToken) {
	token := credential.New(credential.Refresh)
	rt := &store.RefreshToken{
		Hash:          secret.Hash(token),
		FamilyID:      f.ID,
		ClientID:      f.ClientID,
		UserID:        f.UserID,
		Scopes:        f.Scopes,
		CreatedAt:     now,
		ExpiresAt:     familyStart.Add(p.life.RefreshAbsolute),
		IdleExpiresAt: now.Add(p.life.RefreshIdle),
	}
	if rt.IdleExpiresAt.After(rt.ExpiresAt) {
		rt.IdleExpiresAt = rt.ExpiresAt
	}
	return token, rt
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// halfHash is at_hash / c_hash (OIDC Core §3.1.3.6): the left half of the
// hash of the token, with the hash that goes with the signing algorithm.
func halfHash(alg, token string) string {
	var h hash.Hash
	if alg == "EdDSA" {
		h = sha512.New()
	} else {
		h = sha256.New()
	}
	h.Write([]byte(token))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// userClaims releases the user's claims that the granted scopes allow
// (OIDC Core §5.4).
func (p *Provider) userClaims(u *store.User, scopes []string) map[string]any {
	c := map[string]any{"sub": u.ID}
	if contains(scopes, "profile") {
		if u.Name != "" {
			c["name"] = u.Name
		}
		if u.GivenName != "" {
			c["given_name"] = u.GivenName
		}
		if u.FamilyName != "" {
			c["family_name"] = u.FamilyName
		}
		c["preferred_username"] = u.Username
		if !u.UpdatedAt.IsZero() {
			c["updated_at"] = u.UpdatedAt.Unix()
		}
	}
	if contains(scopes, "email") && u.Email != "" {
		c["email"] = u.Email
		c["email_verified"] = u.EmailVerified
	}
	if contains(scopes, "phone") && u.Phone != "" {
		c["phone_number"] = u.Phone
		c["phone_number_verified"] = u.PhoneVerified
	}
	if contains(scopes, "address") && u.Address != nil {
		c["address"] = u.Address
	}
	if contains(scopes, "groups") && len(u.Groups) > 0 {
		c["groups"] = u.Groups
	}
	return c
}
