package secret

import (
	"bytes"
	"strings"
	"testing"
)

func mustDerive(t *testing.T, master string) *Keys {
	t.Helper()
	k, err := Derive([]byte(master))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDeriveRefusesShortMasterKey(t *testing.T) {
	if _, err := Derive([]byte("too short")); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("err = %v, want a length error", err)
	}
}

func TestClientSecretHash(t *testing.T) {
	a := mustDerive(t, strings.Repeat("a", 32))
	b := mustDerive(t, strings.Repeat("b", 32))
	h := a.HashClientSecret("s3cret")
	cases := []struct {
		name      string
		keys      *Keys
		presented string
		stored    string
		want      bool
	}{
		{"same secret", a, "s3cret", h, true},
		{"other secret", a, "s3cret!", h, false},
		{"other pepper", b, "s3cret", h, false},
		{"stored hash not hex", a, "s3cret", "zz", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.keys.SecretMatches(tc.presented, tc.stored); got != tc.want {
				t.Fatalf("SecretMatches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	a := mustDerive(t, strings.Repeat("a", 32))
	b := mustDerive(t, strings.Repeat("b", 32))
	sealed := a.Seal([]byte("private key"), []byte("kid-1"))
	if bytes.Contains(sealed, []byte("private key")) {
		t.Fatal("sealed data contains the plaintext")
	}
	if got, err := a.Open(sealed, []byte("kid-1")); err != nil || string(got) != "private key" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for name, open := range map[string]func() ([]byte, error){
		"wrong master key": func() ([]byte, error) { return b.Open(sealed, []byte("kid-1")) },
		"wrong kid":        func() ([]byte, error) { return a.Open(sealed, []byte("kid-2")) },
		"truncated":        func() ([]byte, error) { return a.Open(sealed[:5], []byte("kid-1")) },
	} {
		if _, err := open(); err != ErrUnseal {
			t.Errorf("%s: err = %v, want ErrUnseal", name, err)
		}
	}
}

func TestTag(t *testing.T) {
	a := mustDerive(t, strings.Repeat("a", 32))
	tag := a.Tag("csrf", "browser|req")
	if !a.TagMatches("csrf", "browser|req", tag) {
		t.Fatal("tag does not match its own data")
	}
	if a.TagMatches("csrf", "browser|other", tag) || a.TagMatches("other", "browser|req", tag) {
		t.Fatal("tag matches other data or purpose")
	}
}

func TestTokenAndHash(t *testing.T) {
	x, y := Token(32), Token(32)
	if x == y || len(x) != 43 {
		t.Fatalf("tokens %q %q: want distinct 43-char values", x, y)
	}
	if Hash(x) == Hash(y) || len(Hash(x)) != 64 {
		t.Fatal("hashes collide or have the wrong length")
	}
}

func TestIDNeverLooksLikeAFlag(t *testing.T) {
	for range 2000 {
		if id := ID(9); id[0] == '-' || id[0] == '_' || len(id) != 12 {
			t.Fatalf("ID(9) = %q", id)
		}
	}
}

func TestSealForHolder(t *testing.T) {
	a := mustDerive(t, strings.Repeat("a", 32))
	b := mustDerive(t, strings.Repeat("b", 32))
	token := Token(32)
	sealed, err := a.SealFor(token, []byte("next refresh token"), []byte("request-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("next refresh token")) {
		t.Fatal("sealed data contains the plaintext")
	}
	if got, err := a.OpenFor(token, sealed, []byte("request-1")); err != nil || string(got) != "next refresh token" {
		t.Fatalf("OpenFor = %q, %v", got, err)
	}
	for _, tc := range []struct {
		name   string
		open   func() ([]byte, error)
		reason string
	}{
		{"other token", func() ([]byte, error) { return a.OpenFor(Token(32), sealed, []byte("request-1")) }, "only the holder opens it"},
		// The storage hash is what the database holds: it must not open it.
		{"the token's hash", func() ([]byte, error) { return a.OpenFor(Hash(token), sealed, []byte("request-1")) }, "the database alone opens nothing"},
		{"other master key", func() ([]byte, error) { return b.OpenFor(token, sealed, []byte("request-1")) }, "a token alone opens nothing"},
		{"other aad", func() ([]byte, error) { return a.OpenFor(token, sealed, []byte("request-2")) }, "bound to its request"},
		{"master key seal", func() ([]byte, error) { return a.Open(sealed, []byte("request-1")) }, "not the key-encryption key"},
		{"truncated", func() ([]byte, error) { return a.OpenFor(token, sealed[:5], []byte("request-1")) }, "short input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.open(); err != ErrUnseal {
				t.Fatalf("err = %v, want ErrUnseal (%s)", err, tc.reason)
			}
		})
	}
}

// ClientSecretMAC and MACMatches agree with HashClientSecret and
// SecretMatches, so a presented secret is hashed once for many compares.
func TestClientSecretMAC(t *testing.T) {
	k, err := Derive(make([]byte, MinMasterKey))
	if err != nil {
		t.Fatal(err)
	}
	stored := k.HashClientSecret("s3cret")
	for _, tt := range []struct {
		presented, hash string
		want            bool
	}{
		{"s3cret", stored, true},
		{"s3cret\n", stored, false},
		{"", stored, false},
		{"s3cret", "not hex", false},
		{"s3cret", stored[:10], false},
	} {
		if got := MACMatches(k.ClientSecretMAC(tt.presented), tt.hash); got != tt.want || got != k.SecretMatches(tt.presented, tt.hash) {
			t.Errorf("MACMatches(%q, %q) = %v, want %v (and as SecretMatches)", tt.presented, tt.hash, got, tt.want)
		}
	}
}
