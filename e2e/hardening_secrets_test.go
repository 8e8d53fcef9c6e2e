package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// toldCase is one token request whose answer must name an entry and, in
// its description, say some things and never others.
type toldCase struct {
	name  string
	form  url.Values
	mod   func(*http.Request)
	entry string
	// say must all be in the description; never must none be.
	say, never []string
}

// runTold sends each case to the token endpoint with a bogus code: an
// entry of authorization_code_unknown means the client authenticated.
func runTold(t *testing.T, l *lucid, cases []toldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := mergeForm(authenticatedOnly, tc.form)
			r := postToken(t, l, form, tc.mod)
			code, status := "invalid_client", http.StatusUnauthorized
			if tc.entry == "authorization_code_unknown" {
				code, status = "invalid_grant", http.StatusBadRequest
			}
			body := wantJSONError(t, l, r, tc.entry, code, status)
			for _, s := range tc.say {
				if !strings.Contains(body.Description, s) {
					t.Errorf("description %q does not say %q", body.Description, s)
				}
			}
			for _, s := range tc.never {
				if s != "" && strings.Contains(body.Description, strings.TrimSpace(s)) {
					t.Errorf("description %q says %q", body.Description, s)
				}
			}
		})
	}
}

// Issue 10, item 4: the client-secret mistakes people make are told apart,
// and none of the answers gives away a secret or an id not sent.
func TestClientSecretMistakesToldApart(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	basic, basicSecret := l.client(t, manage.ClientSpec{Name: "Basic"})
	post, postSecret := l.client(t, manage.ClientSpec{Name: "Post", AuthMethod: store.AuthSecretPost})
	pub, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	keyed, _ := l.client(t, manage.ClientSpec{Name: "Keyed", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, newClientKey(t, "k1"))})
	// A client that moved from a secret to keys: its secret went with the move.
	moved, movedSecret := l.client(t, manage.ClientSpec{Name: "Moved"})
	if _, err := l.Svc.UpdateClient(ctx, moved.ID, manage.ClientPatch{
		AuthMethod: ptrTo(store.AuthPrivateKeyJWT), JWKS: ptrTo(clientJWKS(t, newClientKey(t, "k1"))),
	}); err != nil {
		t.Fatal(err)
	}
	basicSID, postSID := basic.Secrets[0].ID, post.Secrets[0].ID
	// Nothing secret of any client, and no id but the one sent, may show.
	secrets := []string{basicSecret, postSecret, movedSecret}
	never := func(extra ...string) []string { return append(slices.Clone(secrets), extra...) }
	postWith := func(id, sec string) url.Values { return url.Values{"client_id": {id}, "client_secret": {sec}} }
	hmacKey := make([]byte, 32)
	_, _ = rand.Read(hmacKey)

	runTold(t, l, []toldCase{
		{name: "control: basic", mod: basicAuth(basic.ID, basicSecret), entry: "authorization_code_unknown"},
		{name: "control: post", form: postWith(post.ID, postSecret), entry: "authorization_code_unknown"},

		{name: "secret id sent as the secret, basic", mod: basicAuth(basic.ID, basicSID), entry: "client_secret_id_sent",
			say: []string{basic.ID, "is the id of one of its secrets"}, never: never(postSID)},
		{name: "secret id sent as the secret, post", form: postWith(post.ID, postSID), entry: "client_secret_id_sent",
			say: []string{post.ID}, never: never(basicSID)},
		{name: "secret id with a trailing newline", mod: basicAuth(basic.ID, basicSID+"\n"), entry: "client_secret_id_sent", never: never()},
		{name: "another client's secret id", mod: basicAuth(basic.ID, postSID), entry: "client_secret_wrong", never: never(basicSID)},

		{name: "trailing newline", mod: basicAuth(basic.ID, basicSecret+"\n"), entry: "client_secret_whitespace",
			say: []string{"a line feed after it"}, never: never(basicSID)},
		{name: "leading space and CRLF, post", form: postWith(post.ID, " "+postSecret+"\r\n"), entry: "client_secret_whitespace",
			say: []string{"a space before it and a carriage return, a line feed after it"}, never: never(postSID)},
		{name: "tab inside is not whitespace around", mod: basicAuth(basic.ID, basicSecret[:10]+"\t"+basicSecret[10:]), entry: "client_secret_wrong", never: never()},

		{name: "wrong secret", mod: basicAuth(basic.ID, strings.Repeat("x", 43)), entry: "client_secret_wrong", never: never(basicSID)},
		{name: "another client's secret", mod: basicAuth(basic.ID, postSecret), entry: "client_secret_wrong", never: never(basicSID)},

		{name: "public client sends a secret in Basic", mod: basicAuth(pub.ID, "made-up-secret-value"), entry: "client_public_presented_secret", never: never()},
		{name: "key client sent a secret, basic", mod: basicAuth(keyed.ID, basicSecret), entry: "client_secret_for_key_client",
			say: []string{keyed.ID, "private_key_jwt", "client_secret_basic"}, never: never()},
		{name: "client moved to keys sends its old secret", form: postWith(moved.ID, movedSecret), entry: "client_secret_for_key_client",
			say: []string{"client_secret_post"}, never: never()},
		{name: "key client sent an HMAC assertion", form: assertionForm(signJWT(t, jose.HS256, hmacKey, "", assertionClaims(l, keyed.ID))),
			entry: "client_secret_for_key_client", say: []string{"HS256"}, never: never()},
	})
}

