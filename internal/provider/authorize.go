package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/rar"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// handleAuthorize is the authorization endpoint (RFC 6749 §4.1.1, OIDC Core
// §3.1.2). It first establishes whether the client and redirect URI can be
// trusted; until then every failure is a page, afterwards every failure
// goes back to the client.
func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if e := p.paramsInPostQuery(w, r); e != nil {
		p.failPage(w, r, catalog.Authorize, "", e)
		return
	}
	raw, ok := p.queryOrForm(w, r, catalog.Authorize)
	if !ok {
		return
	}
	for _, k := range []string{"client_id", "redirect_uri", "request"} {
		if len(raw[k]) > 1 {
			p.failPage(w, r, catalog.Authorize, "", catalog.New(catalog.ParameterDuplicated, "parameter", k))
			return
		}
	}
	pushed := false
	switch ref, ours := pushedRef(raw); {
	case raw.Has("request"):
		// A request object (RFC 9101): its parameters replace the query's.
		if raw, ok = p.authorizeRequestObject(w, r, raw); !ok {
			return
		}
	case ours:
		// Only the pushed parameters count (RFC 9126 §4), and client_id.
		stored, e := p.pushedParams(r, raw, ref)
		if e != nil {
			p.failPage(w, r, catalog.Authorize, raw.Get("client_id"), e)
			return
		}
		raw, pushed = stored, true
	}
	c, e, trusted := p.checkAuthorization(r, raw, pushed)
	switch {
	case e != nil && !trusted:
		p.failPage(w, r, catalog.Authorize, raw.Get("client_id"), e)
		return
	case e != nil:
		p.failRedirect(w, r, c.back, e)
		return
	}
	client, back, ar := c.client, c.back, c.ar
	now := p.now()
	ar.Browser = p.browser(w, r)
	ar.CreatedAt = now
	ar.ExpiresAt = now.Add(p.life.AuthRequest)

	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failRedirect(w, r, back, failure.FromStore(err))
		return
	}
	needLogin := sess == nil || contains(ar.Prompt, "login") || contains(ar.Prompt, "select_account")
	var loginErr *catalog.Error = catalog.New(catalog.LoginRequired)
	if sess != nil && ar.MaxAge != nil {
		age := now.Sub(sess.AuthTime)
		if age > time.Duration(*ar.MaxAge)*time.Second {
			needLogin = true
			loginErr = catalog.New(catalog.LoginRequiredMaxAge, "max_age", *ar.MaxAge, "age", age.Round(time.Second))
		}
	}
	if sub := c.hintSubject; sub != "" && sess != nil && sub != user.ID {
		needLogin = true
		loginErr = catalog.New(catalog.IDTokenHintOtherUser).Internal("hint_sub", sub, "session_user", user.ID)
	}
	if needLogin {
		if contains(ar.Prompt, "none") {
			p.failRedirect(w, r, back, loginErr)
			return
		}
		ar.ID = secret.Token(24)
		if err := p.store.CreateAuthRequest(ctx, ar); err != nil {
			p.failRedirect(w, r, back, failure.FromStore(err))
			return
		}
		http.Redirect(w, r, PathLogin+"?interaction="+url.QueryEscape(ar.ID), http.StatusFound)
		return
	}
	// The session may not meet what this client or request asks for
	// (a second factor, acr_values): then a step-up adds to it first.
	if !p.stepUp(w, r, ar, client, sess) {
		return
	}
	ar.UserID, ar.SessionID, ar.AuthTime, ar.AMR = user.ID, sess.ID, sess.AuthTime, sess.AMR
	p.consentStep(w, r, ar, client, user, false)
}

// checkedAuthz is an authorization request that passed every check made
// before the browser's session is looked at.
type checkedAuthz struct {
	client *store.Client
	// back is where failures go once the client and the redirect URI are
	// trusted.
	back replyTo
	ar   *store.AuthRequest
	// hintSubject is the subject of a valid id_token_hint, if any.
	hintSubject string
}

