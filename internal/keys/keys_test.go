package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// memStore implements only the signing-key part of store.Store, with the
// same copy-in/copy-out and error semantics as a database backend. (The
// SQLite backend is written in parallel; see newStore.)
type memStore struct {
	store.Store
	mu   sync.Mutex
	rows []*store.SigningKey
}

func copyKey(k *store.SigningKey) *store.SigningKey {
	c := *k
	c.Encrypted = bytes.Clone(k.Encrypted)
	c.RetiredAt = timeCopy(k.RetiredAt)
	c.ExpiresAt = timeCopy(k.ExpiresAt)
	return &c
}

func (s *memStore) CreateSigningKey(_ context.Context, k *store.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if r.ID == k.ID {
			return store.ErrConflict
		}
	}
	s.rows = append(s.rows, copyKey(k))
	return nil
}

func (s *memStore) ListSigningKeys(context.Context) ([]*store.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*store.SigningKey, len(s.rows))
	for i, r := range s.rows {
		out[i] = copyKey(r)
	}
	return out, nil
}

func (s *memStore) UpdateSigningKey(_ context.Context, id string, fn func(*store.SigningKey) error) (*store.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rows {
		if r.ID == id {
			c := copyKey(r)
			if err := fn(c); err != nil {
				return nil, err
			}
			s.rows[i] = copyKey(c)
			return c, nil
		}
	}
	return nil, store.ErrNotFound
}

