// Package demo is the demo relying party served at /demo: a real OAuth
// 2.0 / OpenID Connect client of Lucid, built with golang.org/x/oauth2 and
// github.com/coreos/go-oidc, that talks to Lucid over HTTP exactly as a
// newcomer's own application would. It keeps no server-side state.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Paths the demo serves.
const (
	PathStart    = "/demo"
	PathLogin    = "/demo/login"
	PathCallback = "/demo/callback"
)

// Options configure the demo client.
type Options struct {
	Issuer        string
	ClientID      string
	RedirectURL   string // {issuer}/demo/callback
	HTTPClient    *http.Client
	Renderer      *ui.Renderer
	Log           *slog.Logger
	SecureCookies bool
	// Hint is shown under the sign-in button, e.g. the demo user's
	// credentials. Optional.
	Hint string
}

// Demo is the demo relying party.
type Demo struct {
	opts Options
	key  []byte // signs the flow cookies; new at every start
	now  func() time.Time

	mu sync.Mutex
	rp *relyingParty // nil until discovery succeeds
}

// relyingParty is what discovery yields.
type relyingParty struct {
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
	issParam   bool // the provider promises iss in authorization responses (RFC 9207)
}

// New returns the demo. It does not contact the issuer: discovery happens
// on the first request, because the demo is built before Lucid listens.
func New(opts Options) *Demo {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.Issuer = strings.TrimSuffix(opts.Issuer, "/")
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &Demo{opts: opts, key: key, now: time.Now}
}

func scopes() []string {
	return []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}
}