// A rotated-out or removed secret is recognised, by its keyed hash only,
// for lifetimes.retired_secret: the answer says when and how it was
// retired; afterwards it is just wrong.
func TestClientSecretRetired(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	stamp := func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) }

	rotated, rotatedOld := l.client(t, manage.ClientSpec{Name: "Rotated"})
	rotatedAt := l.Clock.Now()
	_, rotatedNew, err := l.Svc.RotateClientSecret(ctx, rotated.ID, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	removed, removedOld := l.client(t, manage.ClientSpec{Name: "Removed", AuthMethod: store.AuthSecretPost})
	if _, _, err := l.Svc.AddClientSecret(ctx, removed.ID, nil); err != nil {
		t.Fatal(err)
	}
	l.Clock.Advance(time.Minute)
	removedAt := l.Clock.Now()
	if err := l.Svc.RemoveClientSecret(ctx, removed.ID, removed.Secrets[0].ID); err != nil {
		t.Fatal(err)
	}
	graced, gracedOld := l.client(t, manage.ClientSpec{Name: "Graced"})
	graceFrom := l.Clock.Now()
	if _, _, err := l.Svc.RotateClientSecret(ctx, graced.ID, time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	expiresAt := l.Clock.Now().Add(time.Minute)
	expiring, expiringOld := l.client(t, manage.ClientSpec{Name: "Expiring", SecretExpiresAt: &expiresAt})
	l.Clock.Advance(2 * time.Minute)

	never := []string{rotatedOld, rotatedNew, removedOld, gracedOld, expiringOld}
	runTold(t, l, []toldCase{
		{name: "control: the new secret", mod: basicAuth(rotated.ID, rotatedNew), entry: "authorization_code_unknown"},
		{name: "rotated out at once", mod: basicAuth(rotated.ID, rotatedOld), entry: "client_secret_retired",
			say: []string{stamp(rotatedAt), "replaced by a secret rotation"}, never: never},
		{name: "rotated out, with whitespace", mod: basicAuth(rotated.ID, rotatedOld+"\n"), entry: "client_secret_wrong", never: never},
		{name: "removed by the operator", form: url.Values{"client_id": {removed.ID}, "client_secret": {removedOld}}, entry: "client_secret_retired",
			say: []string{stamp(removedAt), "removed by the operator"}, never: never},
		{name: "grace period over", mod: basicAuth(graced.ID, gracedOld), entry: "client_secret_retired",
			say: []string{stamp(graceFrom.Add(time.Minute)), "grace period ended"}, never: never},
		{name: "expired on its own", mod: basicAuth(expiring.ID, expiringOld), entry: "client_secret_expired",
			say: []string{stamp(expiresAt)}, never: never},
	})

	// A new secret drops the expired one from the client's secrets; its
	// hash is kept, and it still answers "expired", at the same time.
	if _, _, err := l.Svc.AddClientSecret(ctx, expiring.ID, nil); err != nil {
		t.Fatal(err)
	}
	c, err := l.Store.GetClient(ctx, expiring.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets) != 1 || len(c.RetiredSecrets) != 1 || c.RetiredSecrets[0].Reason != store.RetiredByExpiry {
		t.Fatalf("after add-secret: secrets %+v, retired %+v", c.Secrets, c.RetiredSecrets)
	}
	runTold(t, l, []toldCase{{name: "expired, from the record", mod: basicAuth(expiring.ID, expiringOld), entry: "client_secret_expired",
		say: []string{stamp(expiresAt)}, never: never}})

	// The record is the keyed hash alone: no secret in the stored client,
	// and the admin API's view shows neither it nor its hash.
	c, err = l.Store.GetClient(ctx, rotated.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	if len(c.RetiredSecrets) != 1 || c.RetiredSecrets[0].Hash == "" || strings.Contains(string(raw), rotatedOld) {
		t.Fatalf("stored client: %s", raw)
	}
	v := jsonCall(t, l, http.MethodGet, "/admin/clients/"+rotated.ID, l.cfg.AdminToken, "")
	if v.status != http.StatusOK || strings.Contains(string(v.body), c.RetiredSecrets[0].Hash) {
		t.Fatalf("admin view %d: %s", v.status, v.body)
	}

	// Past lifetimes.retired_secret (30 days by default) they are forgotten.
	l.Clock.Advance(31 * 24 * time.Hour)
	runTold(t, l, []toldCase{
		{name: "rotated out long ago", mod: basicAuth(rotated.ID, rotatedOld), entry: "client_secret_wrong", never: never},
		{name: "removed long ago", form: url.Values{"client_id": {removed.ID}, "client_secret": {removedOld}}, entry: "client_secret_wrong", never: never},
	})
}

// The server keeps retired hashes for lifetimes.retired_secret; 0 keeps
// none. Through the admin API, as an operator rotates.
func TestClientSecretRetiredSetting(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setting time.Duration
		entry   string
	}{
		{"default", -1, "client_secret_retired"},
		{"one hour", time.Hour, "client_secret_retired"},
		{"off", 0, "client_secret_wrong"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, func(c *config.Config) {
				if tt.setting >= 0 {
					c.Lifetimes.RetiredSecret = tt.setting
				}
			})
			c, old := l.client(t, manage.ClientSpec{Name: "Rotated"})
			if v := jsonCall(t, l, http.MethodPost, "/admin/clients/"+c.ID+"/secrets", l.cfg.AdminToken, "{}"); v.status != http.StatusCreated {
				t.Fatalf("add secret: %d %s", v.status, v.body)
			}
			if v := jsonCall(t, l, http.MethodDelete, "/admin/clients/"+c.ID+"/secrets/"+c.Secrets[0].ID, l.cfg.AdminToken, ""); v.status != http.StatusNoContent {
				t.Fatalf("remove secret: %d %s", v.status, v.body)
			}
			runTold(t, l, []toldCase{{name: "removed", mod: basicAuth(c.ID, old), entry: tt.entry, never: []string{old}}})
			if tt.setting > 0 {
				l.Clock.Advance(tt.setting + time.Second)
				runTold(t, l, []toldCase{{name: "removed, past the setting", mod: basicAuth(c.ID, old), entry: "client_secret_wrong"}})
			}
		})
	}
}

