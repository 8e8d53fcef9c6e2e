package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Client-initiated backchannel authentication (OpenID CIBA Core 1.0).
//
//   - The client authenticates as at the token endpoint; public clients
//     and clients without the CIBA grant are refused.
//   - The person is named by exactly one hint: login_hint (a username,
//     e-mail address or user id), id_token_hint (an ID token Lucid issued
//     to this client; an expired one is fine, it only names the person)
//     or login_hint_token (a JWT of an issuer in
//     ciba.login_hint_token_issuers, whose sub names the user).
//   - user_code: a client registered with backchannel_user_code_parameter
//     sends the person's CIBA user code with every request, checked
//     against the code they set (ciba_user_code.go); other clients send none.
//   - A client registered with backchannel_authentication_request_signing_alg
//     sends every request signed (the request parameter, §7.1.1), checked
//     by the request-object rules of the client JWT verifier.
//   - The answer is a random auth_req_id (256 bits) stored only as its
//     SHA-256; in ping and push mode the auth_req_id and the
//     client_notification_token are kept sealed with the master key, for
//     the notification.
//   - The person decides on /approvals (approvals.go) or through the admin
//     API; the client polls the token endpoint (token_ciba.go), or in push
//     mode gets the tokens at its notification endpoint (ciba_push.go).

// PathBackchannel is the backchannel authentication endpoint.
const PathBackchannel = "/bc-authorize"

// maxBindingMessage bounds binding_message, in characters: it is shown on
// a phone next to the client's name and must be read at a glance.
const maxBindingMessage = 64

// maxNotificationToken bounds client_notification_token.
const maxNotificationToken = 1024

// b64token is RFC 6750 §2.1's syntax of a bearer token.
var b64token = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// cibaResponse is OpenID CIBA Core §7.3.
type cibaResponse struct {
	AuthReqID string `json:"auth_req_id"`
	ExpiresIn int64  `json:"expires_in"`
	Interval  int    `json:"interval"`
}

// cibaSecrets are parameters that must not travel in the query.
var cibaSecrets = []string{"client_notification_token", "login_hint_token", "id_token_hint", "request", "user_code"}

// handleBackchannel is the backchannel authentication endpoint (§7).
func (p *Provider) handleBackchannel(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.postForm(w, r, catalog.Backchannel, cibaSecrets...); !ok {
		return
	}
	ctx := r.Context()
	client, _, e := p.clients.Authenticate(ctx, r, r.PostForm)
	if e != nil {
		p.fail(w, r, catalog.Backchannel, claimedClient(r), e)
		return
	}
	br, authReqID, e := p.startBackchannel(ctx, client, r.PostForm)
	if e != nil {
		p.fail(w, r, catalog.Backchannel, client.ID, e)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	resp := cibaResponse{AuthReqID: authReqID, ExpiresIn: int64(br.ExpiresAt.Sub(br.CreatedAt) / time.Second), Interval: br.Interval}
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		p.log.WarnContext(ctx, "writing backchannel authentication response", "trace_id", trace.ID(ctx), "err", err)
	}
}

