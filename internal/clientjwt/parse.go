// Package clientjwt verifies JWTs made by clients and workloads: client
// assertions (RFC 7523 §2.2), JWT bearer grant assertions (RFC 7523 §2.1),
// request objects (RFC 9101) and DPoP proofs (RFC 9449). Each is a compact
// JWS whose checks differ only in parameters, so one verifier applies them
// and each use says, in a Use, what it allows and which catalog entries
// name its failures.
//
// Policy, the same for every use:
//   - Only a compact JWS of three parts is parsed; an encrypted JWT, a
//     repeated header member, crit, or a second signature is refused, and
//     so is any alg outside the use's list (never none).
//   - iat and nbf may be at most ClockSkew ahead of the server clock;
//     they are checked before the lifetime, so that a fast clock is named
//     as such. exp is honoured with the same skew.
//   - The lifetime (exp minus iat, or exp minus now without iat) may be at
//     most the use's MaxLifetime: counting from iat means a clock ahead
//     within the skew does not shorten what the client may ask for.
//   - aud must be a single value among the use's accepted values (the
//     2025 audience-injection findings); an array of several is refused.
//   - A jti, when the use asks for replay protection, is remembered in the
//     store until exp plus the skew, under the use's namespace.
package clientjwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// ClockSkew is the clock difference tolerated between a client (or an
// issuer) and Lucid, for every use.
const ClockSkew = 60 * time.Second

// MaxLen bounds what is decoded at all; a real client JWT is well under
// 4 KiB even with a 4096-bit RSA signature.
const MaxLen = 16 << 10

// maxNumericDate is 9999-12-31T23:59:59Z: later dates are certainly
// mistakes, and keeping them out keeps every time computation in range.
const maxNumericDate = 253402300799

// Token is a parsed, not yet verified, JWT.
type Token struct {
	Alg string
	Kid string
	// HasKid distinguishes an absent kid from an empty one.
	HasKid bool
	Typ    string

	Iss, Sub, JTI string
	Aud           []string
	Exp, Iat, Nbf *time.Time

	// Claims are all the payload's members, for uses that read more than
	// the registered claims (request objects). Verified only once Verify
	// has returned nil.
	Claims map[string]json.RawMessage

	// JWK is the header's embedded public key, if any (DPoP).
	JWK *jose.JSONWebKey
	// jkt is JWK's thumbprint when the use's JWKCache had it.
	jkt string

	// signed is the JWS signing input (header.payload) and sig the decoded
	// signature; both nil for an unsigned token.
	signed []byte
	sig    []byte
}

// Parse decodes a JWT and checks its shape: a compact JWS with an alg
// allowed by u and well-typed registered claims. It is pure (no keys, no
// clock) so it can be fuzzed. The error never repeats any part of the
// token except the alg it names, clipped.
func Parse(s string, u *Use) (*Token, *catalog.Error) {
	malformed := func(reason string) (*Token, *catalog.Error) {
		return nil, u.fail(u.Names.Malformed, "reason", reason)
	}
	if len(s) > MaxLen {
		return malformed(fmt.Sprintf("it is longer than %d bytes", MaxLen))
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return malformed("it has five parts, an encrypted JWT (JWE); send a signed JWT (JWS compact serialization, three parts)")
	default:
		return malformed(fmt.Sprintf("a signed JWT has three dot-separated parts, this has %d", len(parts)))
	}

	hdrJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return malformed("the header is not unpadded base64url")
	}
	var hdr map[string]json.RawMessage
	if err := strictObject(hdrJSON, &hdr); err != nil {
		return malformed("the header is not a JSON object")
	}
	if repeatsMember(hdrJSON, hdr) {
		// Two JSON readers may each keep a different copy of a repeated
		// member (RFC 7515 §4: must be refused).
		return malformed("the header repeats a member")
	}
	t := &Token{}
	rawAlg, ok := hdr["alg"]
	if !ok {
		return malformed("the header has no alg")
	}
	if err := UnmarshalString(rawAlg, &t.Alg); err != nil {
		return malformed("the header's alg is not a string")
	}
	if rawKid, ok := hdr["kid"]; ok {
		if err := UnmarshalString(rawKid, &t.Kid); err != nil {
			return malformed("the header's kid is not a string")
		}
		t.HasKid = true
	}
	if rawTyp, ok := hdr["typ"]; ok {
		// Only a use with a typ rule reads typ; others never did.
		if err := UnmarshalString(rawTyp, &t.Typ); err != nil && len(u.Typ) > 0 {
			return malformed("the header's typ is not a string")
		}
	}
	if _, ok := hdr["crit"]; ok {
		// RFC 7515 §4.1.11: extensions we do not understand must be refused.
		return malformed("the header has crit, and Lucid understands no critical header extension")
	}
	unsigned := t.Alg == "none"
	switch {
	case unsigned && !u.AllowNone:
		if u.Names.Unsigned != "" {
			return nil, u.fail(u.Names.Unsigned, "reason", u.NoneRefusal)
		}
		return nil, u.fail(u.Names.AlgNotAllowed, "alg", "none", "allowed", u.AlgsText)
	case unsigned && parts[2] != "":
		return malformed("an unsigned JWT (alg none) must have an empty signature part")
	case !unsigned && !slices.Contains(u.Algs, jose.SignatureAlgorithm(t.Alg)):
		alg := t.Alg
		switch {
		case alg == "":
			alg = "an empty alg"
		case len(alg) > 32:
			alg = alg[:32] + "..."
		}
		return nil, u.fail(u.Names.AlgNotAllowed, "alg", alg, "allowed", u.AlgsText)
	}

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return malformed("the payload is not unpadded base64url")
	}
	if err := strictObject(payload, &t.Claims); err != nil {
		return malformed("the payload is not a JSON object")
	}
	for _, c := range []struct {
		name string
		dst  *string
	}{{"iss", &t.Iss}, {"sub", &t.Sub}, {"jti", &t.JTI}} {
		if raw, ok := t.Claims[c.name]; ok && !IsNull(raw) {
			if err := UnmarshalString(raw, c.dst); err != nil {
				return malformed("the " + c.name + " claim is not a string")
			}
		}
	}
	if raw, ok := t.Claims["aud"]; ok && !IsNull(raw) {
		aud, ok := parseAudience(raw)
		if !ok {
			return malformed("the aud claim is neither a string nor an array of strings")
		}
		t.Aud = aud
	}
	for _, c := range []struct {
		name string
		dst  **time.Time
	}{{"exp", &t.Exp}, {"iat", &t.Iat}, {"nbf", &t.Nbf}} {
		if raw, ok := t.Claims[c.name]; ok && !IsNull(raw) {
			tm, reason := parseNumericDate(raw)
			if reason != "" {
				return malformed("the " + c.name + " claim " + reason)
			}
			*c.dst = &tm
		}
	}

	if unsigned {
		// Nothing to verify; Verify accepts it only under AllowNone.
		return t, nil
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) == 0 {
		return malformed("the JWS structure or its signature encoding is invalid")
	}
	if raw, ok := hdr["jwk"]; ok {
		c, ok := u.JWKs.get(raw)
		if !ok {
			// go-jose reads the key (and checks an EC point is on its
			// curve); private or symmetric material is refused.
			var k jose.JSONWebKey
			if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() || !k.IsPublic() {
				return malformed("the header's jwk is not a public key")
			}
			c = u.JWKs.put(raw, &k)
		}
		t.JWK, t.jkt = c.key, c.jkt
	}
	t.signed = []byte(s[:len(parts[0])+1+len(parts[1])])
	t.sig = sig
	return t, nil
}

