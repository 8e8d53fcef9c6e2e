package clientauth

import (
	"context"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/jwe"
	"github.com/lucid-auth/lucid/internal/store"
)

// EncryptionNames are the entries a use of EncryptionKey reports with:
// Missing (client_id, alg, reason) when no registered key can encrypt
// with the alg, Unreachable (client_id, alg) when jwks_uri cannot be
// fetched.
type EncryptionNames struct{ Missing, Unreachable catalog.Name }

// EncryptionKey is the key of client c that Lucid encrypts to with alg
// (encrypted JARM responses): from the inline jwks, else from jwks_uri
// through the same fetcher and cache as the client's signature keys.
func (a *Authenticator) EncryptionKey(ctx context.Context, c *store.Client, alg string, n EncryptionNames) (jose.JSONWebKey, *catalog.Error) {
	missing := func(reason string) (jose.JSONWebKey, *catalog.Error) {
		return jose.JSONWebKey{}, catalog.New(n.Missing, "client_id", c.ID, "alg", alg, "reason", reason)
	}
	var set *keySet
	switch {
	case c.JWKS != "":
		s, err := a.inlineKeys(c.JWKS)
		if err != nil {
			return missing("its registered jwks is unusable: " + err.Error())
		}
		set = s
	case c.JWKSURI != "":
		s, _, ferr := a.remoteKeys(ctx, c.ID, c.JWKSURI, "")
		if ferr != nil {
			// As for signature keys: what the target answered is for the
			// operator only.
			e := catalog.New(n.Unreachable, "client_id", c.ID, "alg", alg).Internal("jwks_uri", c.JWKSURI, "reason", ferr.reason)
			if ferr.cause != nil {
				e = e.Wrap(ferr.cause)
			}
			return jose.JSONWebKey{}, e
		}
		set = s
	default:
		return missing("it has registered neither jwks nor jwks_uri")
	}
	if !jwe.Supported(alg, "") {
		return missing(alg + " is not an algorithm Lucid encrypts with")
	}
	k, reason, ok := jwe.Choose(set.enc, alg)
	if !ok {
		return missing(reason)
	}
	return k, nil
}
