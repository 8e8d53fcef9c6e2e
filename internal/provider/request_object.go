package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/store"
)

// Policy of request objects by value (JAR, RFC 9101), checked by the
// client JWT verifier:
//
//   - Signed with a key registered for the client (jwks or jwks_uri), or
//     (HS256/384/512) with the secret of a client_secret_jwt client, with
//     an algorithm of requestObjectAlgs, and with the client's
//     request_object_signing_alg when it registered one. Unsigned (alg
//     none) only for a client registered with none, and never in the
//     strict mode (strict_assertion_audience).
//   - typ, when present, oauth-authz-req+jwt (or the generic JWT); iss the
//     client_id (RFC 9101 §5); aud the issuer, a single value; exp
//     required, the lifetime at most maxRequestObjectLifetime counted from
//     iat; iat and nbf at most clientjwt.ClockSkew ahead; jti required and
//     accepted once per client.
//   - The object's client_id claim must be the client_id of the request.
//     Only the object's parameters are used (RFC 9101 §6.3): the query's
//     other parameters are ignored.
//   - A failure goes to the query's redirect URI when that is registered
//     for the client (with the query's state), else it is a page: the
//     object's own redirect_uri is unproven.

// requestObjectAlgs are the algorithms a request object may be signed with.
// The HMAC ones are keyed with the client secret (RFC 9101 §4, OIDC Core
// §10.1): only for clients whose secret Lucid can read back
// (client_secret_jwt; clientauth.SecretKeys).
var requestObjectAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}

const requestObjectAlgsText = "RS256, PS256, ES256, EdDSA (registered keys); HS256, HS384, HS512 (the secret of a client_secret_jwt client)"

// maxRequestObjectLifetime bounds exp minus iat (FAPI 2.0 Message
// Signing §5.3.2.1 allows 60 minutes).
const maxRequestObjectLifetime = 60 * time.Minute

// requestObjectUse is the request object's use of the client JWT verifier.
var requestObjectUse = clientjwt.Use{
	Names: clientjwt.Names{
		Malformed:        catalog.RequestObjectMalformed,
		AlgNotAllowed:    catalog.RequestObjectAlgNotAllowed,
		Unsigned:         catalog.RequestObjectUnsigned,
		TypInvalid:       catalog.RequestObjectTypInvalid,
		KeyUnknown:       catalog.RequestObjectKeyUnknown,
		KeyNotChosen:     catalog.RequestObjectKeyNotChosen,
		SignatureInvalid: catalog.RequestObjectSignatureInvalid,
		SecretTooShort:   catalog.RequestObjectSecretTooShort,
		AudienceInvalid:  catalog.RequestObjectAudienceInvalid,
		AudienceMultiple: catalog.RequestObjectAudienceMultiple,
		ExpiryMissing:    catalog.RequestObjectExpiryMissing,
		Expired:          catalog.RequestObjectExpired,
		NotYetValid:      catalog.RequestObjectNotYetValid,
		LifetimeTooLong:  catalog.RequestObjectLifetimeTooLong,
		JTIMissing:       catalog.RequestObjectJTIMissing,
		Replayed:         catalog.RequestObjectReplayed,
	},
	Algs:        requestObjectAlgs,
	AlgsText:    requestObjectAlgsText,
	Typ:         []string{"oauth-authz-req+jwt", "JWT", ""},
	RequireExp:  true,
	MaxLifetime: maxRequestObjectLifetime,
}

var requestObjectKeyNames = clientauth.KeyNames{
	Missing:     catalog.RequestObjectKeysMissing,
	Invalid:     catalog.RequestObjectKeysInvalid,
	Unreachable: catalog.RequestObjectKeysUnreachable,
}

// requestObjectAlgValues is request_object_signing_alg_values_supported:
// none is served (to clients registered for it) unless strict.
func requestObjectAlgValues(strict bool) []string {
	algs := clientjwt.AlgNames(requestObjectAlgs)
	if !strict {
		algs = append(algs, "none")
	}
	return algs
}

// jwtClaims are the request object's claims that are not authorization
// parameters.
var jwtClaims = map[string]bool{"iss": true, "aud": true, "exp": true, "iat": true, "nbf": true, "jti": true}