// relyingParty discovers the provider once. A failure is not remembered,
// so the next request tries again.
func (d *Demo) relyingParty(ctx context.Context) (*relyingParty, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rp != nil {
		return d.rp, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, d.opts.HTTPClient), d.opts.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s/.well-known/openid-configuration: %w", d.opts.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
		IssParam   bool   `json:"authorization_response_iss_parameter_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	ep := p.Endpoint()
	// A public client sends client_id in the body and no secret at all.
	ep.AuthStyle = oauth2.AuthStyleInParams
	d.rp = &relyingParty{
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: d.opts.ClientID}),
		oauth: oauth2.Config{
			ClientID:    d.opts.ClientID,
			Endpoint:    ep,
			RedirectURL: d.opts.RedirectURL,
			Scopes:      scopes(),
		},
		endSession: meta.EndSession,
		issParam:   meta.IssParam,
	}
	return d.rp, nil
}

// ServeHTTP routes /demo, /demo/login and /demo/callback.
func (d *Demo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var h func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case PathStart, PathStart + "/":
		h = d.handleStart
	case PathLogin:
		h = d.handleLogin
	case PathCallback:
		h = d.handleCallback
	default:
		d.failPage(w, r, catalog.New(catalog.PageNotFound, "path", r.URL.Path))
		return
	}
	// Only the start page answers HEAD: login and callback have effects.
	allowed := r.Method == http.MethodGet || (r.Method == http.MethodHead && r.URL.Path != PathLogin && r.URL.Path != PathCallback)
	if !allowed {
		w.Header().Set("Allow", "GET")
		d.failPage(w, r, catalog.New(catalog.MethodNotAllowed, "allowed", "GET", "method", r.Method))
		return
	}
	h(w, r)
}

func (d *Demo) page() ui.DemoPage {
	return ui.DemoPage{
		Issuer:      d.opts.Issuer,
		ClientID:    d.opts.ClientID,
		RedirectURL: d.opts.RedirectURL,
		Scopes:      scopes(),
		LoginURL:    PathLogin,
		Hint:        d.opts.Hint,
	}
}

func (d *Demo) handleStart(w http.ResponseWriter, r *http.Request) {
	p := d.page()
	// Lucid returns here after RP-initiated logout, with the state the
	// sign-out link carried.
	if r.URL.Query().Has("state") {
		p.Notice = "You signed out of Lucid. Sign in again to run the flow once more."
	}
	d.opts.Renderer.Demo(w, http.StatusOK, p)
}

func (d *Demo) handleLogin(w http.ResponseWriter, r *http.Request) {
	rp, err := d.relyingParty(r.Context())
	if err != nil {
		d.fail(w, r, http.StatusBadGateway, &ui.DemoError{
			Title:       "The demo could not read Lucid's discovery document",
			Description: err.Error(),
			Detail:      "The demo fetches " + d.opts.Issuer + "/.well-known/openid-configuration over HTTP. The issuer URL must be reachable from the Lucid server itself.",
		}, err)
		return
	}
	f := flow{
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		Expires:  d.now().Add(flowLifetime).Unix(),
	}
	http.SetCookie(w, &http.Cookie{
		Name:     flowCookieName(f.State),
		Value:    sealFlow(d.key, f),
		Path:     PathStart,
		MaxAge:   int(flowLifetime / time.Second),
		HttpOnly: true,
		Secure:   d.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, rp.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusFound)
}

func (d *Demo) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	f, flowErr := d.takeFlow(w, r, state)

	if q.Has("error") {
		e := callbackError(q, d.opts.Issuer)
		if flowErr != nil {
			e.Detail = strings.TrimSpace(e.Detail + " The demo could not match this response to a sign-in it started: " + flowErr.Error() + ".")
		}
		d.opts.Log.InfoContext(ctx, "demo: authorization error", "trace_id", trace.ID(ctx), "error", e.Error, "error_code", e.Code, "lucid_trace_id", e.TraceID)
		d.opts.Renderer.Demo(w, http.StatusBadRequest, d.errorPage(e))
		return
	}
	if flowErr != nil {
		d.fail(w, r, http.StatusBadRequest, &ui.DemoError{
			Title:       "The state check failed",
			Description: "The demo refused this response: " + flowErr.Error() + ".",
			Detail:      "Each sign-in's state is kept in a short-lived cookie and works once. Reloading the result page, using the back button, or waiting more than 10 minutes ends up here; a forged callback would too. Start a new sign-in.",
		}, flowErr)
		return
	}
	rp, err := d.relyingParty(ctx)
	if err != nil {
		d.fail(w, r, http.StatusBadGateway, &ui.DemoError{Title: "The demo could not read Lucid's discovery document", Description: err.Error()}, err)
		return
	}
	checks := []string{"The state parameter matches the one kept in this browser's cookie for this sign-in."}
	switch iss := q.Get("iss"); {
	case iss != "" && iss != d.opts.Issuer:
		d.fail(w, r, http.StatusBadRequest, &ui.DemoError{
			Title:       "The response comes from another issuer",
			Description: fmt.Sprintf("The iss parameter is %s, but the demo sent you to %s (RFC 9207 mix-up defence).", iss, d.opts.Issuer),
		}, errors.New("iss mismatch"))
		return
	case iss == "" && rp.issParam:
		d.fail(w, r, http.StatusBadRequest, &ui.DemoError{
			Title:       "The response has no iss parameter",
			Description: "Lucid's discovery document promises an iss parameter in every authorization response (RFC 9207), and this one has none.",
		}, errors.New("iss missing"))
		return
	case iss != "":
		checks = append(checks, "The iss parameter of the response names "+iss+" (RFC 9207).")
	}
	code := q.Get("code")
	if code == "" {
		d.fail(w, r, http.StatusBadRequest, &ui.DemoError{Title: "The response has no code", Description: "The callback carries neither a code nor an error."}, errors.New("code missing"))
		return
	}

	octx := oidc.ClientContext(ctx, d.opts.HTTPClient)
	tok, err := rp.oauth.Exchange(octx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		d.fail(w, r, http.StatusBadGateway, exchangeError(err, d.opts.Issuer), err)
		return
	}
	checks = append(checks, "The code was exchanged at the token endpoint with the PKCE code_verifier (S256).")
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		d.fail(w, r, http.StatusBadGateway, &ui.DemoError{Title: "The token response has no ID token", Description: "The demo asked for the openid scope, so the token response must contain an id_token."}, errors.New("id_token missing"))
		return
	}
	idt, err := rp.verifier.Verify(octx, rawID)
	if err != nil {
		d.fail(w, r, http.StatusBadGateway, &ui.DemoError{Title: "The ID token did not verify", Description: err.Error()}, err)
		return
	}
	header, _ := jwtSegment(rawID, 0)
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(header, &hdr)
	checks = append(checks,
		fmt.Sprintf("The ID token's %s signature verifies with key %q from Lucid's JWKS.", hdr.Alg, hdr.Kid),
		"The ID token's iss is "+idt.Issuer+", its aud includes "+d.opts.ClientID+", and it has not expired.")
	if idt.Nonce != f.Nonce {
		d.fail(w, r, http.StatusBadGateway, &ui.DemoError{
			Title:       "The ID token's nonce does not match",
			Description: "The ID token carries a nonce other than the one this sign-in sent, so it was not issued for this sign-in.",
		}, errors.New("nonce mismatch"))
		return
	}
	checks = append(checks, "The ID token's nonce matches the one sent with the authorization request.")
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			d.fail(w, r, http.StatusBadGateway, &ui.DemoError{Title: "The access token does not match the ID token", Description: err.Error()}, err)
			return
		}
		checks = append(checks, "The ID token's at_hash matches the access token.")
	}

	var claims json.RawMessage
	_ = idt.Claims(&claims)
	var who struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	_ = json.Unmarshal(claims, &who)
	res := &ui.DemoResult{
		Subject:       idt.Subject,
		IDTokenHeader: prettyJSON(header),
		IDTokenClaims: prettyJSON(claims),
		Times:         timeClaims(claims),
		Token:         tokenFields(tok),
		AgainURL:      PathLogin,
		SignOutURL:    d.signOutURL(rp, rawID),
	}

	info, err := rp.provider.UserInfo(octx, oauth2.StaticTokenSource(tok))
	var infoRaw json.RawMessage
	switch {
	case err != nil:
		res.UserInfoError = "The UserInfo request failed: " + err.Error()
		d.opts.Log.WarnContext(ctx, "demo: userinfo failed", "trace_id", trace.ID(ctx), "err", err)
	case info.Subject != idt.Subject:
		res.UserInfoError = "UserInfo answered for subject " + info.Subject + ", not " + idt.Subject + "; the demo must not use it (OIDC Core §5.3.4)."
	default:
		_ = info.Claims(&infoRaw)
		res.UserInfo = prettyJSON(infoRaw)
		checks = append(checks, "UserInfo answered for the same sub as the ID token.")
		var more struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		}
		_ = json.Unmarshal(infoRaw, &more)
		if who.Name == "" {
			who.Name = more.Name
		}
		if who.Email == "" {
			who.Email = more.Email
		}
	}
	res.Name, res.Email, res.Checks = who.Name, who.Email, checks
	d.opts.Log.InfoContext(ctx, "demo: signed in", "trace_id", trace.ID(ctx), "sub", idt.Subject)
	p := d.page()
	p.Result = res
	d.opts.Renderer.Demo(w, http.StatusOK, p)
}

// takeFlow reads and removes the flow cookie of state.
func (d *Demo) takeFlow(w http.ResponseWriter, r *http.Request, state string) (flow, error) {
	if !validState(state) {
		return flow{}, errFlowMissing
	}
	c, err := r.Cookie(flowCookieName(state))
	if err != nil {
		return flow{}, errFlowMissing
	}
	http.SetCookie(w, &http.Cookie{
		Name: c.Name, Value: "", Path: PathStart, MaxAge: -1,
		HttpOnly: true, Secure: d.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	return openFlow(d.key, c.Value, state, d.now())
}

// signOutURL is RP-initiated logout at Lucid, coming back to the start page.
func (d *Demo) signOutURL(rp *relyingParty, idToken string) string {
	if rp.endSession == "" {
		return PathStart
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return PathStart
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", d.opts.Issuer+PathStart)
	q.Set("state", randomToken())
	u.RawQuery = q.Encode()
	return u.String()
}

func (d *Demo) errorPage(e *ui.DemoError) ui.DemoPage {
	p := d.page()
	p.Error = e
	return p
}

// fail shows a failed sign-in on the demo's own page and logs it.
func (d *Demo) fail(w http.ResponseWriter, r *http.Request, status int, e *ui.DemoError, err error) {
	ctx := r.Context()
	d.opts.Log.WarnContext(ctx, "demo: sign-in failed", "trace_id", trace.ID(ctx), "problem", e.Title, "err", err)
	d.opts.Renderer.Demo(w, status, d.errorPage(e))
}

// failPage answers a request Lucid cannot route inside the demo with the
// catalog's human error page.
func (d *Demo) failPage(w http.ResponseWriter, r *http.Request, e *catalog.Error) {
	e.SetRetryAfter(w.Header()) // every 503 says when to come back
	d.opts.Renderer.Error(w, e.Status(), ui.ErrorPage{
		Status:      e.Status(),
		Title:       e.Entry.Title,
		Description: e.Text(),
		Name:        string(e.Name()),
		Code:        e.Code(),
		TraceID:     trace.ID(r.Context()),
		DocURL:      e.URI(d.opts.Issuer),
		Causes:      e.Entry.Causes,
		Fixes:       e.Entry.ClientFix,
		RestartURL:  PathStart,
	})
}
