package manage

import (
	"slices"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/jwe"
	"github.com/lucid-auth/lucid/internal/store"
)

// checkResponseEncryption checks what a client registered for what Lucid
// encrypts to it: JARM responses (JARM §3) and ID tokens (OpenID Connect
// Registration §2): an alg and enc Lucid serves, the enc defaulting to
// A128CBC-HS256 (filled in, so that what is shown is what applies), and a
// registered key that can receive it. A jwks_uri is not fetched here: the
// endpoint that encrypts says so when its keys do not fit.
func checkResponseEncryption(c *store.Client) error {
	for _, r := range []struct {
		what        string // the metadata fields' prefix
		alg, enc    *string
		unsupported catalog.Name
	}{
		{"authorization", &c.AuthorizationEncAlg, &c.AuthorizationEncEnc, catalog.JARMEncryptionUnsupported},
		{"id_token", &c.IDTokenEncAlg, &c.IDTokenEncEnc, catalog.IDTokenEncryptionUnsupported},
		{"userinfo", &c.UserInfoEncAlg, &c.UserInfoEncEnc, catalog.UserInfoEncryptionUnsupported},
	} {
		algField, encField := r.what+"_encrypted_response_alg", r.what+"_encrypted_response_enc"
		alg, enc := *r.alg, *r.enc
		if alg == "" {
			if enc != "" {
				return invalid(encField, "%q needs %s too (one of %s)", enc, algField, strings.Join(jwe.Algs, ", "))
			}
			continue
		}
		if !slices.Contains(jwe.Algs, alg) {
			return catalog.New(r.unsupported, "field", algField, "value", alg, "supported", strings.Join(jwe.Algs, ", "))
		}
		if enc == "" {
			*r.enc = jwe.DefaultEnc
		} else if !slices.Contains(jwe.Encs, enc) {
			return catalog.New(r.unsupported, "field", encField, "value", enc, "supported", strings.Join(jwe.Encs, ", "))
		}
		switch {
		case c.JWKS == "" && c.JWKSURI == "":
			return invalid("jwks", "%s %s needs the client's public encryption key: give jwks or jwks_uri", algField, alg)
		case c.JWKS != "":
			if _, reason, ok := jwe.Choose(jwe.PublicKeys([]byte(c.JWKS)), alg); !ok {
				return invalid("jwks", "%s %s needs a key to encrypt to, and %s", algField, alg, reason)
			}
		}
	}
	return nil
}

// checkSecretRequestObjects applies the rule of request objects signed
// with the client secret (HS256, HS384, HS512): Lucid can check them only
// for clients whose secret it can read back, those registered for
// client_secret_jwt; others keep only a keyed hash of their secret.
func checkSecretRequestObjects(c *store.Client) error {
	if _, hmac := clientjwt.HMACKeySize(c.RequestObjectAlg); !hmac || c.TokenEndpointAuthMethod == store.AuthSecretJWT {
		return nil
	}
	return invalid("request_object_signing_alg", "%s signs with the client secret, which Lucid can read back only for clients with token_endpoint_auth_method client_secret_jwt (it keeps other secrets as keyed hashes); this client uses %s. Use client_secret_jwt, or an asymmetric alg with registered keys", c.RequestObjectAlg, c.TokenEndpointAuthMethod)
}