// checkAuthorization checks the parameters of an authorization request:
// the client and redirect URI (trustedTarget), then the resources and
// everything parseAuthRequest checks, and an id_token_hint. The
// authorization endpoint and the pushed authorization request endpoint
// both call it, so that a pushed request is checked as fully at the push
// (RFC 9126 §2.1). pushed says the parameters came through a push; when
// not, a client or server that requires pushing refuses them. trusted says
// whether the failure may go back to c.back.
func (p *Provider) checkAuthorization(r *http.Request, raw url.Values, pushed bool) (c *checkedAuthz, e *catalog.Error, trusted bool) {
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(raw[k]) > 1 {
			return nil, catalog.New(catalog.ParameterDuplicated, "parameter", k), false
		}
	}
	clientID := raw.Get("client_id")
	client, redirectURI, e := p.trustedTarget(r, clientID, raw.Get("redirect_uri"), raw.Has("redirect_uri"))
	if e != nil {
		return nil, e, false
	}
	if pushed && p.fapi(client) && raw.Get("redirect_uri") == "" {
		// FAPI 2.0 §5.3.2.2 item 6: named in every push, even when one is
		// registered. Refused at the push, so never met at /authorize.
		return nil, catalog.New(catalog.FAPIRedirectURIMissing, "client_id", client.ID), false
	}

	// From here on the redirect URI is trusted: errors go back to it.
	back, e := p.replyTarget(r.Context(), client, redirectURI, raw)
	if e != nil {
		return nil, e, false
	}
	c = &checkedAuthz{client: client, back: back}
	if e := p.parRequired(client, pushed); e != nil {
		return c, e, true
	}
	params, e := single(raw)
	if e != nil {
		return c, e, true
	}
	var resources []string
	if res := raw["resource"]; len(res) > 0 {
		if resources, e = p.resourceAudience(r.Context(), client, res, false); e != nil {
			return c, e, true
		}
	}
	details, resources, e := p.authorizeDetails(r.Context(), client, params, resources)
	if e != nil {
		return c, e, true
	}
	if c.ar, e = p.parseAuthRequest(r.Context(), params, client, resources); e != nil {
		return c, e, true
	}
	c.ar.Resources = resources
	c.ar.AuthorizationDetails = rar.Encode(details)
	c.ar.RedirectURI = redirectURI
	c.ar.RedirectURIGiven = raw.Has("redirect_uri")
	if hint := params["id_token_hint"]; hint != "" {
		if c.hintSubject, e = p.idTokenHintSubject(hint, client.ID); e != nil {
			return c, e, true
		}
	}
	return c, nil, true
}

