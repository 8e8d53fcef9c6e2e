package catalog

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// readJARM reads a JWT-secured authorization response (JARM): a redirect
// URL, query or posted form with response=JWT, or the JWT alone. The
// error fields are claims of the JWT's payload, read without checking the
// signature: the paste is only being explained, and a response Lucid made
// carries Lucid's error_code.
func (p *paste) readJARM() {
	if p.fields["error"] != "" {
		return
	}
	for _, word := range strings.Fields(p.text) {
		jwt := word
		if i := strings.Index(word, "response="); i >= 0 && (i == 0 || strings.ContainsRune("?&#;", rune(word[i-1]))) {
			jwt, _, _ = strings.Cut(word[i+len("response="):], "&")
			if u, err := url.QueryUnescape(jwt); err == nil {
				jwt = u
			}
		}
		claims := jwtClaims(jwt)
		if claims == nil {
			continue
		}
		for _, k := range []string{"error", "error_description", "error_uri", "error_code", "trace_id"} {
			if s, ok := claims[k].(string); ok {
				p.set(k, s)
			}
		}
		if p.fields["error"] != "" {
			return
		}
	}
}

// jwtClaims decodes the payload of a compact JWS, or returns nil.
func jwtClaims(s string) map[string]any {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[1]) == 0 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil
	}
	return claims
}