// requestObjectParams verifies the request object in form's request
// parameter, sent by client, and returns the authorization parameters it
// carries, the only ones that count (RFC 9101 §6.3). form's client_id,
// when present, must be the client's. The pushed authorization request
// endpoint calls it with the pushed form and the authenticated client.
func (p *Provider) requestObjectParams(ctx context.Context, client *store.Client, form url.Values) (url.Values, *catalog.Error) {
	if form.Has("request_uri") {
		return nil, catalog.New(catalog.RequestAndRequestURI)
	}
	raw := form.Get("request")
	if raw == "" {
		return nil, catalog.New(catalog.RequestObjectMalformed, "reason", "the request parameter is empty")
	}
	u := requestObjectUse
	u.Audiences, u.AudienceText = []string{p.issuer}, p.issuer+" (the issuer)"
	// Apart from client assertions: a jti may be spent once per use.
	u.ReplayNamespace = "request_object " + client.ID
	u.Context = []any{"client_id", client.ID}
	switch {
	case p.clients.Strict():
		u.NoneRefusal = "the server runs in strict mode (strict_assertion_audience), which never accepts them"
	case client.RequestObjectAlg != "none":
		u.NoneRefusal = "it is not registered with request_object_signing_alg none"
	default:
		u.AllowNone = true
	}
	tok, e := clientjwt.Parse(raw, &u)
	if e != nil {
		return nil, e
	}
	if p.fapi(client) {
		if e := fapi.CheckRequestObjectAlg(client.ID, tok.Alg); e != nil {
			return nil, e
		}
		u.KeyCheck = fapi.KeyRule(catalog.FAPIRequestObjectKeySize, client.ID)
	}
	if reg := client.RequestObjectAlg; reg != "" && tok.Alg != reg {
		return nil, catalog.New(catalog.RequestObjectAlgNotRegistered, "alg", tok.Alg, "registered", reg, "client_id", client.ID)
	}
	src := p.clients.ClientKeys(client, requestObjectKeyNames)
	if _, hmac := clientjwt.HMACKeySize(tok.Alg); hmac {
		var reason string
		if src, reason = p.clients.SecretKeys(client); src == nil {
			return nil, catalog.New(catalog.RequestObjectSecretUnusable, "alg", tok.Alg, "client_id", client.ID, "reason", reason)
		}
	}
	if e := p.jwts.Verify(ctx, tok, &u, src); e != nil {
		return nil, e
	}
	// iss is the client (RFC 9101 §5); an unsigned object may leave it out.
	if tok.Iss != client.ID && (tok.Alg != "none" || tok.Iss != "") {
		return nil, catalog.New(catalog.RequestObjectIssuerMismatch, "iss", missingText(clipClaim(tok.Iss)), "client_id", client.ID)
	}
	params, e := objectParams(tok.Claims)
	if e != nil {
		return nil, e
	}
	if got := params.Get("client_id"); got != client.ID || len(params["client_id"]) != 1 {
		return nil, catalog.New(catalog.RequestObjectClientIDMismatch, "object", missingText(clipClaim(got)), "client_id", client.ID)
	}
	if q := form.Get("client_id"); q != "" && q != client.ID {
		return nil, catalog.New(catalog.RequestObjectClientIDMismatch, "object", client.ID, "client_id", clipClaim(q))
	}
	if e := p.jwts.Spend(ctx, tok, &u); e != nil {
		return nil, e
	}
	return params, nil
}

// objectParams turns a request object's claims into authorization
// parameters: strings as they are, numbers and booleans as written, an
// array of strings as repeated values, an object (claims) as its JSON.
func objectParams(claims map[string]json.RawMessage) (url.Values, *catalog.Error) {
	out := make(url.Values, len(claims))
	for name, raw := range claims {
		bad := func() (url.Values, *catalog.Error) {
			return nil, catalog.New(catalog.RequestObjectMalformed, "reason", "the "+clipClaim(name)+" claim is not a string, a number, a boolean, an array of strings or an object")
		}
		if jwtClaims[name] {
			continue
		}
		if name == "request" || name == "request_uri" {
			return nil, catalog.New(catalog.RequestObjectNested, "claim", name)
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if name == detailsParam {
			// A JSON array claim (RFC 9396 §3); its JSON is the parameter,
			// which the authorization checks judge like any other.
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				return bad()
			}
			out.Set(name, b.String())
			continue
		}
		switch raw[0] {
		case '"':
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad()
			}
			out.Set(name, s)
		case '[':
			var l []string
			if json.Unmarshal(raw, &l) != nil {
				return bad()
			}
			out[name] = l
		case '{':
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				return bad()
			}
			out.Set(name, b.String())
		default:
			// A number or a boolean, as the client wrote it (max_age).
			out.Set(name, string(raw))
		}
	}
	return out, nil
}

// authorizeRequestObject replaces an authorization request's parameters
// by those of its request object. On a failure it has answered and
// returns false.
func (p *Provider) authorizeRequestObject(w http.ResponseWriter, r *http.Request, raw url.Values) (url.Values, bool) {
	clientID := raw.Get("client_id")
	client, e := p.authorizeClient(r.Context(), clientID)
	if e != nil {
		p.failPage(w, r, catalog.Authorize, clientID, e)
		return nil, false
	}
	params, e := p.requestObjectParams(r.Context(), client, raw)
	if e == nil {
		return params, true
	}
	// The query's redirect URI and state are not the request's (§6.3),
	// but a URI registered for the client is a safe place to say that its
	// request object failed; without one, a page says it.
	if _, uri, te := p.trustedTarget(r, clientID, raw.Get("redirect_uri"), raw.Has("redirect_uri")); te == nil {
		p.failRedirect(w, r, replyTo{uri: uri, mode: "query", state: raw.Get("state"), clientID: client.ID}, e)
	} else {
		p.failPage(w, r, catalog.Authorize, clientID, e)
	}
	return nil, false
}

func clipClaim(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

func missingText(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}
