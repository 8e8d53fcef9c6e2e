package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/jwe"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/store"
)

// JWT Secured Authorization Response Mode (JARM): with a response mode
// ending in .jwt, the parameters of an authorization response (a code or
// an error) travel as the claims of one JWT signed with Lucid's keys, in
// a single "response" parameter, so that the client can check where the
// response comes from and that nobody changed it on the way.

// jarmLifetime is how long a response JWT is valid: JARM §2.1 advises a
// short life (10 minutes); the client reads it at once.
const jarmLifetime = 10 * time.Minute

// jarmDefaultAlg is the algorithm when the client registered none (JARM §3).
const jarmDefaultAlg = keys.RS256

// responseModes are the response modes served, as discovery lists them.
func responseModes() []string {
	return []string{"query", "fragment", "form_post", "jwt", "query.jwt", "fragment.jwt", "form_post.jwt"}
}

// responseMode resolves a response_mode for the code response type: ""
// is query, and jwt is query.jwt (JARM §2.3.4). ok is false for a mode not
// served; the mode is then query, where the error about it goes.
func responseMode(m string) (mode string, ok bool) {
	switch m {
	case "", "query":
		return "query", true
	case "jwt":
		return "query.jwt", true
	case "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt":
		return m, true
	}
	return "query", false
}

// jwtMode reports whether mode is a JARM mode, and its underlying mode.
func jwtMode(mode string) (base string, ok bool) {
	return strings.CutSuffix(mode, ".jwt")
}

// replyTarget is where the answers to an authorization request go once
// the client and redirect URI are trusted. A JARM mode the client's
// registration cannot be honoured in is refused here, on a page: the
// client waits for a JWT, so a plain redirect would not help it, and the
// person should not sign in only to meet the failure at the end.
func (p *Provider) replyTarget(ctx context.Context, client *store.Client, redirectURI string, raw url.Values) (replyTo, *catalog.Error) {
	to := replyTo{uri: redirectURI, state: raw.Get("state"), clientID: client.ID}
	to.mode, _ = responseMode(raw.Get("response_mode"))
	if _, ok := jwtMode(to.mode); ok {
		if alg := p.jarmAlg(client); !p.signsWith(alg) {
			return to, catalog.New(catalog.JARMClientAlgUnavailable, "client_id", client.ID, "mode", raw.Get("response_mode"), "alg", alg)
		}
		// The same for the key the response is encrypted to: a client
		// that lost it hears so now, not after the person signed in.
		if client.AuthorizationEncAlg != "" {
			if _, e := p.clients.EncryptionKey(ctx, client, client.AuthorizationEncAlg, jarmEncryptionNames); e != nil {
				return to, e
			}
		}
	}
	return to, nil
}

// jarmEncryptionNames report a client key that cannot receive an
// encrypted response.
var jarmEncryptionNames = clientauth.EncryptionNames{Missing: catalog.JARMEncryptionKeyMissing, Unreachable: catalog.JARMEncryptionKeysUnreachable}

func (p *Provider) jarmAlg(c *store.Client) string {
	if c.AuthorizationAlg == "" {
		return p.signingAlg(c, jarmDefaultAlg)
	}
	return p.signingAlg(c, c.AuthorizationAlg)
}

func (p *Provider) signsWith(alg string) bool {
	_, ok := p.keys.KidFor(alg)
	return ok
}

// jarmReply turns the response parameters v into the JARM response: the
// single parameter "response", a JWT with iss, aud, iat, exp and every
// parameter of v as a claim (JARM §2.1, with Lucid's error_code and
// trace_id alongside error, error_description and error_uri).
func (p *Provider) jarmReply(r *http.Request, to replyTo, v url.Values) (url.Values, *catalog.Error) {
	client, err := p.store.GetClient(r.Context(), to.clientID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// Deleted while the person signed in.
			return nil, catalog.New(catalog.AuthorizeClientUnknown, "client_id", to.clientID)
		}
		return nil, failure.FromStore(err)
	}
	alg := p.jarmAlg(client)
	now := p.now()
	claims := make(map[string]any, len(v)+4)
	for k := range v {
		claims[k] = v.Get(k)
	}
	claims["iss"] = p.issuer
	claims["aud"] = client.ID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(jarmLifetime).Unix()
	// No typ header: nothing may take the response for an ID token
	// (typ JWT) or an access token (at+jwt) of the same keys.
	jwt, err := p.keys.Sign(alg, "", claims)
	if err != nil {
		if errors.Is(err, keys.ErrAlg) {
			return nil, catalog.New(catalog.JARMClientAlgUnavailable, "client_id", client.ID, "mode", to.mode, "alg", alg).Wrap(err)
		}
		return nil, catalog.New(catalog.SigningKeyMissing, "alg", alg).Wrap(err)
	}
	if client.AuthorizationEncAlg != "" {
		// Signed, then encrypted to the client (JARM §2.3): a nested JWT.
		// The key is looked up again: the client may have changed its
		// keys while the person signed in.
		key, e := p.clients.EncryptionKey(r.Context(), client, client.AuthorizationEncAlg, jarmEncryptionNames)
		if e != nil {
			return nil, e
		}
		if jwt, err = jwe.Encrypt(jwt, key, client.AuthorizationEncAlg, client.AuthorizationEncEnc); err != nil {
			return nil, catalog.New(catalog.ServerError).Wrap(err)
		}
	}
	return url.Values{"response": {jwt}}, nil
}