// startBackchannel checks a request and stores it; it returns the stored
// request and its auth_req_id.
func (p *Provider) startBackchannel(ctx context.Context, client *store.Client, form url.Values) (*store.BackchannelRequest, string, *catalog.Error) {
	if client.Public() {
		return nil, "", catalog.New(catalog.CIBAPublicClient, "client_id", client.ID)
	}
	if !contains(client.GrantTypes, string(granttype.CIBA)) {
		allowed := slices.Clone(client.GrantTypes)
		slices.Sort(allowed)
		return nil, "", catalog.New(catalog.CIBAGrantNotAllowed, "client_id", client.ID, "allowed", strings.Join(allowed, " "))
	}
	meta := client.Backchannel
	if meta == nil {
		meta = &store.BackchannelClient{DeliveryMode: store.DeliveryPoll}
	}
	if meta.DeliveryMode == store.DeliveryPush && p.fapi(client) {
		// Registered for push before it came under the profile.
		return nil, "", catalog.New(catalog.FAPICIBAPush, "client_id", client.ID, "what", "started")
	}
	params, e := p.backchannelParams(ctx, client, meta, form)
	if e != nil {
		return nil, "", e
	}
	get := func(k string) string { return params.Get(k) }

	requested := scopes(get("scope"))
	if !contains(requested, "openid") {
		shown := strings.Join(requested, " ")
		if shown == "" {
			shown = "(no scope)"
		}
		return nil, "", catalog.New(catalog.CIBAOpenIDMissing, "scope", shown)
	}
	for _, s := range requested {
		if !contains(client.Scopes, s) {
			return nil, "", catalog.New(catalog.CIBAScopeNotAllowed, "client_id", client.ID, "scope", s, "allowed", strings.Join(client.Scopes, " "))
		}
	}
	var hints []string
	for _, k := range []string{"login_hint", "login_hint_token", "id_token_hint"} {
		if get(k) != "" {
			hints = append(hints, k)
		}
	}
	switch len(hints) {
	case 0:
		return nil, "", catalog.New(catalog.CIBAHintMissing)
	case 1:
	default:
		return nil, "", catalog.New(catalog.CIBAHintsMultiple, "hints", strings.Join(hints, " and "))
	}
	binding := get("binding_message")
	if params.Has("binding_message") {
		if reason := bindingProblem(binding); reason != "" {
			return nil, "", catalog.New(catalog.CIBABindingMessageInvalid, "reason", reason)
		}
	}
	switch {
	case !meta.UserCodeParameter && params.Has("user_code"):
		return nil, "", catalog.New(catalog.CIBAUserCodeUnsupported, "client_id", client.ID)
	case meta.UserCodeParameter && get("user_code") == "":
		return nil, "", catalog.New(catalog.CIBAUserCodeMissing, "client_id", client.ID)
	}
	expiry := p.ciba.Expiry
	if params.Has("requested_expiry") {
		v := get("requested_expiry")
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || time.Duration(n)*time.Second > p.ciba.MaxExpiry {
			return nil, "", catalog.New(catalog.CIBARequestedExpiryInvalid, "value", clipClaim(strconv.Quote(v)), "max", int(p.ciba.MaxExpiry/time.Second))
		}
		expiry = time.Duration(n) * time.Second
	}
	token := get("client_notification_token")
	if meta.DeliveryMode == store.DeliveryPing || meta.DeliveryMode == store.DeliveryPush {
		switch {
		case token == "":
			return nil, "", catalog.New(catalog.CIBANotificationTokenMissing, "client_id", client.ID)
		case len(token) > maxNotificationToken:
			return nil, "", catalog.New(catalog.CIBANotificationTokenMalformed, "reason", "it is "+strconv.Itoa(len(token))+" characters long; at most "+strconv.Itoa(maxNotificationToken)+" are allowed")
		case !b64token.MatchString(token):
			return nil, "", catalog.New(catalog.CIBANotificationTokenMalformed, "reason", "it holds characters a bearer token may not have (RFC 6750 section 2.1 allows letters, digits and -._~+/ followed by =)")
		}
	}
	user, e := p.backchannelUser(ctx, client, hints[0], get(hints[0]))
	if e != nil {
		return nil, "", e
	}
	if meta.UserCodeParameter {
		if e := p.checkUserCode(ctx, user, get("user_code")); e != nil {
			return nil, "", e
		}
	}

	authReqID := secret.Token(32)
	now := p.now()
	br := &store.BackchannelRequest{
		Hash:           secret.Hash(authReqID),
		ID:             secret.ID(16),
		ClientID:       client.ID,
		UserID:         user.ID,
		Scopes:         requested,
		ACRValues:      catalog.Clip(get("acr_values"), 200),
		BindingMessage: binding,
		Mode:           meta.DeliveryMode,
		Interval:       int(p.ciba.Interval / time.Second),
		CreatedAt:      now,
		ExpiresAt:      now.Add(expiry),
		Status:         store.BackchannelPending,
	}
	if br.Mode == store.DeliveryPing || br.Mode == store.DeliveryPush {
		sealed, err := json.Marshal(pingSecret{AuthReqID: authReqID, Token: token})
		if err != nil {
			return nil, "", catalog.New(catalog.ServerError).Wrap(err)
		}
		br.Ping = p.secrets.Seal(sealed, pingAAD(br.Hash))
	}
	notice, err := p.noticeItems(br)
	if err != nil {
		return nil, "", catalog.New(catalog.ServerError).Wrap(err)
	}
	if err := p.store.CreateBackchannelRequest(ctx, br, notice...); err != nil {
		return nil, "", failure.FromStore(err)
	}
	if len(notice) > 0 {
		p.outbox.Wake()
	}
	return br, authReqID, nil
}

