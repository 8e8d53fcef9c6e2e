package password

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashFormat(t *testing.T) {
	p := TestParams()
	h, err := HashWith(p, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=64,t=1,p=1" {
		t.Fatalf("unexpected PHC string %q", h)
	}
	// Recompute independently from the encoded salt: the string must be
	// exactly argon2id of the password under the encoded parameters.
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) != int(p.SaltLen) {
		t.Fatalf("salt %q: %v", parts[4], err)
	}
	want := base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte("correct horse"), salt, 1, 64, 1, 32))
	if parts[5] != want {
		t.Fatalf("hash %q, want %q", parts[5], want)
	}
	h2, err := HashWith(p, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestDefaultHash(t *testing.T) {
	if testing.Short() {
		t.Skip("default parameters use 19 MiB")
	}
	h, err := Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default hash %q", h)
	}
	ok, err := Verify(h, "pw")
	if err != nil || !ok {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	if NeedsRehash(h) {
		t.Fatal("fresh default hash needs rehash")
	}
}

func TestVerify(t *testing.T) {
	p := TestParams()
	good, err := HashWith(p, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	other := p
	other.Time, other.MemoryKiB, other.Threads = 2, 128, 2
	otherHash, err := HashWith(other, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		q := append([]string(nil), parts...)
		q[i] = v
		return strings.Join(q, "$")
	}
	// Flip one bit of the hash: a tampered stored value must not verify.
	key, _ := base64.RawStdEncoding.DecodeString(parts[5])
	key[0] ^= 1
	tampered := with(5, base64.RawStdEncoding.EncodeToString(key))
	salt, _ := base64.RawStdEncoding.DecodeString(parts[4])
	salt[0] ^= 1
	tamperedSalt := with(4, base64.RawStdEncoding.EncodeToString(salt))

	tests := []struct {
		name     string
		encoded  string
		password string
		ok       bool
		bad      bool // ErrMalformed expected
	}{
		{"right password", good, "s3cret", true, false},
		{"wrong password", good, "s3cret!", false, false},
		{"empty password", good, "", false, false},
		{"other params right password", otherHash, "s3cret", true, false},
		{"other params wrong password", otherHash, "S3cret", false, false},
		{"tampered hash", tampered, "s3cret", false, false},
		{"tampered salt", tamperedSalt, "s3cret", false, false},
		{"changed t", with(3, "m=64,t=2,p=1"), "s3cret", false, false},
		{"empty", "", "s3cret", false, true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "s3cret", false, true},
		{"argon2i", with(1, "argon2i"), "s3cret", false, true},
		{"version 16", with(2, "v=16"), "s3cret", false, true},
		{"no version", with(2, "19"), "s3cret", false, true},
		{"params reordered", with(3, "t=1,m=64,p=1"), "s3cret", false, true},
		{"params missing", with(3, "m=64,t=1"), "s3cret", false, true},
		{"leading zero", with(3, "m=064,t=1,p=1"), "s3cret", false, true},
		{"signed", with(3, "m=+64,t=1,p=1"), "s3cret", false, true},
		{"zero lanes", with(3, "m=64,t=1,p=0"), "s3cret", false, true},
		{"zero passes", with(3, "m=64,t=0,p=1"), "s3cret", false, true},
		{"memory below 8p", with(3, "m=8,t=1,p=2"), "s3cret", false, true},
		{"huge memory", with(3, "m=4294967295,t=1,p=1"), "s3cret", false, true},
		{"memory overflow", with(3, "m=4294967296,t=1,p=1"), "s3cret", false, true},
		{"huge time", with(3, "m=64,t=100000,p=1"), "s3cret", false, true},
		{"lanes overflow", with(3, "m=8192,t=1,p=256"), "s3cret", false, true},
		{"padded salt", with(4, parts[4]+"=="), "s3cret", false, true},
		{"salt not base64", with(4, "!!!!"), "s3cret", false, true},
		{"short salt", with(4, "AAAA"), "s3cret", false, true},
		{"short hash", with(5, "AAAAAAAA"), "s3cret", false, true},
		{"hash not base64", with(5, parts[5][:len(parts[5])-1]+"*"), "s3cret", false, true},
		{"extra field", good + "$x", "s3cret", false, true},
		{"no leading $", strings.TrimPrefix(good, "$"), "s3cret", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := Verify(tc.encoded, tc.password)
			if tc.bad {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Verify err = %v, want ErrMalformed", err)
				}
				if tc.encoded != "" && strings.Contains(err.Error(), tc.encoded) {
					t.Fatalf("error echoes the stored hash: %v", err)
				}
			} else if err != nil {
				t.Fatalf("Verify err = %v", err)
			}
			if ok != tc.ok {
				t.Fatalf("Verify = %v, want %v", ok, tc.ok)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	p := TestParams()
	h, err := HashWith(p, "pw")
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultParams()
	defHash := encode(def, make([]byte, def.SaltLen), make([]byte, def.KeyLen))
	longer := p
	longer.KeyLen = 64
	lh, err := HashWith(longer, "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		params  Params
		encoded string
		want    bool
	}{
		{"same params", p, h, false},
		{"defaults vs test hash", def, h, true},
		{"defaults vs default hash", def, defHash, false},
		{"more time wanted", Params{MemoryKiB: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, h, true},
		{"longer key", p, lh, true},
		{"malformed", p, "$argon2id$garbage", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.params.NeedsRehash(tc.encoded); got != tc.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tc.want)
			}
		})
	}
	if !NeedsRehash(h) {
		t.Fatal("package NeedsRehash: test-params hash should need rehash under defaults")
	}
	if NeedsRehash(defHash) {
		t.Fatal("package NeedsRehash: default-params hash should not need rehash")
	}
}

func TestHashWithInvalidParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"no lanes", Params{MemoryKiB: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"memory under 8p", Params{MemoryKiB: 16, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		{"short key", Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := HashWith(tc.p, "pw"); err == nil {
				t.Fatal("HashWith accepted invalid params")
			}
		})
	}
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := Verify(h, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyDummy(b *testing.B) {
	d := Dummy()
	for b.Loop() {
		if ok, err := Verify(d, "correct horse battery staple"); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