// paramsInPostQuery catches a POST to the authorization endpoint whose
// parameters are in the URL: OIDC Core §3.1.2.1 takes a POST's parameters
// from its form body only, so without this the request would be told
// that client_id is missing, which it plainly sent.
func (p *Provider) paramsInPostQuery(w http.ResponseWriter, r *http.Request) *catalog.Error {
	if r.Method != http.MethodPost {
		return nil
	}
	q := r.URL.Query()
	if !q.Has("client_id") {
		return nil
	}
	if readForm(w, r) == nil && r.PostForm.Has("client_id") {
		return nil // a proper form; the query is not read
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	return catalog.New(catalog.AuthorizePostParamsInQuery, "parameters", strings.Join(names, ", "))
}

// trustedTarget resolves the client and the redirect URI. Any failure here
// must not redirect: the target cannot be trusted (RFC 6749 §4.1.2.1).
func (p *Provider) trustedTarget(r *http.Request, clientID, redirectURI string, given bool) (*store.Client, string, *catalog.Error) {
	client, e := p.authorizeClient(r.Context(), clientID)
	if e != nil {
		return nil, "", e
	}
	if len(client.RedirectURIs) == 0 {
		return nil, "", catalog.New(catalog.AuthorizeClientNoRedirectURIs, "client_id", clientID, "grant_types", orNone(strings.Join(client.GrantTypes, " "))).
			Internal("redirect_uri", redirectURI)
	}
	if !given || redirectURI == "" {
		if len(client.RedirectURIs) != 1 {
			return nil, "", catalog.New(catalog.RedirectURIRequired, "client_id", clientID, "count", len(client.RedirectURIs))
		}
		return client, client.RedirectURIs[0], nil
	}
	u, err := url.Parse(redirectURI)
	switch {
	case err != nil:
		return nil, "", catalog.New(catalog.RedirectURIMalformed, "redirect_uri", redirectURI, "reason", "it is not a valid URI")
	case !u.IsAbs():
		return nil, "", catalog.New(catalog.RedirectURIMalformed, "redirect_uri", redirectURI, "reason", "it is not an absolute URI")
	case u.Fragment != "" || strings.Contains(redirectURI, "#"):
		return nil, "", catalog.New(catalog.RedirectURIMalformed, "redirect_uri", redirectURI, "reason", "it contains a fragment (#), which RFC 6749 §3.1.2 forbids")
	case !validPort(u.Port()):
		// A registered loopback URI matches any port (RFC 8252 §7.3), but
		// only a port a socket can have.
		return nil, "", catalog.New(catalog.RedirectURIMalformed, "redirect_uri", redirectURI, "reason", "its port is not between 1 and 65535")
	}
	for _, reg := range client.RedirectURIs {
		if reg == redirectURI || loopbackMatch(reg, u) {
			return client, redirectURI, nil
		}
	}
	return nil, "", catalog.New(catalog.RedirectURINotRegistered, "redirect_uri", redirectURI, "client_id", clientID).
		Internal("registered", strings.Join(client.RedirectURIs, " "))
}

// authorizeClient finds the enabled client of an authorization request.
func (p *Provider) authorizeClient(ctx context.Context, clientID string) (*store.Client, *catalog.Error) {
	if clientID == "" {
		return nil, catalog.New(catalog.AuthorizeClientIDMissing)
	}
	client, err := p.store.GetClient(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.AuthorizeClientUnknown, "client_id", clientID)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	if client.Disabled {
		return nil, catalog.New(catalog.AuthorizeClientDisabled, "client_id", clientID)
	}
	return client, nil
}

// validPort accepts no port or a TCP port, 1 to 65535; url.Parse checks
// only that a port is digits.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// loopbackMatch applies RFC 8252 §7.3: a native app's loopback IP redirect
// may use any port; everything else must match exactly.
func loopbackMatch(registered string, given *url.URL) bool {
	if given.Scheme != "http" {
		return false
	}
	reg, err := url.Parse(registered)
	if err != nil || reg.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(given.Hostname())
	if ip == nil || !ip.IsLoopback() || reg.Hostname() != given.Hostname() {
		return false
	}
	return reg.Path == given.Path && reg.RawQuery == given.RawQuery && reg.User == nil && given.User == nil
}

var promptValues = map[string]bool{"none": true, "login": true, "consent": true, "select_account": true}

// parseAuthRequest validates everything but the client, the redirect URI
// and the resources (already checked, given as resources).
func (p *Provider) parseAuthRequest(ctx context.Context, params map[string]string, client *store.Client, resources []string) (*store.AuthRequest, *catalog.Error) {
	if _, ok := params["request_uri"]; ok {
		return nil, catalog.New(catalog.RequestURIUnsupp)
	}
	ar := &store.AuthRequest{ClientID: client.ID, State: params["state"], Nonce: params["nonce"],
		LoginHint: params["login_hint"], UILocales: params["ui_locales"], ACRValues: params["acr_values"]}

	rt, ok := params["response_type"]
	switch {
	case !ok || rt == "":
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "response_type")
	case rt != "code":
		return nil, catalog.New(catalog.ResponseTypeUnsupported, "value", rt, "supported", "code")
	case !contains(client.ResponseTypes, "code") || !contains(client.GrantTypes, "authorization_code"):
		return nil, catalog.New(catalog.ResponseTypeNotAllowed, "client_id", client.ID, "value", rt)
	}
	if ar.ResponseMode, ok = responseMode(params["response_mode"]); !ok {
		return nil, catalog.New(catalog.ResponseModeUnknown, "value", params["response_mode"])
	}

	ar.Scopes = scopes(params["scope"])
	if len(ar.Scopes) == 0 {
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "scope")
	}
	_, audience := params["audience"]
	if e := p.checkAuthScopes(ctx, ar.Scopes, client, resources, audience); e != nil {
		return nil, e
	}

	if v, ok := params["prompt"]; ok {
		ar.Prompt = strings.Fields(v)
		for _, pv := range ar.Prompt {
			if !promptValues[pv] {
				return nil, catalog.New(catalog.PromptUnknown, "value", pv)
			}
		}
		if contains(ar.Prompt, "none") && len(ar.Prompt) > 1 {
			return nil, catalog.New(catalog.PromptNoneCombined, "value", v)
		}
	}
	if e := acrValuesServed(ar.ACRValues); e != nil {
		return nil, e
	}
	if v, ok := params["max_age"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, catalog.New(catalog.MaxAgeInvalid, "value", strconv.Quote(v))
		}
		ar.MaxAge = &n
	}

	method, hasMethod := params["code_challenge_method"]
	challenge := params["code_challenge"]
	if hasMethod && method != "S256" {
		return nil, catalog.New(catalog.PKCEMethodUnsupported, "value", method)
	}
	if challenge == "" {
		if p.fapi(client) {
			return nil, catalog.New(catalog.FAPIPKCERequired, "client_id", client.ID)
		}
		if client.Public() || client.RequirePKCE || hasMethod {
			return nil, catalog.New(catalog.PKCEChallengeMissing, "client_id", client.ID)
		}
	} else {
		if !hasMethod {
			// RFC 7636 defaults to plain, which Lucid does not accept.
			return nil, catalog.New(catalog.PKCEMethodUnsupported, "value", "plain (the default when code_challenge_method is absent)")
		}
		if d := pkceShape(challenge, 43, 43); d != "" {
			return nil, catalog.New(catalog.PKCEChallengeMalformed, "length", len(challenge), "detail", d)
		}
		ar.CodeChallenge, ar.CodeChallengeMethod = challenge, method
	}
	var e *catalog.Error
	if ar.DPoPJKT, e = dpopJKTParam(params); e != nil {
		return nil, e
	}
	return ar, nil
}

