package server_test

// Benchmarks of the machine-to-machine and token hot paths, driven through
// the whole http.Handler (middleware, routing, client authentication,
// store, signing) on a real SQLite file, without a network in between;
// with LUCID_BENCH_POSTGRES=1, on a fresh database of the PostgreSQL that
// the store tests use (pgtest). docs/PERFORMANCE.md says how to run them
// and what they measured.
//
// Every operation checks the response status (and, where a 200 can still
// mean "no", the body), so a benchmark cannot report the speed of an error.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

const (
	// benchIssuer is never contacted: requests go straight to the handler.
	benchIssuer = "http://lucid.bench"
	benchAPI    = "https://orders.example.com"
	benchCB     = "https://app.example.com/cb"
	// benchVerifier is the PKCE verifier of every pre-minted code.
	benchVerifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
	// benchParallelism multiplies GOMAXPROCS into the number of concurrent
	// requests: paths that wait on an fsync need other requests in flight
	// to keep the CPU busy, as a real server with many clients has.
	benchParallelism = 8
	formType         = "application/x-www-form-urlencoded"
)

// bench is one Lucid with a fresh database.
type bench struct {
	h   http.Handler
	st  store.Store
	svc *manage.Service
}

func newBench(b *testing.B, adjust ...func(*config.Config)) *bench {
	b.Helper()
	// What `lucid serve` sets (server.TuneGC), unless GOGC is given.
	if os.Getenv("GOGC") == "" {
		old := debug.SetGCPercent(server.GCPercent)
		b.Cleanup(func() { debug.SetGCPercent(old) })
	}
	ctx := context.Background()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg := config.Default()
	cfg.Issuer = benchIssuer
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	for _, f := range adjust {
		f(&cfg)
	}
	var st store.Store
	var err error
	if os.Getenv("LUCID_BENCH_POSTGRES") != "" {
		cfg.Database = pgtest.Connect(b).FreshDSN(b)
		st, err = postgres.Open(ctx, cfg.Database)
	} else {
		path := filepath.Join(b.TempDir(), "lucid.db")
		cfg.Database = "sqlite:" + path
		st, err = sqlite.Open(ctx, path)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	srv, err := server.New(ctx, &cfg, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	sk, err := secret.Derive(master)
	if err != nil {
		b.Fatal(err)
	}
	svc := &manage.Service{Store: st, Secrets: sk, HashPassword: func(pw string) (string, error) {
		return password.HashWith(password.TestParams(), pw)
	}}
	return &bench{h: srv.Handler(), st: st, svc: svc}
}

// m2mClient registers a client_credentials client for benchAPI.
func (e *bench) m2mClient(b *testing.B, spec manage.ClientSpec) (*store.Client, string) {
	b.Helper()
	spec.Name = "bench m2m"
	spec.GrantTypes = []string{"client_credentials"}
	spec.Scopes = []string{"orders:read", "orders:write"}
	spec.Audiences = []string{benchAPI}
	c, sec, err := e.svc.CreateClient(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	return c, sec
}

func basicAuth(id, sec string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(sec)))
}

// post sends a form to path through the handler.
func (e *bench) post(path, auth, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", formType)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *bench) get(path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// ok reports a failed response; callers inside RunParallel stop their loop
// on false (b.Fatal may not end a RunParallel goroutine cleanly).
func ok(b *testing.B, what string, w *httptest.ResponseRecorder, want string) bool {
	if w.Code != http.StatusOK {
		b.Errorf("%s: HTTP %d: %.300s", what, w.Code, w.Body.String())
		return false
	}
	if want != "" && !strings.Contains(w.Body.String(), want) {
		b.Errorf("%s: body lacks %s: %.300s", what, want, w.Body.String())
		return false
	}
	return true
}

// parallel runs body on benchParallelism×GOMAXPROCS goroutines and reports,
// besides time and allocations, the CPU time (user + system, every thread
// of the process: handler, SQLite, GC) per operation. On a shared machine
// ns/op moves with the neighbours' load; cpu-ns/op much less so, and
// cores / cpu-ns/op bounds what one Lucid can serve.
func parallel(b *testing.B, body func(*testing.PB)) {
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(body)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// accessToken gets one access token for a client through the token endpoint.
func (e *bench) accessToken(b *testing.B, auth string) string {
	b.Helper()
	w := e.post("/token", auth, "grant_type=client_credentials&scope=orders%3Aread")
	if !ok(b, "token", w, "") {
		b.FailNow()
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.AccessToken == "" {
		b.Fatalf("token response %s: %v", w.Body.String(), err)
	}
	return resp.AccessToken
}

func BenchmarkClientCredentialsBasic(b *testing.B) {
	e := newBench(b)
	c, sec := e.m2mClient(b, manage.ClientSpec{})
	auth := basicAuth(c.ID, sec)
	const body = "grant_type=client_credentials&scope=orders%3Aread"
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			if !ok(b, "client_credentials", e.post("/token", auth, body), `"access_token"`) {
				return
			}
		}
	})
}

// BenchmarkClientCredentialsOpaque is the write path of client_credentials:
// every token is a row.
func BenchmarkClientCredentialsOpaque(b *testing.B) {
	e := newBench(b)
	c, sec := e.m2mClient(b, manage.ClientSpec{AccessTokenFormat: store.FormatOpaque})
	auth := basicAuth(c.ID, sec)
	const body = "grant_type=client_credentials&scope=orders%3Aread"
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			if !ok(b, "client_credentials opaque", e.post("/token", auth, body), `"access_token"`) {
				return
			}
		}
	})
}

