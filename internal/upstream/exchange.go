package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
)

// maxAnswer caps what is read of a user-info or groups answer.
const maxAnswer = 1 << 20

// Exchange redeems the code at the upstream (with the PKCE verifier) and
// finds who signed in: for OpenID Connect the verified ID token's claims,
// nonce checked, with the user info merged in; for OAuth 2.0 the user-info
// answer and the groups URLs. The rules are Check's.
func (c *Connector) Exchange(ctx context.Context, code, verifier, nonce string) (*Identity, *catalog.Error) {
	ep, e := c.endpoint(ctx)
	if e != nil {
		return nil, e
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.oauth(ep).Exchange(hctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, c.tokenError(err)
	}
	claims := map[string]any{}
	var amr []string
	if c.OIDC() {
		raw, _ := tok.Extra("id_token").(string)
		if raw == "" {
			return nil, catalog.New(catalog.UpstreamIDTokenInvalid, "upstream", c.cfg.ID, "reason", "the token response has no id_token")
		}
		idt, e := c.verifyIDToken(ctx, raw, nonce)
		if e != nil {
			return nil, e
		}
		if err := idt.Claims(&claims); err != nil {
			return nil, catalog.New(catalog.UpstreamIDTokenInvalid, "upstream", c.cfg.ID, "reason", "its claims are not a JSON object").Wrap(err)
		}
		amr = cleanAMR(claims["amr"])
		if m, _ := c.discover(ctx); m != nil && m.provider.UserInfoEndpoint() != "" {
			info, e := c.getJSON(ctx, m.provider.UserInfoEndpoint(), tok.AccessToken)
			if e != nil {
				return nil, e
			}
			obj, ok := info.(map[string]any)
			if !ok {
				return nil, c.userInfoError("the answer is not a JSON object", nil)
			}
			// OIDC Core §5.3.2: a user info answer about someone else is
			// not used.
			if sub, _ := obj["sub"].(string); sub != idt.Subject {
				return nil, c.userInfoError("its sub is not the ID token's", nil)
			}
			for k, v := range obj {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	} else {
		info, e := c.getJSON(ctx, c.cfg.UserInfoURL, tok.AccessToken)
		if e != nil {
			return nil, e
		}
		obj, ok := info.(map[string]any)
		if !ok {
			return nil, c.userInfoError("the answer is not a JSON object", nil)
		}
		claims = obj
	}
	id := &Identity{Upstream: c.cfg.ID, Issuer: c.cfg.Issuer, Claims: claims, AMR: amr}
	id.Subject = lookupString(claims, c.cfg.Claims.Subject)
	if id.Subject == "" {
		return nil, catalog.New(catalog.UpstreamSubjectMissing, "upstream", c.cfg.ID, "path", c.cfg.Claims.Subject)
	}
	id.Email = lookupString(claims, c.cfg.Claims.Email)
	id.EmailVerified = lookupBool(claims, c.cfg.Claims.EmailVerified)
	id.Name = lookupString(claims, c.cfg.Claims.Name)
	id.Username = lookupString(claims, c.cfg.Claims.Username)
	id.Groups = lookupStrings(claims, c.cfg.Claims.Groups)
	for _, g := range c.cfg.GroupsURLs {
		list, e := c.getJSON(ctx, g.URL, tok.AccessToken)
		if e != nil {
			return nil, e
		}
		items, ok := list.([]any)
		if !ok {
			return nil, c.userInfoError("the groups answer of "+g.URL+" is not a JSON array", nil)
		}
		for _, it := range items {
			if name := format(it, g.Format); name != "" && !slices.Contains(id.Groups, name) {
				id.Groups = append(id.Groups, name)
			}
		}
	}
	id.Mapped = c.mapGroups(id.Groups)
	return id, nil
}

// tokenError names the token endpoint's refusal with its own code.
func (c *Connector) tokenError(err error) *catalog.Error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		e := catalog.New(catalog.UpstreamTokenError, "upstream", c.cfg.ID, "upstream_error", code).
			Internal("upstream_error", re.ErrorCode, "upstream_error_description", re.ErrorDescription, "status", re.Response.StatusCode)
		if aad, a, ok := catalog.EntraCode(re.ErrorDescription); ok {
			e.Internal("aadsts", aad, "aadsts_meaning", a.Summary())
		}
		return e
	}
	reason := "unreachable"
	if errors.Is(err, clientauth.ErrLocalAddress) {
		reason = "local address refused"
	}
	return catalog.New(catalog.UpstreamTokenError, "upstream", c.cfg.ID, "upstream_error", reason).Wrap(err)
}

func (c *Connector) userInfoError(reason string, err error) *catalog.Error {
	e := catalog.New(catalog.UpstreamUserInfoFailed, "upstream", c.cfg.ID, "reason", reason)
	if err != nil {
		e.Wrap(err)
	}
	return e
}

// getJSON GETs a JSON document with the access token.
func (c *Connector) getJSON(ctx context.Context, u, accessToken string) (any, *catalog.Error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, c.userInfoError("the URL is not valid", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	// GitHub's API refuses requests without a User-Agent.
	req.Header.Set("User-Agent", "Lucid")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.userInfoError("unreachable", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil || len(body) > maxAnswer {
		return nil, c.userInfoError("the answer could not be read or is too large", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, c.userInfoError(fmt.Sprintf("%s answered HTTP %d", u, resp.StatusCode), nil).
			Internal("body", catalog.Clip(string(body), 300))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, c.userInfoError("the answer is not JSON", err)
	}
	return v, nil
}

// verifyIDToken checks the ID token: go-oidc verifies the signature with
// keys from the one key-set cache; Lucid checks the claims itself, so that
// each failure has its own entry (go-oidc's are formatted strings).
func (c *Connector) verifyIDToken(ctx context.Context, raw, nonce string) (*oidc.IDToken, *catalog.Error) {
	m, e := c.discover(ctx)
	if e != nil {
		return nil, e
	}
	invalid := func(reason string, err error) *catalog.Error {
		x := catalog.New(catalog.UpstreamIDTokenInvalid, "upstream", c.cfg.ID, "reason", reason)
		if err != nil {
			x.Wrap(err)
		}
		return x
	}
	algs := m.algs
	if len(algs) == 0 {
		algs = []string{oidc.RS256}
	}
	if _, err := jose.ParseSigned(raw, joseAlgs(algs)); err != nil {
		return nil, invalid("it is not a signed JWT with an algorithm the provider announces", err)
	}
	ks := &keySet{src: c.keys, issuer: c.cfg.Issuer, uri: m.jwksURI, algs: joseAlgs(algs)}
	v := oidc.NewVerifier(c.cfg.Issuer, ks, &oidc.Config{
		SkipClientIDCheck: true, SkipExpiryCheck: true, SkipIssuerCheck: true,
		SupportedSigningAlgs: algs, Now: c.now,
	})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, invalid("its signature does not verify with the provider's published keys", err)
	}
	if idt.Issuer != c.cfg.Issuer {
		return nil, invalid("its issuer is "+catalog.Clip(idt.Issuer, 100)+", not the configured one", nil)
	}
	if !slices.Contains(idt.Audience, c.cfg.ClientID) {
		return nil, catalog.New(catalog.UpstreamIDTokenAudience, "upstream", c.cfg.ID, "audience", strings.Join(idt.Audience, " ")).
			Internal("client_id", c.cfg.ClientID)
	}
	var azp struct {
		AZP string `json:"azp"`
	}
	_ = idt.Claims(&azp)
	if len(idt.Audience) > 1 && azp.AZP != "" && azp.AZP != c.cfg.ClientID {
		return nil, catalog.New(catalog.UpstreamIDTokenAudience, "upstream", c.cfg.ID, "audience", azp.AZP).
			Internal("client_id", c.cfg.ClientID, "reason", "azp names another client")
	}
	now := c.now()
	if !idt.Expiry.IsZero() && now.After(idt.Expiry.Add(Skew)) {
		return nil, catalog.New(catalog.UpstreamIDTokenExpired, "upstream", c.cfg.ID, "ago", now.Sub(idt.Expiry).Round(time.Second), "skew", Skew).
			Internal("exp", idt.Expiry.UTC().Format(time.RFC3339), "now", now.UTC().Format(time.RFC3339))
	}
	if idt.IssuedAt.After(now.Add(Skew)) {
		return nil, catalog.New(catalog.UpstreamIDTokenClockSkew, "upstream", c.cfg.ID, "ahead", idt.IssuedAt.Sub(now).Round(time.Second), "skew", Skew).
			Internal("iat", idt.IssuedAt.UTC().Format(time.RFC3339), "now", now.UTC().Format(time.RFC3339))
	}
	if idt.Nonce != nonce {
		return nil, catalog.New(catalog.UpstreamNonceMismatch, "upstream", c.cfg.ID).
			Internal("nonce_present", idt.Nonce != "")
	}
	return idt, nil
}

func joseAlgs(algs []string) []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, 0, len(algs))
	for _, a := range algs {
		if a != "none" && !strings.HasPrefix(a, "HS") {
			out = append(out, jose.SignatureAlgorithm(a))
		}
	}
	return out
}

// keySet is go-oidc's KeySet over the shared cache of remote key sets.
type keySet struct {
	src    KeySource
	issuer string
	uri    string
	algs   []jose.SignatureAlgorithm
}

func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, k.algs)
	if err != nil {
		return nil, err
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("not exactly one signature")
	}
	h := jws.Signatures[0].Header
	keys, _, ferr := k.src.IssuerKeys(ctx, "upstream "+k.issuer, k.uri, h.KeyID)
	if ferr != nil {
		return nil, ferr
	}
	var cands []jose.JSONWebKey
	if h.KeyID != "" {
		if key, ok := keys.ByKid(h.KeyID); ok {
			cands = append(cands, key)
		}
	} else {
		cands = keys.Fitting(h.Algorithm)
	}
	for _, key := range cands {
		if payload, err := jws.Verify(key); err == nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("no key of %s verifies it (kid %q)", k.uri, h.KeyID)
}

// cleanAMR keeps an upstream's amr values that look like method names
// (RFC 8176 §2 values are short tokens), at most 10.
func cleanAMR(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		if s == "" || len(s) > 32 || strings.ContainsAny(s, " \"\\") || slices.Contains(out, s) {
			continue
		}
		out = append(out, s)
		if len(out) == 10 {
			break
		}
	}
	return out
}