// Issue 10, item 7: a client clock running ahead is named as such, even
// when the assertion's lifetime plus the skew exceeds the maximum; a skew
// within the allowance does not count against the lifetime.
func TestAssertionClockAheadNamed(t *testing.T) {
	l := start(t)
	k := newClientKey(t, "k1")
	c, _ := l.client(t, manage.ClientSpec{Name: "Service", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k)})
	now := l.Clock.Now()
	signed := func(iat, exp time.Time) url.Values {
		claims := assertionClaims(l, c.ID)
		claims["iat"], claims["exp"] = iat.Unix(), exp.Unix()
		return assertionForm(signJWT(t, jose.ES256, k.priv, "k1", claims))
	}
	lifetime := "lives"
	runTold(t, l, []toldCase{
		{name: "clock 5m ahead, full lifetime", form: signed(now.Add(5*time.Minute), now.Add(15*time.Minute)),
			entry: "client_assertion_issued_in_future", say: []string{"iat", "clock is 5m0s ahead"}, never: []string{lifetime}},
		{name: "clock 3m ahead, 9m lifetime", form: signed(now.Add(3*time.Minute), now.Add(12*time.Minute)),
			entry: "client_assertion_issued_in_future", say: []string{"clock is 3m0s ahead"}},
		{name: "clock 30s ahead, full lifetime", form: signed(now.Add(30*time.Second), now.Add(10*time.Minute+30*time.Second)),
			entry: "authorization_code_unknown"},
		{name: "honest clock, lifetime too long", form: signed(now, now.Add(time.Hour)), entry: "client_assertion_lifetime_too_long"},
	})
}