func BenchmarkClientCredentialsPrivateKeyJWT(b *testing.B) {
	e := newBench(b)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: priv.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	c, _ := e.m2mClient(b, manage.ClientSpec{AuthMethod: store.AuthPrivateKeyJWT, JWKS: string(set)})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	// One assertion per operation, each with its own jti, signed before
	// the timer starts: the client's signing cost is not Lucid's.
	now := time.Now()
	bodies := make([]string, b.N)
	for i := range bodies {
		a, err := jwt.Signed(signer).Claims(jwt.Claims{
			Issuer: c.ID, Subject: c.ID, Audience: jwt.Audience{benchIssuer + "/token"},
			Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)), IssuedAt: jwt.NewNumericDate(now),
			ID: "bench-" + strconv.Itoa(i),
		}).Serialize()
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = url.Values{
			"grant_type":            {"client_credentials"},
			"scope":                 {"orders:read"},
			"client_id":             {c.ID},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {a},
		}.Encode()
	}
	var next atomic.Int64
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if !ok(b, "private_key_jwt", e.post("/token", "", bodies[i]), `"access_token"`) {
				return
			}
		}
	})
}

func benchIntrospect(b *testing.B, format string) {
	e := newBench(b)
	c, sec := e.m2mClient(b, manage.ClientSpec{AccessTokenFormat: format})
	auth := basicAuth(c.ID, sec)
	body := url.Values{"token": {e.accessToken(b, auth)}}.Encode()
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			if !ok(b, "introspection", e.post("/introspect", auth, body), `"active":true`) {
				return
			}
		}
	})
}

func BenchmarkIntrospectJWT(b *testing.B)    { benchIntrospect(b, store.FormatJWT) }
func BenchmarkIntrospectOpaque(b *testing.B) { benchIntrospect(b, store.FormatOpaque) }

// codeClient registers a confidential web client and a user, the parties
// of an authorization code.
func (e *bench) codeClient(b *testing.B, idTokenAlg string) (*store.Client, string, *store.User) {
	b.Helper()
	ctx := context.Background()
	c, sec, err := e.svc.CreateClient(ctx, manage.ClientSpec{
		Name: "bench web", RedirectURIs: []string{benchCB}, IDTokenAlg: idTokenAlg,
		Scopes: []string{"openid", "profile", "email", "offline_access"},
	})
	if err != nil {
		b.Fatal(err)
	}
	u, err := e.svc.CreateUser(ctx, manage.UserSpec{
		Username: "alice-" + secret.Token(4), Email: "alice-" + secret.Token(4) + "@example.com", EmailVerified: true,
		Name: "Alice Liddell", GivenName: "Alice", FamilyName: "Liddell", Password: "correct horse battery staple",
	})
	if err != nil {
		b.Fatal(err)
	}
	return c, sec, u
}

// mintCode stores an authorization code as the authorization endpoint
// would after sign-in and consent, and returns the code.
func (e *bench) mintCode(b *testing.B, c *store.Client, u *store.User, scopes []string) string {
	b.Helper()
	sum := sha256.Sum256([]byte(benchVerifier))
	now := time.Now()
	code := credential.New(credential.Code)
	err := e.st.CreateAuthCode(context.Background(), &store.AuthCode{
		Hash: secret.Hash(code), ClientID: c.ID, UserID: u.ID,
		RedirectURI: benchCB, RedirectURIGiven: true, Scopes: scopes, Nonce: "n-" + secret.Token(8),
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256",
		SessionID: secret.Token(16), AuthTime: now, AMR: []string{"pwd"},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		b.Fatal(err)
	}
	return code
}

func codeBody(code string) string {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {benchCB}, "code_verifier": {benchVerifier}}.Encode()
}

