package dpop

import (
	"encoding/base64"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/clientjwt"
)

// privateMembers are the JWK members that only a private or symmetric key
// has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a key, base64url.
func Thumbprint(k *jose.JSONWebKey) (string, error) { return clientjwt.Thumbprint(k) }

// ValidJKT says whether s has the form of a SHA-256 thumbprint: 43
// base64url characters (the dpop_jkt parameter, RFC 9449 §10).
func ValidJKT(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}
