// Package keys holds the server's signing keys: one active key per
// algorithm signs, retired keys stay published until they expire so the
// tokens they signed still verify. Private keys live in the store as sealed
// PKCS#8 (the kid is the additional data, so a blob cannot be moved to
// another key's row). Every replica sharing the store and master key serves
// the same key set once it reloads.
package keys

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Signing algorithms. RS256 is always available: OpenID Connect Core
// requires it for ID tokens.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// rsaBits is the RSA modulus size of generated keys (RFC 7518 section 3.3
// requires at least 2048).
const rsaBits = 2048

// algs lists the supported algorithms in the order keys are published.
func algs() []string { return []string{RS256, ES256, EdDSA} }

func supported(alg string) bool { return slices.Contains(algs(), alg) }

// key is one loaded key; immutable except for its signer cache.
type key struct {
	kid     string
	alg     string
	created time.Time
	retired *time.Time
	expires *time.Time
	priv    crypto.Signer    // nil for keys loaded after their expiry
	pub     crypto.PublicKey // nil likewise
	jwk     []byte           // public JWK JSON
	// headers caches the encoded header per typ; shared by every key set
	// holding this kid, so a reload keeps them.
	headers *sync.Map
}

func (k *key) expiredAt(now time.Time) bool {
	return k.expires != nil && !now.Before(*k.expires)
}

// published reports whether k belongs in the JWKS at now.
func (k *key) published(now time.Time) bool {
	return k.pub != nil && !k.expiredAt(now)
}

// header returns the encoded JWS protected header for typ, computed once
// per key and typ: every token of a kind starts with the same bytes.
func (k *key) header(typ string) (string, error) {
	if h, ok := k.headers.Load(typ); ok {
		return h.(string), nil
	}
	hdr := struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ,omitempty"`
	}{k.alg, k.kid, typ}
	raw, err := json.Marshal(hdr)
	if err != nil {
		return "", fmt.Errorf("keys: header for %s: %w", k.kid, err)
	}
	actual, _ := k.headers.LoadOrStore(typ, base64.RawURLEncoding.EncodeToString(raw))
	return actual.(string), nil
}

// sign signs a JWS signing input with the key's algorithm (RFC 7518 §3):
// by hand rather than through a JOSE library, because this runs for every
// token issued and the library's generic path costs a tenth of the request.
// Verification, which faces untrusted input, stays with go-jose.
func (k *key) sign(input []byte) ([]byte, error) {
	switch priv := k.priv.(type) {
	case *ecdsa.PrivateKey:
		h := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, priv, h[:])
		if err != nil {
			return nil, err
		}
		// R and S, each left-padded to the curve size (RFC 7518 §3.4).
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig, nil
	case *rsa.PrivateKey:
		h := sha256.Sum256(input)
		return rsa.SignPKCS1v15(nil, priv, crypto.SHA256, h[:])
	case ed25519.PrivateKey:
		return ed25519.Sign(priv, input), nil
	}
	return nil, fmt.Errorf("keys: %s has no private key", k.kid)
}

// keySet is an immutable snapshot of the keys, swapped atomically.
type keySet struct {
	keys   []*key          // every loaded key, in publication order
	byKid  map[string]*key // all of keys
	active map[string]*key // alg -> the key that signs
	jwks   []byte
	// nextExpiry is the earliest ExpiresAt among published keys (zero if
	// none): from then on the snapshot is stale and is rebuilt.
	nextExpiry time.Time
}

func (s *keySet) stale(now time.Time) bool {
	return !s.nextExpiry.IsZero() && !now.Before(s.nextExpiry)
}

