package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// fakeUpstream is a small identity provider on loopback: an OAuth 2.0
// server (authorize, token, user info, a groups list) that is also an
// OpenID provider (discovery, JWKS, ID tokens) when oidc is set. Its
// answers are set per test through the fields under mu; it checks PKCE
// as a real server does.
type fakeUpstream struct {
	t    *testing.T
	srv  *httptest.Server
	key  *rsa.PrivateKey
	oidc bool

	mu sync.Mutex
	// user are the user-info claims; the ID token carries them too.
	user map[string]any
	// groups is the answer of /groups (an array).
	groups []any
	// deny, when set, is the error (and description) the authorize
	// endpoint redirects back with.
	deny, denyDesc string
	// noCode redirects back with the state only.
	noCode bool
	// tokenError makes the token endpoint refuse with this error code.
	tokenError string
	// userInfoStatus, when not 0, is the status of the user-info answer.
	userInfoStatus int
	// idClaims adjust the ID token's claims before signing.
	idClaims func(map[string]any)
	// signWith signs ID tokens with another key (bad signature).
	signWith *rsa.PrivateKey

	// The last authorization request, and codes issued.
	lastAuth url.Values
	codes    map[string]url.Values
}

func newFakeUpstream(t *testing.T, oidc bool) *fakeUpstream {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeUpstream{t: t, key: key, oidc: oidc, codes: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /jwks", f.jwks)
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /userinfo", f.userinfo)
	mux.HandleFunc("GET /groups", f.groupsList)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeUpstream) URL() string { return f.srv.URL }

func (f *fakeUpstream) set(fn func(f *fakeUpstream)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeUpstream) discovery(w http.ResponseWriter, r *http.Request) {
	if !f.oidc {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, map[string]any{
		"issuer": f.URL(), "authorization_endpoint": f.URL() + "/authorize", "token_endpoint": f.URL() + "/token",
		"userinfo_endpoint": f.URL() + "/userinfo", "jwks_uri": f.URL() + "/jwks",
		"id_token_signing_alg_values_supported": []string{"RS256"}, "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"},
	})
}

func (f *fakeUpstream) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (f *fakeUpstream) authorize(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	f.lastAuth = q
	back, _ := url.Parse(q.Get("redirect_uri"))
	out := url.Values{"state": {q.Get("state")}}
	switch {
	case f.deny != "":
		out.Set("error", f.deny)
		out.Set("error_description", f.denyDesc)
	case f.noCode:
	default:
		code := base64.RawURLEncoding.EncodeToString(randBytes(16))
		f.codes[code] = q
		out.Set("code", code)
	}
	back.RawQuery = out.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (f *fakeUpstream) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = r.ParseForm()
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "the fake upstream refused: " + code})
	}
	if f.tokenError != "" {
		fail(f.tokenError)
		return
	}
	auth, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code"))
	if !ok {
		fail("invalid_grant")
		return
	}
	// PKCE S256 (RFC 7636 §4.6): the verifier must hash to the challenge.
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if auth.Get("code_challenge_method") != "S256" || base64.RawURLEncoding.EncodeToString(sum[:]) != auth.Get("code_challenge") {
		fail("invalid_grant")
		return
	}
	out := map[string]any{"access_token": "at-" + base64.RawURLEncoding.EncodeToString(randBytes(12)), "token_type": "Bearer", "expires_in": 300}
	if f.oidc {
		now := time.Now()
		claims := map[string]any{"iss": f.URL(), "aud": auth.Get("client_id"), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"nonce": auth.Get("nonce")}
		for k, v := range f.user {
			claims[k] = v
		}
		if f.idClaims != nil {
			f.idClaims(claims)
		}
		key := f.key
		if f.signWith != nil {
			key = f.signWith
		}
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			f.t.Error(err)
			return
		}
		payload, _ := json.Marshal(claims)
		jws, err := sig.Sign(payload)
		if err != nil {
			f.t.Error(err)
			return
		}
		out["id_token"], _ = jws.CompactSerialize()
	}
	writeJSON(w, out)
}

func (f *fakeUpstream) userinfo(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if f.userInfoStatus != 0 {
		w.WriteHeader(f.userInfoStatus)
		_, _ = w.Write([]byte(`{"message":"the fake upstream is failing"}`))
		return
	}
	writeJSON(w, f.user)
}

func (f *fakeUpstream) groupsList(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON(w, f.groups)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