// BenchmarkCodeExchange redeems pre-minted codes for an access token and an
// ID token (scope openid profile email: no refresh token, so one write).
func BenchmarkCodeExchange(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			e := newBench(b)
			c, sec, u := e.codeClient(b, alg)
			auth := basicAuth(c.ID, sec)
			bodies := make([]string, b.N)
			for i := range bodies {
				bodies[i] = codeBody(e.mintCode(b, c, u, []string{"openid", "profile", "email"}))
			}
			var next atomic.Int64
			parallel(b, func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					if !ok(b, "code exchange", e.post("/token", auth, bodies[i]), `"id_token"`) {
						return
					}
				}
			})
		})
	}
}

// BenchmarkRefreshRotation follows one refresh-token chain per goroutine:
// every operation presents the token the previous one returned.
func BenchmarkRefreshRotation(b *testing.B) { benchRefreshRotation(b) }

// BenchmarkRefreshRotationGrace is the same with the refresh reuse grace
// on: every rotation also seals its answer for the old token's holder.
func BenchmarkRefreshRotationGrace(b *testing.B) {
	benchRefreshRotation(b, func(c *config.Config) { c.Lifetimes.RefreshReuseGrace = 10 * time.Second })
}

func benchRefreshRotation(b *testing.B, adjust ...func(*config.Config)) {
	e := newBench(b, adjust...)
	c, sec, u := e.codeClient(b, "ES256")
	auth := basicAuth(c.ID, sec)
	scopes := []string{"openid", "offline_access"}
	chains := make(chan string, benchParallelism*runtime.GOMAXPROCS(0))
	for range cap(chains) {
		w := e.post("/token", auth, codeBody(e.mintCode(b, c, u, scopes)))
		if !ok(b, "code exchange", w, `"refresh_token"`) {
			b.FailNow()
		}
		chains <- refreshToken(b, w)
	}
	parallel(b, func(pb *testing.PB) {
		var rt string
		select {
		case rt = <-chains:
		default:
			b.Error("more goroutines than prepared refresh-token chains")
			return
		}
		for pb.Next() {
			w := e.post("/token", auth, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt))
			if !ok(b, "refresh", w, `"refresh_token"`) {
				return
			}
			if rt = refreshToken(b, w); rt == "" {
				return
			}
		}
	})
}

func refreshToken(b *testing.B, w *httptest.ResponseRecorder) string {
	var resp struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.RefreshToken == "" {
		b.Errorf("no refresh token in %s: %v", w.Body.String(), err)
		return ""
	}
	return resp.RefreshToken
}

func benchGet(b *testing.B, path, want string) {
	e := newBench(b)
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			if !ok(b, path, e.get(path), want) {
				return
			}
		}
	})
}

func BenchmarkDiscovery(b *testing.B) {
	benchGet(b, "/.well-known/openid-configuration", `"issuer":"`+benchIssuer+`"`)
}

func BenchmarkJWKS(b *testing.B) { benchGet(b, "/jwks", `"keys":[`) }

// BenchmarkStartup is the in-process part of time-to-ready: opening the
// database (and migrating it) and building the server, on a fresh database
// (signing keys generated) and on one that already has its keys.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg := config.Default()
	cfg.Issuer = benchIssuer
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	start := func(b *testing.B, path string) {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := server.New(ctx, &cfg, st, nil); err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("fresh-db", func(b *testing.B) {
		dir := b.TempDir()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			start(b, filepath.Join(dir, strconv.Itoa(i)+".db"))
		}
	})
	b.Run("existing-db", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "lucid.db")
		start(b, path)
		b.ReportAllocs()
		for b.Loop() {
			start(b, path)
		}
	})
}

// BenchmarkClientCredentialsDPoP is client_credentials with a DPoP proof
// (ES256): the proof's signature checked, its jti spent in the store, the
// token bound with cnf.jkt. Proofs are signed before the timer starts.
func BenchmarkClientCredentialsDPoP(b *testing.B) {
	e := newBench(b)
	c, sec := e.m2mClient(b, manage.ClientSpec{})
	auth := basicAuth(c.ID, sec)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().Unix()
	proofs := make([]string, b.N)
	for i := range proofs {
		claims, _ := json.Marshal(map[string]any{"jti": "bench-" + strconv.Itoa(i), "htm": "POST", "htu": benchIssuer + "/token", "iat": now})
		jws, err := signer.Sign(claims)
		if err != nil {
			b.Fatal(err)
		}
		if proofs[i], err = jws.CompactSerialize(); err != nil {
			b.Fatal(err)
		}
	}
	const body = "grant_type=client_credentials&scope=orders%3Aread"
	var next atomic.Int64
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
			r.Header.Set("Content-Type", formType)
			r.Header.Set("Authorization", auth)
			r.Header.Set("DPoP", proofs[i])
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if !ok(b, "client_credentials dpop", w, `"token_type":"DPoP"`) {
				return
			}
		}
	})
}