// checkAuthScopes checks the scopes of an authorization request: the
// OpenID scopes, and the scopes of registered APIs (delegated access), each
// allowed to the client. An API's scope needs its API among the request's
// resources (RFC 8707): the access token is for the APIs named there and
// carries only their scopes (audienceScopes), so a scope whose API is not
// named could never reach the token, and Lucid does not guess an API.
// audience says the request has an audience parameter, which some
// providers take instead of resource.
func (p *Provider) checkAuthScopes(ctx context.Context, requested []string, client *store.Client, resources []string, audience bool) *catalog.Error {
	var owners map[string][]string
	for _, s := range requested {
		if knownScope(s) {
			if !contains(client.Scopes, s) {
				return catalog.New(catalog.ScopeNotAllowed, "client_id", client.ID, "scope", s, "allowed", orNone(strings.Join(client.Scopes, " ")))
			}
			continue
		}
		if owners == nil {
			owners = p.apis.scopeIndex(ctx, resources)
		}
		own := owners[s]
		if len(own) == 0 {
			return catalog.New(catalog.ScopeUnknown, "scope", s)
		}
		if !contains(client.Scopes, s) {
			return catalog.New(catalog.ScopeNotAllowed, "client_id", client.ID, "scope", s, "allowed", orNone(strings.Join(client.Scopes, " ")))
		}
		if !slices.ContainsFunc(own, func(o string) bool { return contains(resources, o) }) {
			named := "none"
			switch {
			case len(resources) > 0:
				named = strings.Join(resources, " ")
			case audience:
				named = "none; the audience parameter it has is not read at the authorization endpoint"
			}
			return catalog.New(catalog.ScopeNeedsResource, "scope", s, "owner", strings.Join(own, " or "), "named", named)
		}
	}
	return nil
}

// idTokenHintSubject verifies an id_token_hint issued by Lucid to this
// client and returns its subject. An expired hint is still a valid hint.
func (p *Provider) idTokenHintSubject(hint, clientID string) (string, *catalog.Error) {
	c, reason := p.parseIDTokenHint(hint)
	if reason != "" {
		return "", catalog.New(catalog.IDTokenHintInvalid, "reason", reason)
	}
	if clientID != "" && !c.audience(clientID) {
		return "", catalog.New(catalog.IDTokenHintInvalid, "reason", "it was issued to another client")
	}
	return c.Subject, nil
}

type hintClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience audience `json:"aud"`
	SID      string   `json:"sid"`
}

func (c hintClaims) audience(id string) bool { return contains(c.Audience, id) }

// parseIDTokenHint returns the claims of an ID token signed by Lucid, or why it is not one.
func (p *Provider) parseIDTokenHint(hint string) (hintClaims, string) {
	var c hintClaims
	payload, err := p.keys.Verify(hint, "JWT")
	if err != nil {
		return c, "its signature or format does not check out against this server's keys"
	}
	if json.Unmarshal(payload, &c) != nil || c.Subject == "" {
		return c, "its claims cannot be read"
	}
	if c.Issuer != p.issuer {
		return c, "it was issued by " + c.Issuer
	}
	return c, ""
}

// consentStep issues the code, or asks for consent first when the user has
// not granted these scopes to this client (or the client asked to be asked).
func (p *Provider) consentStep(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, user *store.User, stored bool) {
	ctx := r.Context()
	if client.ID == accountClientID {
		// A sign-in for the account page: signed in, back to it.
		p.dropInteraction(ctx, ar.ID)
		http.Redirect(w, r, PathAccount, http.StatusSeeOther)
		return
	}
	back := replyFor(ar)
	need := !client.SkipConsent
	if need && !contains(ar.Prompt, "consent") {
		c, err := p.store.GetConsent(ctx, user.ID, client.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			p.failRedirect(w, r, back, failure.FromStore(err))
			return
		default:
			covered, err := consentedDetails(ar.AuthorizationDetails, c.AuthorizationDetails)
			if err != nil {
				p.failRedirect(w, r, back, catalog.New(catalog.ServerError).Wrap(err))
				return
			}
			need = len(missing(ar.Scopes, c.Scopes)) > 0 || !covered
		}
	}
	if !need {
		p.issueCode(w, r, ar, client)
		return
	}
	if contains(ar.Prompt, "none") {
		p.failRedirect(w, r, back, catalog.New(catalog.ConsentRequired, "scope", strings.Join(ar.Scopes, " ")))
		return
	}
	if !stored {
		ar.ID = secret.Token(24)
		if err := p.store.CreateAuthRequest(ctx, ar); err != nil {
			p.failRedirect(w, r, back, failure.FromStore(err))
			return
		}
	}
	http.Redirect(w, r, PathConsent+"?interaction="+url.QueryEscape(ar.ID), http.StatusFound)
}