func newStore(t testing.TB) store.Store {
	t.Helper()
	return &memStore{}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func masterKeys(t testing.TB, b byte) *secret.Keys {
	t.Helper()
	sk, err := secret.Derive(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

func manager(t testing.TB, st store.Store, c *clock) *Manager {
	t.Helper()
	m, err := newManager(context.Background(), st, masterKeys(t, 1), nil, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

// header decodes a compact JWS header without go-jose.
func header(t testing.TB, tok string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func jwks(t testing.TB, m *Manager) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(m.JWKS(), &set); err != nil {
		t.Fatalf("JWKS is not a JWK set: %v", err)
	}
	return set
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return out
}

func TestSignVerifyRoundTrip(t *testing.T) {
	m := manager(t, newStore(t), &clock{t: t0})
	set := jwks(t, m)
	in := claims{Iss: "https://id.example", Sub: "u1", Exp: 1e10}
	for _, alg := range []string{RS256, ES256, EdDSA} {
		for _, typ := range []string{"JWT", "at+jwt"} {
			t.Run(alg+"/"+typ, func(t *testing.T) {
				tok, err := m.Sign(alg, typ, in)
				if err != nil {
					t.Fatal(err)
				}
				kid, _ := m.KidFor(alg)
				h := header(t, tok)
				if h["alg"] != alg || h["kid"] != kid || h["typ"] != typ || len(h) != 3 {
					t.Fatalf("header %v, want alg %s kid %s typ %s only", h, alg, kid, typ)
				}
				// Verify independently with go-jose and the published JWK.
				pub := set.Key(kid)
				if len(pub) != 1 {
					t.Fatalf("kid %s published %d times", kid, len(pub))
				}
				jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
				if err != nil {
					t.Fatal(err)
				}
				raw, err := jws.Verify(pub[0].Key)
				if err != nil {
					t.Fatalf("go-jose rejects the signature: %v", err)
				}
				var out claims
				if err := json.Unmarshal(raw, &out); err != nil || out != in {
					t.Fatalf("payload %s (%v), want %+v", raw, err, in)
				}
				got, err := m.Verify(tok, typ)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !bytes.Equal(got, raw) {
					t.Fatalf("Verify payload %s, want %s", got, raw)
				}
				if _, err := m.Verify(tok, ""); err != nil {
					t.Fatalf("Verify without typ check: %v", err)
				}
			})
		}
	}
	if _, err := m.Sign("HS256", "JWT", in); !errors.Is(err, ErrAlg) {
		t.Fatalf("Sign HS256: %v, want ErrAlg", err)
	}
	tok, err := m.Sign(ES256, "", json.RawMessage(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if h := header(t, tok); h["typ"] != nil {
		t.Fatalf("typ %v, want none", h["typ"])
	}
	if p, err := m.Verify(tok, ""); err != nil || string(p) != `{"a":1}` {
		t.Fatalf("Verify raw claims: %s, %v", p, err)
	}
}

func TestJWKS(t *testing.T) {
	m := manager(t, newStore(t), &clock{t: t0})
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(m.JWKS(), &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ kty, crv string }{
		RS256: {"RSA", ""},
		ES256: {"EC", "P-256"},
		EdDSA: {"OKP", "Ed25519"},
	}
	if len(raw.Keys) != len(want) {
		t.Fatalf("%d keys, want %d: %s", len(raw.Keys), len(want), m.JWKS())
	}
	for i, k := range raw.Keys {
		alg, _ := k["alg"].(string)
		w, ok := want[alg]
		if !ok {
			t.Fatalf("key %d: alg %v", i, k["alg"])
		}
		if alg != m.Algs()[i] {
			t.Errorf("key %d is %s, want publication order %v", i, alg, m.Algs())
		}
		kid, _ := m.KidFor(alg)
		if k["kid"] != kid || k["use"] != "sig" || k["kty"] != w.kty {
			t.Errorf("%s: kid %v use %v kty %v", alg, k["kid"], k["use"], k["kty"])
		}
		if w.crv != "" && k["crv"] != w.crv {
			t.Errorf("%s: crv %v, want %s", alg, k["crv"], w.crv)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("%s: JWKS holds private field %q", alg, private)
			}
		}
		delete(want, alg)
	}
	for _, k := range jwks(t, m).Keys {
		if !k.IsPublic() {
			t.Errorf("%s: not a public key", k.KeyID)
		}
		// kid is the RFC 7638 thumbprint of the published key.
		tp, err := k.Thumbprint(crypto.SHA256)
		if err != nil || base64.RawURLEncoding.EncodeToString(tp) != k.KeyID {
			t.Errorf("%s: kid is not the thumbprint (%v)", k.KeyID, err)
		}
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() != 2048 {
				t.Errorf("RSA key of %d bits", pub.N.BitLen())
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			t.Errorf("%s: key type %T", k.KeyID, pub)
		}
	}
	// The caller's copy cannot corrupt what later callers get.
	b := m.JWKS()
	b[0] = 'X'
	if m.JWKS()[0] != '{' {
		t.Fatal("JWKS shares its buffer with callers")
	}
}

func TestPersistenceAndMasterKey(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	c := &clock{t: t0}
	m1 := manager(t, st, c)
	first := jwks(t, m1)

	// Same master key: the stored keys are reused, nothing new is made.
	m2 := manager(t, st, c)
	if got, want := kids(jwks(t, m2)), kids(first); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("restart published %v, want %v", got, want)
	}
	tok, err := m1.Sign(EdDSA, "JWT", claims{Sub: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Verify(tok, "JWT"); err != nil {
		t.Fatalf("replica cannot verify: %v", err)
	}
	rows, _ := st.ListSigningKeys(ctx)
	if len(rows) != 3 {
		t.Fatalf("%d stored keys, want 3", len(rows))
	}

	// Wrong master key: refuse to start, say why, leak nothing.
	_, err = newManager(ctx, st, masterKeys(t, 2), nil, c.Now)
	if !errors.Is(err, ErrMasterKey) {
		t.Fatalf("wrong master key: %v, want ErrMasterKey", err)
	}
	if !strings.Contains(err.Error(), "wrong master key") {
		t.Fatalf("error does not say the master key is wrong: %v", err)
	}
	for _, r := range rows {
		for _, leak := range []string{string(r.Encrypted), base64.StdEncoding.EncodeToString(r.Encrypted), fmt.Sprintf("%x", r.Encrypted)} {
			if strings.Contains(err.Error(), leak) {
				t.Fatalf("error leaks the sealed key: %v", err)
			}
		}
	}
	if rows2, _ := st.ListSigningKeys(ctx); len(rows2) != 3 {
		t.Fatalf("a failed start stored keys: %d rows", len(rows2))
	}

	// A sealed blob moved to another kid's row does not open (kid is the AAD).
	st2 := newStore(t)
	moved := copyKey(rows[0])
	moved.ID = "another-kid"
	if err := st2.CreateSigningKey(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := newManager(ctx, st2, masterKeys(t, 1), nil, c.Now); !errors.Is(err, ErrMasterKey) {
		t.Fatalf("moved key: %v, want ErrMasterKey", err)
	}

	// A stored alg that does not match the key inside is refused.
	st3 := newStore(t)
	var es *store.SigningKey
	for _, r := range rows {
		if r.Alg == ES256 {
			es = copyKey(r)
		}
	}
	es.Alg = RS256
	if err := st3.CreateSigningKey(ctx, es); err != nil {
		t.Fatal(err)
	}
	if _, err := newManager(ctx, st3, masterKeys(t, 1), nil, c.Now); err == nil || errors.Is(err, ErrMasterKey) {
		t.Fatalf("ES256 key stored as RS256: %v, want a key type error", err)
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	c := &clock{t: t0}
	m := manager(t, st, c)
	replica := manager(t, st, c)

	oldKid, _ := m.KidFor(ES256)
	oldTok, err := m.Sign(ES256, "JWT", claims{Sub: "old"})
	if err != nil {
		t.Fatal(err)
	}
	rot := t0.Add(time.Hour)
	c.Set(rot)
	if err := m.Rotate(ctx, rot, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	newKid, _ := m.KidFor(ES256)
	if newKid == oldKid {
		t.Fatal("rotation kept the signing key")
	}
	newTok, err := m.Sign(ES256, "JWT", claims{Sub: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if h := header(t, newTok); h["kid"] != newKid {
		t.Fatalf("signed with %v, want the new key %s", h["kid"], newKid)
	}
	if got := kids(jwks(t, m)); len(got) != 6 || !contains(got, oldKid) || !contains(got, newKid) {
		t.Fatalf("after rotation JWKS has %v", got)
	}
	for _, tok := range []string{oldTok, newTok} {
		if _, err := m.Verify(tok, "JWT"); err != nil {
			t.Fatalf("Verify after rotation: %v", err)
		}
	}

	// The replica still has the old view until it reloads.
	if k, _ := replica.KidFor(ES256); k != oldKid {
		t.Fatalf("replica signs with %s before reload", k)
	}
	if _, err := replica.Verify(newTok, "JWT"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("replica before reload: %v, want ErrUnknownKey", err)
	}
	if err := replica.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if k, _ := replica.KidFor(ES256); k != newKid {
		t.Fatalf("replica signs with %s after reload, want %s", k, newKid)
	}
	if !bytes.Equal(replica.JWKS(), m.JWKS()) {
		t.Fatalf("replica JWKS differs:\n%s\n%s", replica.JWKS(), m.JWKS())
	}
	if rows, _ := st.ListSigningKeys(ctx); len(rows) != 6 {
		t.Fatalf("reload created keys: %d rows", len(rows))
	}

	info, err := List(ctx, st, rot.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]KeyInfo{}
	for _, k := range info {
		states[k.Kid] = k
	}
	if s := states[oldKid]; s.State != StateRetired || s.Signing || s.Retired == nil || !s.Retired.Equal(rot) || s.Expires == nil || !s.Expires.Equal(rot.Add(2*time.Hour)) {
		t.Fatalf("old key listed as %+v", s)
	}
	if s := states[newKid]; s.State != StateActive || !s.Signing || !s.Created.Equal(rot) {
		t.Fatalf("new key listed as %+v", s)
	}

	// Just before expiry the old key is still published; at expiry it is
	// gone from the JWKS and its tokens fail with the reason, without reload.
	exp := rot.Add(2 * time.Hour)
	c.Set(exp.Add(-time.Nanosecond))
	if !contains(kids(jwks(t, m)), oldKid) {
		t.Fatal("old key unpublished before its expiry")
	}
	c.Set(exp)
	if got := kids(jwks(t, m)); len(got) != 3 || contains(got, oldKid) {
		t.Fatalf("at expiry JWKS has %v", got)
	}
	_, err = m.Verify(oldTok, "JWT")
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Kid != oldKid || !ke.Expired.Equal(exp) {
		t.Fatalf("expired key: %v, want KeyError{%s, %s}", err, oldKid, exp)
	}
	if _, err := m.Verify(newTok, "JWT"); err != nil {
		t.Fatal(err)
	}

	info, _ = List(ctx, st, exp)
	published := kids(jwks(t, m))
	for _, k := range info {
		want := StateExpired
		if contains(published, k.Kid) {
			want = StateActive
		}
		if k.State != want {
			t.Errorf("%s (%s) listed %s, want %s", k.Kid, k.Alg, k.State, want)
		}
	}

	// A manager started after expiry does not even need to open old keys.
	if _, err := newManager(ctx, st, masterKeys(t, 1), nil, c.Now); err != nil {
		t.Fatal(err)
	}
	if err := m.Rotate(ctx, exp, -time.Second); err == nil {
		t.Fatal("negative publication period accepted")
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestReloadGeneratesMissing(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	c := &clock{t: t0}
	m := manager(t, st, c)
	rsKid, _ := m.KidFor(RS256)
	// An operator retires the RS256 key by hand; the next reload must not
	// leave the server without RS256.
	if _, err := st.UpdateSigningKey(ctx, rsKid, func(k *store.SigningKey) error {
		r, e := t0, t0.Add(time.Hour)
		k.RetiredAt, k.ExpiresAt = &r, &e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := m.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	k, ok := m.KidFor(RS256)
	if !ok || k == rsKid {
		t.Fatalf("RS256 signs with %q after reload", k)
	}
	if !contains(kids(jwks(t, m)), rsKid) {
		t.Fatal("retired key unpublished before its expiry")
	}
}

func TestVerifyErrors(t *testing.T) {
	c := &clock{t: t0}
	m := manager(t, newStore(t), c)
	other := manager(t, newStore(t), c)
	enc := base64.RawURLEncoding.EncodeToString
	good := map[string]string{}
	for _, alg := range m.Algs() {
		tok, err := m.Sign(alg, "at+jwt", claims{Sub: "u"})
		if err != nil {
			t.Fatal(err)
		}
		good[alg] = tok
	}
	parts := func(tok string) []string { return strings.Split(tok, ".") }
	rsKid, _ := m.KidFor(RS256)
	esKid, _ := m.KidFor(ES256)
	otherKid, _ := other.KidFor(ES256)
	otherTok, _ := other.Sign(ES256, "at+jwt", claims{Sub: "u"})
	p := parts(good[ES256])

	// Flip a bit inside the signature (not in the last char, whose low bits
	// base64 may ignore).
	sig, _ := base64.RawURLEncoding.DecodeString(p[2])
	sig[3] ^= 0x10
	badSig := p[0] + "." + p[1] + "." + enc(sig)
	badPayload := p[0] + "." + enc([]byte(`{"sub":"admin"}`)) + "." + p[2]

	hdr := func(h string) string { return enc([]byte(h)) }
	none := hdr(`{"alg":"none","kid":"`+esKid+`"}`) + "." + p[1] + "."
	// HS256 keyed with the public JWK: the classic key-confusion forgery.
	hsInput := hdr(`{"alg":"HS256","kid":"`+rsKid+`","typ":"at+jwt"}`) + "." + p[1]
	mac := hmac.New(sha256.New, m.JWKS())
	mac.Write([]byte(hsInput))
	hs := hsInput + "." + enc(mac.Sum(nil))
	// ES256 signature presented under the RSA key's kid.
	esAsRSA := hdr(`{"alg":"ES256","kid":"`+rsKid+`","typ":"at+jwt"}`) + "." + p[1] + "." + p[2]
	noKid := hdr(`{"alg":"ES256","typ":"at+jwt"}`) + "." + p[1] + "." + p[2]

	tests := []struct {
		name string
		tok  string
		typ  string
		want error
		kid  string // for ErrUnknownKey
	}{
		{"good", good[ES256], "at+jwt", nil, ""},
		{"typ with application/ prefix", good[RS256], "application/AT+JWT", nil, ""},
		{"tampered signature", badSig, "at+jwt", ErrSignature, ""},
		{"tampered payload", badPayload, "at+jwt", ErrSignature, ""},
		{"signature of another alg's key", p[0] + "." + p[1] + "." + parts(good[EdDSA])[2], "at+jwt", ErrSignature, ""},
		{"unknown kid", otherTok, "at+jwt", ErrUnknownKey, otherKid},
		{"no kid", noKid, "at+jwt", ErrUnknownKey, ""},
		{"wrong typ", good[EdDSA], "JWT", ErrType, ""},
		{"alg none", none, "", ErrAlg, ""},
		{"alg HS256 with public key", hs, "", ErrAlg, ""},
		{"alg not the key's", esAsRSA, "", ErrAlg, ""},
		{"garbage", "garbage", "", ErrMalformed, ""},
		{"empty", "", "", ErrMalformed, ""},
		{"four parts", good[ES256] + ".x", "", ErrMalformed, ""},
		{"header not base64", "%%%." + p[1] + "." + p[2], "", ErrMalformed, ""},
		{"header not JSON", hdr("nope") + "." + p[1] + "." + p[2], "", ErrMalformed, ""},
		{"payload not base64", p[0] + ".%%%." + p[2], "", ErrMalformed, ""},
		{"JSON serialization", `{"payload":"e30","signatures":[]}`, "", ErrMalformed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload, err := m.Verify(tc.tok, tc.typ)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify err = %v, want %v", err, tc.want)
			}
			if payload != nil {
				t.Fatal("payload returned with an error")
			}
			for _, other := range []error{ErrMalformed, ErrUnknownKey, ErrSignature, ErrAlg, ErrType} {
				if other != tc.want && errors.Is(err, other) {
					t.Fatalf("err %v is also %v", err, other)
				}
			}
			if tc.want == ErrUnknownKey {
				var ke *KeyError
				if !errors.As(err, &ke) || ke.Kid != tc.kid || !ke.Expired.IsZero() {
					t.Fatalf("KeyError %+v, want kid %q", ke, tc.kid)
				}
			}
			if strings.Contains(err.Error(), tc.tok) && len(tc.tok) > 10 {
				t.Fatalf("error echoes the token: %v", err)
			}
		})
	}
	var te *TypeError
	if _, err := m.Verify(good[EdDSA], "JWT"); !errors.As(err, &te) || te.Got != "at+jwt" || te.Want != "JWT" {
		t.Fatalf("TypeError %+v", te)
	}
	var ae *AlgError
	if _, err := m.Verify(esAsRSA, ""); !errors.As(err, &ae) || ae.Alg != ES256 || ae.KeyAlg != RS256 || ae.Kid != rsKid {
		t.Fatalf("AlgError %+v", ae)
	}
}

func TestConcurrentSignDuringRotate(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	m := manager(t, newStore(t), c)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		toks []string
		stop = make(chan struct{})
	)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			alg := m.Algs()[i%3]
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				tok, err := m.Sign(alg, "JWT", claims{Sub: fmt.Sprint(i, n)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := m.Verify(tok, "JWT"); err != nil {
					t.Error(err)
					return
				}
				_ = m.JWKS()
				mu.Lock()
				toks = append(toks, tok)
				mu.Unlock()
			}
		}()
	}
	for r := range 3 {
		if err := m.Rotate(ctx, t0.Add(time.Duration(r)*time.Minute), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := m.Reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if len(toks) == 0 {
		t.Fatal("no token signed")
	}
	kidsSeen := map[string]bool{}
	for _, tok := range toks {
		if _, err := m.Verify(tok, "JWT"); err != nil {
			t.Fatalf("token signed during rotation no longer verifies: %v", err)
		}
		kidsSeen[header(t, tok)["kid"].(string)] = true
	}
	if got := len(jwks(t, m).Keys); got != 12 {
		t.Fatalf("%d published keys after 3 rotations, want 12", got)
	}
	t.Logf("%d tokens under %d kids", len(toks), len(kidsSeen))
}

func benchManager(b *testing.B) *Manager {
	b.Helper()
	return manager(b, newStore(b), &clock{t: t0})
}

func benchSign(b *testing.B, alg string) {
	m := benchManager(b)
	cl := claims{Iss: "https://id.example", Sub: "user-1", Exp: 1e10}
	for b.Loop() {
		if _, err := m.Sign(alg, "JWT", cl); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignES256(b *testing.B) { benchSign(b, ES256) }
func BenchmarkSignRS256(b *testing.B) { benchSign(b, RS256) }
func BenchmarkSignEdDSA(b *testing.B) { benchSign(b, EdDSA) }

func BenchmarkVerifyES256(b *testing.B) {
	m := benchManager(b)
	tok, err := m.Sign(ES256, "at+jwt", claims{Iss: "https://id.example", Sub: "user-1", Exp: 1e10})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Verify(tok, "at+jwt"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWKS(b *testing.B) {
	m := benchManager(b)
	for b.Loop() {
		_ = m.JWKS()
	}
}
