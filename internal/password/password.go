// Package password hashes and checks user passwords with argon2id, stored
// as PHC strings: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
// with salt and hash in unpadded standard base64.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters and sizes.
type Params struct {
	MemoryKiB uint32 // m, in KiB
	Time      uint32 // t, passes over memory
	Threads   uint8  // p, lanes
	SaltLen   uint32 // bytes
	KeyLen    uint32 // bytes of the hash (tag)
}

// DefaultParams are the parameters of new hashes: OWASP's Password Storage
// Cheat Sheet's first argon2id configuration, m=19 MiB, t=2, p=1, with a
// 128-bit salt and a 256-bit tag. Hashes made with other parameters (RFC
// 9106's m=64 MiB, t=3, p=4, Lucid's earlier default) still verify, since
// a PHC string carries its own, and are replaced by one with these on the
// next successful sign-in. The memory per hash bounds what a flood of
// sign-ins can take: Pool slots × 19 MiB, where the old default took
// 64 MiB per concurrent hash.
func DefaultParams() Params {
	return Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// TestParams are cheap parameters for tests only: never for real passwords.
func TestParams() Params {
	return Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on what Verify will compute, so that a corrupted or planted hash in
// the database cannot make a login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 2 * 1024 * 1024 // 2 GiB, RFC 9106's first option
	maxTime      = 64
	minSaltLen   = 8 // RFC 9106 section 3.1
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// ErrMalformed means a stored hash is not a well-formed argon2id PHC string
// with acceptable parameters. Errors from Verify wrap it.
var ErrMalformed = errors.New("password: malformed argon2id hash")

// Validate reports whether p can be used to hash.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("password: p=%d, need at least 1 lane", p.Threads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("password: t=%d, need 1..%d", p.Time, maxTime)
	// argon2 silently raises m below 8*p, which would not match the encoding.
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("password: m=%d KiB, need %d..%d for p=%d", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB, p.Threads)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("password: salt of %d bytes, need %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("password: hash of %d bytes, need %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hash hashes password with DefaultParams and a fresh random salt.
func Hash(password string) (string, error) {
	return HashWith(DefaultParams(), password)
}

// HashWith hashes password with p and a fresh random salt.
func HashWith(p Params, password string) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the encoded hash, comparing in
// constant time. A malformed hash is an error wrapping ErrMalformed (the
// message names the defect, never the hash or the password); a wrong
// password is (false, nil).
func Verify(encoded, password string) (bool, error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded should be replaced by a fresh Hash
// after the next successful sign-in: its parameters differ from
// DefaultParams, or it cannot be parsed.
func NeedsRehash(encoded string) bool {
	return DefaultParams().NeedsRehash(encoded)
}

// NeedsRehash reports whether encoded was made with parameters other than p.
func (p Params) NeedsRehash(encoded string) bool {
	got, _, _, err := decode(encoded)
	return err != nil || got != p
}

// Dummy returns a well-formed hash with DefaultParams of no password
// (random salt and tag, made without hashing). Verifying against it does
// exactly the work of verifying a real default hash, so a sign-in for a
// username that does not exist costs what one with a wrong password does.
func Dummy() string {
	p := DefaultParams()
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(key)
	return encode(p, salt, key)
}

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, a...)...)
}

func decode(encoded string) (p Params, salt, key []byte, err error) {
	// "" $ argon2id $ v=19 $ m=..,t=..,p=.. $ salt $ hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, malformed("want 5 '$'-separated fields")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, malformed("algorithm is not argon2id")
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return p, nil, nil, malformed("missing version")
	}
	if n, err := number(v, 32); err != nil || n != argon2.Version {
		return p, nil, nil, malformed("version is not %d", argon2.Version)
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, malformed("want parameters m,t,p")
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return p, nil, nil, malformed("parameter %d is not %s", i+1, name[:1])
		}
		bits := 32
		if name == "p=" {
			bits = 8
		}
		if vals[i], err = number(s, bits); err != nil {
			return p, nil, nil, malformed("parameter %s out of range", name[:1])
		}
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, malformed("salt is not unpadded base64")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, malformed("hash is not unpadded base64")
	}
	p = Params{
		MemoryKiB: uint32(vals[0]),
		Time:      uint32(vals[1]),
		Threads:   uint8(vals[2]),
		SaltLen:   uint32(len(salt)),
		KeyLen:    uint32(len(key)),
	}
	if err := p.Validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return p, salt, key, nil
}

// number parses a canonical decimal: digits only, no sign, no leading zero,
// so that one hash has exactly one encoding.
func number(s string, bits int) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(s, 10, bits)
}