// JWKThumbprint is the RFC 7638 SHA-256 thumbprint of JWK, base64url (a
// DPoP proof's jkt): kept with the key by the use's JWKCache, so that
// every proof of a key does not hash it again.
func (t *Token) JWKThumbprint() (string, error) {
	if t.jkt != "" {
		return t.jkt, nil
	}
	if t.JWK == nil {
		return "", errors.New("the token has no jwk")
	}
	return Thumbprint(t.JWK)
}

// repeatsMember reports whether the JSON object b, already decoded into
// m, names a top-level member twice. m holds one entry per distinct name
// (the decoder unescapes names, and keeps the last of a repeated one), so
// the text repeats a name exactly when it has more members than m: a
// count, without a second, tokenizing, reading of the header.
func repeatsMember(b []byte, m map[string]json.RawMessage) bool {
	return topLevelMembers(b) > len(m)
}

// topLevelMembers counts the members of the JSON object b starts with:
// the colons at depth one outside strings. b must be valid JSON up to the
// object's end (the decoder has read it); what follows is not looked at.
func topLevelMembers(b []byte) int {
	n, depth, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return n
			}
		case ':':
			if depth == 1 {
				n++
			}
		}
	}
	return n
}

// strictObject decodes a JSON object and refuses trailing data.
func strictObject(b []byte, dst *map[string]json.RawMessage) error {
	// The common case, one object and nothing after it but space, reads
	// the same through readObject, or json.Unmarshal, without a Decoder's
	// buffers. Other input goes to the Decoder, which tells a bad object
	// from good one followed by more.
	if m, ok := readObject(b); ok {
		*dst = m
		return nil
	}
	if json.Unmarshal(b, dst) == nil {
		if *dst == nil {
			return fmt.Errorf("null is not an object")
		}
		return nil
	}
	*dst = nil
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if *dst == nil {
		return fmt.Errorf("null is not an object")
	}
	// Not dec.More: it reports a closing bracket as no more.
	if len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) > 0 {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

// IsNull says whether a claim's value is JSON null, which json.Unmarshal
// reads as "absent" into a pointer.
func IsNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func parseAudience(raw json.RawMessage) ([]string, bool) {
	var one string
	if err := UnmarshalString(raw, &one); err == nil {
		return []string{one}, true
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, false
	}
	return many, true
}

// parseNumericDate reads an RFC 7519 NumericDate; fractions are dropped.
func parseNumericDate(raw json.RawMessage) (time.Time, string) {
	var f float64
	if err := unmarshalFloat64(raw, &f); err != nil || math.IsNaN(f) {
		return time.Time{}, "is not a number of seconds since 1970"
	}
	if f < 0 || f > maxNumericDate {
		return time.Time{}, "is out of range (0 to 9999-12-31)"
	}
	return time.Unix(int64(f), 0).UTC(), ""
}