// pingSecret is what a ping-mode request keeps sealed for its notification.
type pingSecret struct {
	AuthReqID string `json:"auth_req_id"`
	Token     string `json:"client_notification_token"`
}

// pingAAD binds a sealed ping secret to its request.
func pingAAD(hash string) []byte { return []byte("ciba-ping|" + hash) }

// bindingProblem says why a binding_message cannot be shown, or "".
func bindingProblem(m string) string {
	n := utf8.RuneCountInString(m)
	switch {
	case m == "":
		return "it is empty"
	case !utf8.ValidString(m):
		return "it is not valid UTF-8"
	case n > maxBindingMessage:
		return "it is " + strconv.Itoa(n) + " characters long"
	case strings.TrimSpace(m) != m:
		return "it starts or ends with white space"
	}
	for _, c := range m {
		switch {
		case unicode.IsLetter(c), unicode.IsDigit(c), c == ' ':
		case c < 0x80 && unicode.IsPunct(c) && c != '<' && c != '>' && c != '&' && c != '"' && c != '\\', c == '+', c == '=', c == '$', c == '€', c == '£':
		default:
			return "it contains the character " + strconv.QuoteRune(c)
		}
	}
	return ""
}

// backchannelParams returns the request's parameters: the signed request's
// claims when the client signs (§7.1.1), else the form less the client's
// credentials. A client registered with a signing algorithm must sign;
// one registered without must not.
func (p *Provider) backchannelParams(ctx context.Context, client *store.Client, meta *store.BackchannelClient, form url.Values) (url.Values, *catalog.Error) {
	signed := form.Has("request")
	switch {
	case meta.SigningAlg != "" && !signed:
		return nil, catalog.New(catalog.CIBASignedRequestRequired, "client_id", client.ID, "alg", meta.SigningAlg)
	case meta.SigningAlg == "" && signed:
		return nil, catalog.New(catalog.CIBASignedRequestNotRegistered, "client_id", client.ID)
	case !signed:
		out := make(url.Values, len(form))
		for k, v := range form {
			if !slices.Contains(clientCredentials, k) && k != "client_id" {
				out[k] = v
			}
		}
		return out, nil
	}
	u := requestObjectUse
	u.Audiences, u.AudienceText = []string{p.issuer}, p.issuer+" (the issuer)"
	u.ReplayNamespace = "ciba_request " + client.ID
	u.Context = []any{"client_id", client.ID}
	u.NoneRefusal = "a signed authentication request is always signed (OpenID CIBA Core §7.1.1)"
	tok, e := clientjwt.Parse(form.Get("request"), &u)
	if e != nil {
		return nil, e
	}
	if tok.Alg != meta.SigningAlg {
		return nil, catalog.New(catalog.RequestObjectAlgNotRegistered, "alg", tok.Alg, "registered", meta.SigningAlg, "client_id", client.ID)
	}
	if p.fapi(client) {
		// §5.4.1 holds for every JWT a client under the profile signs.
		if e := fapi.CheckRequestObjectAlg(client.ID, tok.Alg); e != nil {
			return nil, e
		}
		u.KeyCheck = fapi.KeyRule(catalog.FAPICIBARequestKeySize, client.ID)
	}
	if e := p.jwts.Verify(ctx, tok, &u, p.clients.ClientKeys(client, requestObjectKeyNames)); e != nil {
		return nil, e
	}
	if tok.Iss != client.ID {
		return nil, catalog.New(catalog.RequestObjectIssuerMismatch, "iss", missingText(clipClaim(tok.Iss)), "client_id", client.ID)
	}
	params, e := objectParams(tok.Claims)
	if e != nil {
		return nil, e
	}
	if got := params.Get("client_id"); got != "" && got != client.ID {
		return nil, catalog.New(catalog.RequestObjectClientIDMismatch, "object", clipClaim(got), "client_id", client.ID)
	}
	if e := p.jwts.Spend(ctx, tok, &u); e != nil {
		return nil, e
	}
	return params, nil
}