// order sorts keys by algorithm, then unretired first, then newest first.
func order(a, b *key) int {
	return cmp.Or(
		cmp.Compare(slices.Index(algs(), a.alg), slices.Index(algs(), b.alg)),
		cmp.Compare(boolInt(a.retired != nil), boolInt(b.retired != nil)),
		b.created.Compare(a.created),
		strings.Compare(a.kid, b.kid),
	)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// build makes the snapshot of keys (already in order) as seen at now.
func build(keys []*key, now time.Time) *keySet {
	s := &keySet{
		keys:   keys,
		byKid:  make(map[string]*key, len(keys)),
		active: make(map[string]*key, len(algs())),
	}
	var buf bytes.Buffer
	buf.WriteString(`{"keys":[`)
	n := 0
	for _, k := range keys {
		s.byKid[k.kid] = k
		if !k.published(now) {
			continue
		}
		// When replicas raced to create a key, several may be unretired:
		// all are published, the newest signs.
		if k.retired == nil && k.priv != nil && s.active[k.alg] == nil {
			s.active[k.alg] = k
		}
		if k.expires != nil && (s.nextExpiry.IsZero() || k.expires.Before(s.nextExpiry)) {
			s.nextExpiry = *k.expires
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(k.jwk)
		n++
	}
	buf.WriteString(`]}`)
	s.jwks = buf.Bytes()
	return s
}

// Manager signs and verifies with the server's keys. It is safe for
// concurrent use.
type Manager struct {
	st  store.Store
	sk  *secret.Keys
	log *slog.Logger
	now func() time.Time

	mu  sync.Mutex // serializes Reload and Rotate
	set atomic.Pointer[keySet]
}

// NewManager loads every key from st and, for each algorithm without an
// unretired key, generates one and stores it sealed. It fails with
// ErrMasterKey when a stored key cannot be decrypted.
func NewManager(ctx context.Context, st store.Store, sk *secret.Keys, log *slog.Logger) (*Manager, error) {
	return newManager(ctx, st, sk, log, time.Now)
}

func newManager(ctx context.Context, st store.Store, sk *secret.Keys, log *slog.Logger, now func() time.Time) (*Manager, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{st: st, sk: sk, log: log, now: now}
	if err := m.Reload(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Algs returns the supported signing algorithms.
func (m *Manager) Algs() []string { return algs() }

// Reload reads the keys from the store again (another replica or the CLI
// may have rotated) and generates a key for any algorithm left without an
// unretired one. On error the current keys stay in use.
func (m *Manager) Reload(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.load(ctx)
	if err != nil {
		return err
	}
	var made bool
	for _, alg := range algs() {
		if s.active[alg] != nil {
			continue
		}
		if _, err := m.create(ctx, alg, m.now()); err != nil {
			return err
		}
		made = true
	}
	if made {
		if s, err = m.load(ctx); err != nil {
			return err
		}
	}
	m.set.Store(s)
	return nil
}

// Rotate makes a new key for every algorithm and retires the keys that
// were signing: they stop signing at now and stay published until
// now+publishFor, which should exceed the longest token lifetime.
func (m *Manager) Rotate(ctx context.Context, now time.Time, publishFor time.Duration) error {
	if publishFor < 0 {
		return fmt.Errorf("keys: rotate: negative publication period %s", publishFor)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Read the store, not memory: another replica may have added keys.
	rows, err := m.st.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: rotate: list keys: %w", err)
	}
	fresh := map[string]bool{}
	for _, alg := range algs() {
		kid, err := m.create(ctx, alg, now)
		if err != nil {
			return fmt.Errorf("keys: rotate: %w", err)
		}
		fresh[kid] = true
	}
	retire := func(k *store.SigningKey) error {
		if k.RetiredAt == nil { // keep the first retirement if it raced
			r, e := now, now.Add(publishFor)
			k.RetiredAt, k.ExpiresAt = &r, &e
		}
		return nil
	}
	var retired []string
	for _, r := range rows {
		if r.RetiredAt != nil || fresh[r.ID] || !supported(r.Alg) {
			continue
		}
		if _, err := m.st.UpdateSigningKey(ctx, r.ID, retire); err != nil {
			return fmt.Errorf("keys: rotate: retire %s: %w", r.ID, err)
		}
		retired = append(retired, r.ID)
	}
	s, err := m.load(ctx)
	if err != nil {
		return err
	}
	m.set.Store(s)
	m.log.Info("signing keys rotated", "retired", retired, "published_until", now.Add(publishFor))
	return nil
}

// load reads and opens the stored keys, reusing already opened ones.
func (m *Manager) load(ctx context.Context) (*keySet, error) {
	rows, err := m.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list signing keys: %w", err)
	}
	prev := m.set.Load()
	now := m.now()
	keys := make([]*key, 0, len(rows))
	for _, r := range rows {
		if !supported(r.Alg) {
			m.log.Warn("ignoring signing key with unsupported algorithm", "kid", r.ID, "alg", r.Alg)
			continue
		}
		k := &key{kid: r.ID, alg: r.Alg, created: r.CreatedAt, retired: timeCopy(r.RetiredAt), expires: timeCopy(r.ExpiresAt)}
		switch old := prevKey(prev, r.ID); {
		case k.expiredAt(now):
			// Unpublished for good: its private key is never needed again.
		case old != nil && old.alg == r.Alg && old.priv != nil:
			k.priv, k.pub, k.jwk, k.headers = old.priv, old.pub, old.jwk, old.headers
		default:
			if err := m.open(k, r.Encrypted); err != nil {
				return nil, err
			}
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, order)
	return build(keys, now), nil
}

func prevKey(s *keySet, kid string) *key {
	if s == nil {
		return nil
	}
	return s.byKid[kid]
}

func timeCopy(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// open unseals and parses k's private key.
func (m *Manager) open(k *key, sealed []byte) error {
	der, err := m.sk.Open(sealed, []byte(k.kid))
	if err != nil {
		return fmt.Errorf("%w (key %s, %s)", ErrMasterKey, k.kid, k.alg)
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		// Decrypted fine, so this is not the master key: say only that.
		return fmt.Errorf("keys: stored key %s (%s) is not valid PKCS#8", k.kid, k.alg)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok || !fits(k.alg, priv) {
		return fmt.Errorf("keys: stored key %s is a %T, not an %s key", k.kid, parsed, k.alg)
	}
	return k.setPrivate(priv)
}

// fits reports whether priv is a key for alg.
func fits(alg string, priv crypto.Signer) bool {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		return alg == RS256 && p.N.BitLen() >= rsaBits
	case *ecdsa.PrivateKey:
		return alg == ES256 && p.Curve == elliptic.P256()
	case ed25519.PrivateKey:
		return alg == EdDSA
	}
	return false
}

func (k *key) setPrivate(priv crypto.Signer) error {
	k.priv, k.pub = priv, priv.Public()
	jwk, err := json.Marshal(jose.JSONWebKey{Key: k.pub, KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
	if err != nil {
		return fmt.Errorf("keys: public JWK of %s: %w", k.kid, err)
	}
	k.jwk = jwk
	k.headers = new(sync.Map)
	return nil
}

func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case RS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, &AlgError{Alg: alg}
}

// create generates a key for alg and stores it sealed; it returns the kid,
// the key's RFC 7638 thumbprint, which anyone can check against the JWK.
func (m *Manager) create(ctx context.Context, alg string, now time.Time) (string, error) {
	priv, err := generate(alg)
	if err != nil {
		return "", fmt.Errorf("keys: generate %s key: %w", alg, err)
	}
	jwk := jose.JSONWebKey{Key: priv.Public()}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("keys: encode %s key: %w", alg, err)
	}
	sealed := m.sk.Seal(der, []byte(kid))
	clear(der)
	if err := m.st.CreateSigningKey(ctx, &store.SigningKey{ID: kid, Alg: alg, Encrypted: sealed, CreatedAt: now}); err != nil {
		return "", fmt.Errorf("keys: store %s key: %w", alg, err)
	}
	m.log.Info("signing key generated", "kid", kid, "alg", alg)
	return kid, nil
}

// current returns the snapshot, rebuilt first if a key's publication has
// expired since it was made, so expiry needs no reload.
func (m *Manager) current() (*keySet, time.Time) {
	now := m.now()
	s := m.set.Load()
	for s.stale(now) {
		fresh := build(s.keys, now)
		if m.set.CompareAndSwap(s, fresh) {
			return fresh, now
		}
		s = m.set.Load()
	}
	return s, now
}

// JWKS returns the JSON Web Key Set of the published keys: unretired, and
// retired but not yet expired. It is computed when the keys change, not per call.
func (m *Manager) JWKS() []byte {
	s, _ := m.current()
	return bytes.Clone(s.jwks)
}

// Sign returns claims (marshaled with encoding/json; pass json.RawMessage
// for pre-encoded claims) as a compact JWS signed with the active key of
// alg, with the headers alg, kid and, unless typ is "", typ.
func (m *Manager) Sign(alg, typ string, claims any) (string, error) {
	k := m.set.Load().active[alg]
	if k == nil {
		return "", &AlgError{Alg: clip(alg)}
	}
	hdr, err := k.header(typ)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("keys: marshal claims: %w", err)
	}
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(hdr)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(512))
	buf = append(buf, hdr...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	sig, err := k.sign(buf)
	if err != nil {
		return "", fmt.Errorf("keys: sign with %s: %w", k.kid, err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// KidFor returns the kid of the key that currently signs for alg.
func (m *Manager) KidFor(alg string) (string, bool) {
	k := m.set.Load().active[alg]
	if k == nil {
		return "", false
	}
	return k.kid, true
}

// Verify checks that token is a compact JWS signed by one of the published
// keys with that key's algorithm and, when typ is not "", that its typ
// header is typ (compared as media types: case-insensitively, with an
// optional "application/" prefix). It returns the payload; the caller
// checks the claims. Errors wrap ErrMalformed, ErrUnknownKey, ErrAlg,
// ErrSignature or ErrType.
func (m *Manager) Verify(token, typ string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		return nil, diagnose(token)
	}
	h := jws.Signatures[0].Protected
	s, now := m.current()
	k := s.byKid[h.KeyID]
	switch {
	case k == nil:
		return nil, &KeyError{Kid: clip(h.KeyID)}
	case !k.published(now):
		var exp time.Time
		if k.expires != nil {
			exp = *k.expires
		}
		return nil, &KeyError{Kid: k.kid, Expired: exp}
	case h.Algorithm != k.alg:
		return nil, &AlgError{Alg: h.Algorithm, Kid: k.kid, KeyAlg: k.alg}
	}
	payload, err := jws.Verify(k.pub)
	if err != nil {
		return nil, &SignatureError{Kid: k.kid}
	}
	if typ != "" {
		got, _ := h.ExtraHeaders[jose.HeaderType].(string)
		if mediaType(got) != mediaType(typ) {
			return nil, &TypeError{Got: clip(got), Want: typ}
		}
	}
	return payload, nil
}

// mediaType normalizes a typ value per RFC 7515 section 4.1.9.
func mediaType(t string) string {
	t = strings.ToLower(t)
	if !strings.Contains(t, "/") {
		t = "application/" + t
	}
	return t
}

// diagnose explains why go-jose refused token, in our own words: its
// messages may quote pieces of the token.
func diagnose(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: %d dot-separated parts, want 3", ErrMalformed, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return fmt.Errorf("%w: header is not base64url", ErrMalformed)
	}
	var h struct {
		Alg any `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	alg, ok := h.Alg.(string)
	if !ok {
		return fmt.Errorf("%w: header has no alg string", ErrMalformed)
	}
	if !supported(alg) {
		return &AlgError{Alg: clip(alg)}
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		return fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return fmt.Errorf("%w: signature is not base64url", ErrMalformed)
	}
	return fmt.Errorf("%w: invalid header", ErrMalformed)
}

// Key states in KeyInfo.
const (
	StateActive  = "active"  // not retired: signs (or could, see Signing)
	StateRetired = "retired" // no longer signs, still published
	StateExpired = "expired" // no longer published
)

// KeyInfo describes a stored key for operators; it has no private material.
type KeyInfo struct {
	Kid     string     `json:"kid"`
	Alg     string     `json:"alg"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
	Expires *time.Time `json:"expires,omitempty"`
	State   string     `json:"state"`
	// Signing: this is the key that signs new tokens for its alg.
	Signing bool `json:"signing"`
}

// List describes the keys stored in st as of now, in publication order
// (by algorithm, then active first, then newest first).
func List(ctx context.Context, st store.Store, now time.Time) ([]KeyInfo, error) {
	rows, err := st.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list signing keys: %w", err)
	}
	keys := make([]*key, len(rows))
	for i, r := range rows {
		keys[i] = &key{kid: r.ID, alg: r.Alg, created: r.CreatedAt, retired: timeCopy(r.RetiredAt), expires: timeCopy(r.ExpiresAt)}
	}
	slices.SortFunc(keys, order)
	out := make([]KeyInfo, len(keys))
	signing := map[string]bool{}
	for i, k := range keys {
		info := KeyInfo{Kid: k.kid, Alg: k.alg, Created: k.created, Retired: k.retired, Expires: k.expires}
		switch {
		case k.expiredAt(now):
			info.State = StateExpired
		case k.retired != nil:
			info.State = StateRetired
		default:
			info.State = StateActive
			if supported(k.alg) && !signing[k.alg] {
				info.Signing, signing[k.alg] = true, true
			}
		}
		out[i] = info
	}
	return out, nil
}
