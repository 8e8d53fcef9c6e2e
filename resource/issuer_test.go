package resource_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// issuer is a stand-in for Lucid on loopback: discovery, a key set that
// can rotate, and access tokens signed with its current key.
type issuer struct {
	srv *httptest.Server
	URL string

	mu   sync.Mutex
	keys []signingKey // the first signs; all are published

	fetches atomic.Int32
	// hold, when set, blocks key set fetches until it is closed.
	hold atomic.Pointer[chan struct{}]
	// fail, when set, answers key set fetches with 500.
	fail atomic.Bool
}

type signingKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newIssuer() *issuer {
	is := &issuer{}
	is.rotate()
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL, "jwks_uri": is.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		if h := is.hold.Load(); h != nil {
			<-*h
		}
		if is.fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		is.mu.Lock()
		var set jose.JSONWebKeySet
		for _, k := range is.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "ES256", Use: "sig"})
		}
		is.mu.Unlock()
		_ = json.NewEncoder(w).Encode(set)
	})
	is.srv = httptest.NewServer(mux)
	is.URL = is.srv.URL
	return is
}

func (is *issuer) Close() { is.srv.Close() }

// rotate makes a new signing key; the old ones stay published.
func (is *issuer) rotate() string {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	kid := "key-" + strconv.Itoa(len(is.keys)+1)
	is.keys = append([]signingKey{{kid: kid, priv: priv}}, is.keys...)
	return kid
}

// token signs claims with the current key; typ is at+jwt unless given.
func (is *issuer) token(claims map[string]any, typ ...string) string {
	is.mu.Lock()
	k := is.keys[0]
	is.mu.Unlock()
	return sign(k, claims, typ...)
}

func sign(k signingKey, claims map[string]any, typ ...string) string {
	t := "at+jwt"
	if len(typ) > 0 {
		t = typ[0]
	}
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(t)).WithHeader(jose.HeaderKey("kid"), k.kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, opts)
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := s.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// claims are good claims for audience at now, changed by the pairs given.
func (is *issuer) claims(audience string, now time.Time, kv ...any) map[string]any {
	c := map[string]any{"iss": is.URL, "sub": "alice", "aud": audience, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"jti": "j1", "client_id": "notes", "scope": "orders:read"}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}