// issueCode mints the authorization code and sends it to the client.
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client) {
	ctx := r.Context()
	back := replyFor(ar)
	now := p.now()
	code := credential.New(credential.Code)
	ac := &store.AuthCode{
		Hash:                secret.Hash(code),
		ClientID:            client.ID,
		UserID:              ar.UserID,
		RedirectURI:         ar.RedirectURI,
		RedirectURIGiven:    ar.RedirectURIGiven,
		Scopes:              ar.Scopes,
		Nonce:               ar.Nonce,
		CodeChallenge:       ar.CodeChallenge,
		CodeChallengeMethod: ar.CodeChallengeMethod,
		Resources:           ar.Resources,
		DPoPJKT:             ar.DPoPJKT,
		SessionID:           ar.SessionID,
		// The details of the request are those the user saw and approved.
		AuthorizationDetails: ar.AuthorizationDetails,
		AuthTime:             ar.AuthTime,
		AMR:                  ar.AMR,
		ACR:                  ar.ACR,
		CreatedAt:            now,
		ExpiresAt:            now.Add(p.codeLifetime(client)),
	}
	if err := p.store.CreateAuthCode(ctx, ac); err != nil {
		p.failRedirect(w, r, back, failure.FromStore(err))
		return
	}
	if ar.ID != "" {
		if err := p.store.DeleteAuthRequest(ctx, ar.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			p.log.WarnContext(ctx, "could not delete finished authorization request", "trace_id", trace.ID(ctx), "err", err)
		}
	}
	v := url.Values{}
	v.Set("code", code)
	if ar.State != "" {
		v.Set("state", ar.State)
	}
	v.Set("iss", p.issuer)
	p.reply(w, r, back, v)
}

// replyTo is where an authorization response goes.
type replyTo struct {
	uri      string
	mode     string // query, fragment or form_post, or one of them with .jwt (JARM)
	state    string
	clientID string
}

// failRedirect sends an authorization error back to the client.
func (p *Provider) failRedirect(w http.ResponseWriter, r *http.Request, to replyTo, e *catalog.Error) {
	p.record(r, catalog.Authorize, to.clientID, e)
	p.reply(w, r, to, e.RedirectParams(p.issuer, to.state, trace.ID(r.Context())))
}

// reply delivers response parameters by the response mode.
func (p *Provider) reply(w http.ResponseWriter, r *http.Request, to replyTo, v url.Values) {
	if base, ok := jwtMode(to.mode); ok {
		var e *catalog.Error
		if v, e = p.jarmReply(r, to, v); e != nil {
			p.failPage(w, r, catalog.Authorize, to.clientID, e)
			return
		}
		to.mode = base
	}
	w.Header().Set("Cache-Control", "no-store")
	switch to.mode {
	case "form_post":
		fields := make([]ui.Field, 0, len(v))
		for k := range v {
			fields = append(fields, ui.Field{Name: k, Value: v.Get(k)})
		}
		p.ui.FormPost(w, ui.FormPostPage{Action: to.uri, Params: fields})
	case "fragment":
		http.Redirect(w, r, to.uri+"#"+v.Encode(), http.StatusFound)
	default:
		u, _ := url.Parse(to.uri) // validated in trustedTarget
		q := u.Query()
		for k := range v {
			q.Set(k, v.Get(k))
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
}

// pkceShape checks a code_challenge or code_verifier against RFC 7636's
// length and alphabet; it returns "" when fine, else what is wrong.
func pkceShape(s string, minLen, maxLen int) string {
	if len(s) < minLen || len(s) > maxLen {
		return " (expected " + strconv.Itoa(minLen) + lengthRange(minLen, maxLen) + ")"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return ", including a character outside A-Z a-z 0-9 - . _ ~ at position " + strconv.Itoa(i+1)
		}
	}
	return ""
}

func lengthRange(minLen, maxLen int) string {
	if minLen == maxLen {
		return ""
	}
	return " to " + strconv.Itoa(maxLen)
}