// The JWT bearer grant counts an assertion's lifetime from its iat when
// the issuer's clock is ahead within the skew, and names a clock further
// ahead.
func TestJWTBearerClockAhead(t *testing.T) {
	w := newBearerWorld(t)
	l := w.l
	auth := basicAuth(w.worker.ID, w.workerSec)
	now := l.Clock.Now()
	// The CI issuer allows 15 minutes.
	ci := func(iat time.Time, life time.Duration) string {
		return signJWT(t, jose.ES256, w.ci1, "ci-1", w.ciClaims("iat", iat.Unix(), "nbf", nil, "exp", iat.Add(life).Unix()))
	}
	wantIssued(t, postToken(t, l, bearerForm(ci(now.Add(30*time.Second), 15*time.Minute)), auth))
	e := wantJSONError(t, l, postToken(t, l, bearerForm(ci(now.Add(5*time.Minute), 15*time.Minute)), auth), "jwt_bearer_not_yet_valid", "invalid_grant", 400)
	if !strings.Contains(e.Description, "clock is 5m0s ahead") {
		t.Errorf("description does not name the clock: %s", e.Description)
	}
}

// Issue 10, item 9: client_assertion_issuer_mismatch does not present sub
// as the client_id when no client_id parameter names the client.
func TestAssertionIssuerMismatchText(t *testing.T) {
	l := start(t)
	k := newClientKey(t, "k1")
	c, _ := l.client(t, manage.ClientSpec{Name: "Service", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k)})
	claims := func(iss, sub string) map[string]any {
		m := assertionClaims(l, c.ID)
		m["iss"], m["sub"] = iss, sub
		return m
	}
	runTold(t, l, []toldCase{
		{name: "sub is another client, no client_id", form: assertionForm(signJWT(t, jose.ES256, k.priv, "k1", claims(c.ID, "someone-else"))),
			entry: "client_assertion_issuer_mismatch", say: []string{"not the same"}, never: []string{"client_id someone-else", "client_id, someone-else"}},
		{name: "with a client_id parameter", form: mergeForm(assertionForm(signJWT(t, jose.ES256, k.priv, "k1", claims("someone-else", c.ID))), url.Values{"client_id": {c.ID}}),
			entry: "client_assertion_issuer_mismatch", say: []string{"the client_id parameter, " + c.ID}},
	})
}

// Issue 10, item 9: a failed client authentication is filed under the
// client its credentials name, whichever way they were sent, so that
// `lucid explain` shows it.
func TestClientAuthFailureNamesClient(t *testing.T) {
	l := start(t)
	basic, _ := l.client(t, manage.ClientSpec{Name: "Basic"})
	k := newClientKey(t, "k1")
	keyed, _ := l.client(t, manage.ClientSpec{Name: "Service", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k)})
	expired := assertionClaims(l, keyed.ID)
	expired["iat"], expired["exp"] = l.Clock.Now().Add(-10*time.Minute).Unix(), l.Clock.Now().Add(-5*time.Minute).Unix()
	tests := []struct {
		name, entry  string
		form         url.Values
		mod          func(*http.Request)
		client       string
		unattributed bool
	}{
		{"wrong secret in Basic", "client_secret_wrong", nil, basicAuth(basic.ID, "wrong-secret"), basic.ID, false},
		{"expired assertion without client_id", "client_assertion_expired", assertionForm(signJWT(t, jose.ES256, k.priv, "k1", expired)), nil, keyed.ID, false},
		{"unknown client in Basic", "client_unknown", nil, basicAuth("nobody", "whatever"), "nobody", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postToken(t, l, mergeForm(authenticatedOnly, tt.form), tt.mod)
			wantJSONError(t, l, r, tt.entry, "invalid_client", http.StatusUnauthorized)
			var got struct{ Failure store.Failure }
			deadline := time.Now().Add(3 * time.Second)
			for {
				v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+r.header.Get(trace.Header), l.cfg.AdminToken, "")
				if v.status == http.StatusOK {
					if err := json.Unmarshal(v.body, &got); err != nil {
						t.Fatal(err)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no story: %d %s", v.status, v.body)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if got.Failure.ClientID != tt.client || got.Failure.Unattributed != tt.unattributed {
				t.Errorf("story client %q (unattributed %v), want %q (%v)", got.Failure.ClientID, got.Failure.Unattributed, tt.client, tt.unattributed)
			}
		})
	}
}