// backchannelUser finds the active user a hint names.
func (p *Provider) backchannelUser(ctx context.Context, client *store.Client, kind, hint string) (*store.User, *catalog.Error) {
	var u *store.User
	var err error
	switch kind {
	case "login_hint":
		u, err = p.store.GetUserByUsername(ctx, hint)
		if errors.Is(err, store.ErrNotFound) {
			u, err = p.store.GetUser(ctx, hint)
		}
	case "id_token_hint":
		c, reason := p.parseIDTokenHint(hint)
		if reason == "" && !c.audience(client.ID) {
			reason = "it was issued to another client"
		}
		if reason != "" {
			return nil, catalog.New(catalog.CIBAIDTokenHintInvalid, "client_id", client.ID, "reason", reason)
		}
		u, err = p.store.GetUser(ctx, c.Subject)
	case "login_hint_token":
		sub, e := p.loginHintSubject(ctx, hint)
		if e != nil {
			return nil, e
		}
		u, err = p.store.GetUser(ctx, sub)
		if errors.Is(err, store.ErrNotFound) {
			u, err = p.store.GetUserByUsername(ctx, sub)
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, catalog.New(catalog.CIBAUnknownUser, "hint", kind).Internal("reason", "no such user", "hint_value", clipClaim(hint))
	case err != nil:
		return nil, failure.FromStore(err)
	case u.Disabled:
		return nil, catalog.New(catalog.CIBAUnknownUser, "hint", kind).Internal("reason", "the user is disabled", "user_id", u.ID)
	}
	return u, nil
}

// loginHintUse verifies login_hint_token values; its failures are turned
// into the CIBA entries by loginHintSubject, with the JWT bearer grant's
// precise texts as their reasons.
var loginHintUse = func() clientjwt.Use {
	u := bearerUse
	u.RequireSub = true
	return u
}()

// loginHintSubject verifies a login_hint_token from a configured issuer
// and returns its sub.
func (p *Provider) loginHintSubject(ctx context.Context, raw string) (string, *catalog.Error) {
	if len(p.ciba.LoginHintTokenIssuers) == 0 {
		return "", catalog.New(catalog.CIBALoginHintTokenUnsupported)
	}
	invalid := func(e *catalog.Error) *catalog.Error {
		if e.Name() == catalog.JWTBearerExpired {
			return catalog.New(catalog.CIBALoginHintTokenExpired, "ago", e.Value("ago"), "exp", e.Value("exp"))
		}
		reason := strings.TrimSuffix(e.Text(), ".")
		if r, size := utf8.DecodeRuneInString(reason); size > 0 {
			reason = string(unicode.ToLower(r)) + reason[size:]
		}
		return catalog.New(catalog.CIBALoginHintTokenInvalid, "reason", reason).Internal("verifier_entry", string(e.Name()))
	}
	u := loginHintUse
	tok, e := clientjwt.Parse(raw, &u)
	if e != nil {
		return "", invalid(e)
	}
	ti, ok := p.trusted[tok.Iss]
	if !ok || !slices.Contains(p.ciba.LoginHintTokenIssuers, tok.Iss) {
		return "", catalog.New(catalog.CIBALoginHintTokenInvalid, "reason", "its issuer "+strconv.Quote(clipClaim(tok.Iss))+" is not one whose login_hint_token values this server accepts")
	}
	u.Audiences, u.AudienceText = []string{p.issuer}, p.issuer+" (the issuer)"
	if ti.Audience != "" {
		u.Audiences, u.AudienceText = []string{ti.Audience}, ti.Audience
	}
	u.MaxLifetime = ti.MaxLifetime
	u.Context = []any{"iss", tok.Iss}
	if e := p.jwts.Verify(ctx, tok, &u, p.issuerKeys(ti)); e != nil {
		return "", invalid(e)
	}
	return tok.Sub, nil
}
