package clientauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// AssertionType is the only client_assertion_type Lucid accepts (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLen bounds what is decoded at all; a real assertion is well
// under 4 KiB even with a 4096-bit RSA signature.
const maxAssertionLen = 16 << 10

// maxNumericDate is 9999-12-31T23:59:59Z: later dates are certainly
// mistakes, and keeping them out keeps every time computation in range.
const maxNumericDate = 253402300799

// allowedAlgs are the signature algorithms client assertions may use: the
// asymmetric ones for private_key_jwt, the HMAC family for
// client_secret_jwt (which method applies is the client's registration;
// see hmacAlg). none is never accepted.
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}

// AssertionAlgs names allowedAlgs, for the discovery document's
// token_endpoint_auth_signing_alg_values_supported.
func AssertionAlgs() []string {
	out := make([]string, len(allowedAlgs))
	for i, a := range allowedAlgs {
		out[i] = string(a)
	}
	return out
}

const allowedAlgsText = "RS256, PS256, ES256, EdDSA (private_key_jwt); HS256, HS384, HS512 (client_secret_jwt)"

// hmacAlg reports whether alg is an HMAC algorithm, and the key size in
// bytes it needs (RFC 7518 §3.2: a key at least as long as the hash).
func hmacAlg(alg string) (int, bool) {
	switch alg {
	case "HS256":
		return 32, true
	case "HS384":
		return 48, true
	case "HS512":
		return 64, true
	}
	return 0, false
}

// assertion is a parsed, not yet verified, client assertion.
type assertion struct {
	Alg string
	Kid string
	// HasKid distinguishes an absent kid from an empty one.
	HasKid bool

	Iss, Sub, JTI string
	Aud           []string
	Exp, Iat, Nbf *time.Time

	tok *jwt.JSONWebToken
}

// parseAssertion decodes a client assertion and checks its shape: a compact
// JWS with an allowed alg and well-typed registered claims. It is pure (no
// keys, no clock) so it can be fuzzed. The returned error never contains any
// part of the assertion except the alg the client chose.
func parseAssertion(s string) (*assertion, *catalog.Error) {
	malformed := func(reason string) (*assertion, *catalog.Error) {
		return nil, catalog.New(catalog.AssertionMalformed, "reason", reason)
	}
	if len(s) > maxAssertionLen {
		return malformed(fmt.Sprintf("it is longer than %d bytes", maxAssertionLen))
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
	a := &assertion{}
	rawAlg, ok := hdr["alg"]
	if !ok {
		return malformed("the header has no alg")
	}
	if err := json.Unmarshal(rawAlg, &a.Alg); err != nil {
		return malformed("the header's alg is not a string")
	}
	if rawKid, ok := hdr["kid"]; ok {
		if err := json.Unmarshal(rawKid, &a.Kid); err != nil {
			return malformed("the header's kid is not a string")
		}
		a.HasKid = true
	}
	if _, ok := hdr["crit"]; ok {
		// RFC 7515 §4.1.11: extensions we do not understand must be refused.
		return malformed("the header has crit, and Lucid understands no critical header extension")
	}
	if !algAllowed(a.Alg) {
		alg := a.Alg
		switch {
		case alg == "":
			alg = "an empty alg"
		case len(alg) > 32:
			alg = alg[:32] + "..."
		}
		return nil, catalog.New(catalog.AssertionAlgNotAllowed, "alg", alg, "allowed", allowedAlgsText)
	}

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return malformed("the payload is not unpadded base64url")
	}
	var claims map[string]json.RawMessage
	if err := strictObject(payload, &claims); err != nil {
		return malformed("the payload is not a JSON object")
	}
	for _, c := range []struct {
		name string
		dst  *string
	}{{"iss", &a.Iss}, {"sub", &a.Sub}, {"jti", &a.JTI}} {
		if raw, ok := claims[c.name]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, c.dst); err != nil {
				return malformed("the " + c.name + " claim is not a string")
			}
		}
	}
	if raw, ok := claims["aud"]; ok && !isNull(raw) {
		aud, ok := parseAudience(raw)
		if !ok {
			return malformed("the aud claim is neither a string nor an array of strings")
		}
		a.Aud = aud
	}
	for _, c := range []struct {
		name string
		dst  **time.Time
	}{{"exp", &a.Exp}, {"iat", &a.Iat}, {"nbf", &a.Nbf}} {
		if raw, ok := claims[c.name]; ok && !isNull(raw) {
			t, reason := parseNumericDate(raw)
			if reason != "" {
				return malformed("the " + c.name + " claim " + reason)
			}
			*c.dst = &t
		}
	}

	tok, err := jwt.ParseSigned(s, allowedAlgs)
	if err != nil {
		return nil, catalog.New(catalog.AssertionMalformed, "reason", "the JWS structure or its signature encoding is invalid").Wrap(err)
	}
	if len(tok.Headers) != 1 {
		return malformed("it must carry exactly one signature")
	}
	if h := tok.Headers[0]; h.Algorithm != a.Alg || h.KeyID != a.Kid {
		// Only duplicate header members can make two JSON readers disagree.
		return malformed("the header repeats a member")
	}
	a.tok = tok
	return a, nil
}

func algAllowed(alg string) bool {
	for _, a := range allowedAlgs {
		if string(a) == alg {
			return true
		}
	}
	return false
}

// strictObject decodes a JSON object and refuses trailing data.
func strictObject(b []byte, dst *map[string]json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if *dst == nil {
		return fmt.Errorf("null is not an object")
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func parseAudience(raw json.RawMessage) ([]string, bool) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
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
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) {
		return time.Time{}, "is not a number of seconds since 1970"
	}
	if f < 0 || f > maxNumericDate {
		return time.Time{}, "is out of range (0 to 9999-12-31)"
	}
	return time.Unix(int64(f), 0).UTC(), ""
}