// Issue 10, item 9: discovery lists every method introspection and
// revocation accept, client_secret_jwt included, with their algorithms;
// and every method listed actually works there.
func TestDiscoveryEndpointAuthMethods(t *testing.T) {
	l := start(t)
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	list := func(k string) []string {
		var out []string
		l, _ := doc[k].([]any)
		for _, v := range l {
			out = append(out, v.(string))
		}
		return out
	}
	tokenAlgs := list("token_endpoint_auth_signing_alg_values_supported")
	k := newClientKey(t, "k1")
	type caller struct {
		form url.Values
		mod  func(*http.Request)
	}
	callers := map[string]func() caller{}
	b, bs := l.client(t, manage.ClientSpec{Name: "Basic"})
	callers[store.AuthSecretBasic] = func() caller { return caller{mod: basicAuth(b.ID, bs)} }
	p, ps := l.client(t, manage.ClientSpec{Name: "Post", AuthMethod: store.AuthSecretPost})
	callers[store.AuthSecretPost] = func() caller {
		return caller{form: url.Values{"client_id": {p.ID}, "client_secret": {ps}}}
	}
	j, js := l.client(t, manage.ClientSpec{Name: "Secret JWT", AuthMethod: store.AuthSecretJWT})
	callers[store.AuthSecretJWT] = func() caller {
		return caller{form: assertionForm(signJWT(t, jose.HS256, []byte(js), "", assertionClaims(l, j.ID)))}
	}
	pk, _ := l.client(t, manage.ClientSpec{Name: "Keys", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k)})
	callers[store.AuthPrivateKeyJWT] = func() caller {
		return caller{form: assertionForm(signJWT(t, jose.ES256, k.priv, "k1", assertionClaims(l, pk.ID)))}
	}
	pub, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	callers[store.AuthNone] = func() caller { return caller{form: url.Values{"client_id": {pub.ID}}} }

	for _, ep := range []string{"introspection", "revocation"} {
		t.Run(ep, func(t *testing.T) {
			methods := list(ep + "_endpoint_auth_methods_supported")
			if !slices.Contains(methods, store.AuthSecretJWT) {
				t.Errorf("%s methods %v lack client_secret_jwt", ep, methods)
			}
			if algs := list(ep + "_endpoint_auth_signing_alg_values_supported"); !slices.Equal(algs, tokenAlgs) {
				t.Errorf("%s signing algs %v, want the token endpoint's %v", ep, algs, tokenAlgs)
			}
			path := map[string]string{"introspection": "/introspect", "revocation": "/revoke"}[ep]
			for _, m := range methods {
				c := callers[m]()
				form := mergeForm(url.Values{"token": {"not-a-token-of-ours"}}, c.form)
				r := send(t, http.MethodPost, l.URL+path, strings.NewReader(form.Encode()), func(r *http.Request) {
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if c.mod != nil {
						c.mod(r)
					}
				})
				if r.status != http.StatusOK {
					t.Errorf("%s with %s, which discovery lists: %d %s", ep, m, r.status, r.body)
				}
			}
		})
	}
	if slices.Contains(list("introspection_endpoint_auth_methods_supported"), store.AuthNone) {
		t.Error("introspection lists none, but refuses public clients")
	}
}
