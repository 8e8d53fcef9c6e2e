package keys

import (
	"errors"
	"fmt"
	"time"
)

// Errors of Verify, Sign and NewManager. Callers branch with errors.Is and,
// for the details, errors.As with *KeyError, *SignatureError, *AlgError or
// *TypeError.
var (
	// ErrMalformed: the token is not a compact JWS.
	ErrMalformed = errors.New("keys: not a compact JWS")
	// ErrUnknownKey: the kid is not among the published keys (never was,
	// or its publication expired). The error is a *KeyError.
	ErrUnknownKey = errors.New("keys: not signed with a published key")
	// ErrSignature: the signature does not verify with the named key. The
	// error is a *SignatureError.
	ErrSignature = errors.New("keys: signature invalid")
	// ErrAlg: the alg is not allowed, or does not match the named key; for
	// Sign, no key of that alg. The error is an *AlgError.
	ErrAlg = errors.New("keys: algorithm not allowed")
	// ErrType: the typ header is not the expected one. The error is a *TypeError.
	ErrType = errors.New("keys: unexpected token type")
	// ErrMasterKey: a stored private key cannot be decrypted with this
	// server's master key.
	ErrMasterKey = errors.New("keys: a stored signing key cannot be decrypted: wrong master key or corrupted data")
)

// maxShown bounds how much of a caller-supplied header value an error repeats.
const maxShown = 80

func clip(s string) string {
	if len(s) > maxShown {
		return s[:maxShown] + "…"
	}
	return s
}

// KeyError names the kid a token claims when it is not a published key.
type KeyError struct {
	Kid string // as given in the token, clipped; "" when it had none
	// Expired is when the key stopped being published, if it was one of
	// this server's keys; zero if the kid was never known.
	Expired time.Time
}

func (e *KeyError) Error() string {
	switch {
	case e.Kid == "":
		return ErrUnknownKey.Error() + ": token has no kid"
	case !e.Expired.IsZero():
		return fmt.Sprintf("%s: key %q was retired and unpublished at %s", ErrUnknownKey, e.Kid, e.Expired.UTC().Format(time.RFC3339))
	default:
		return fmt.Sprintf("%s: no key %q", ErrUnknownKey, e.Kid)
	}
}

func (e *KeyError) Unwrap() error { return ErrUnknownKey }

// AlgError names an algorithm that was refused.
type AlgError struct {
	Alg    string // the alg asked for (clipped)
	Kid    string // the key it was used with, if any
	KeyAlg string // that key's algorithm, if any
}

func (e *AlgError) Error() string {
	if e.KeyAlg != "" {
		return fmt.Sprintf("%s: alg %q used with key %q, which is %s", ErrAlg, e.Alg, e.Kid, e.KeyAlg)
	}
	return fmt.Sprintf("%s: alg %q (supported: RS256, ES256, EdDSA)", ErrAlg, e.Alg)
}

func (e *AlgError) Unwrap() error { return ErrAlg }

// TypeError names the typ a token carried and the one expected.
type TypeError struct {
	Got  string // "" when the header had no typ
	Want string
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("%s: typ %q, want %q", ErrType, e.Got, e.Want)
}

func (e *TypeError) Unwrap() error { return ErrType }

// SignatureError names the published key a signature failed to verify with.
type SignatureError struct{ Kid string }

func (e *SignatureError) Error() string { return fmt.Sprintf("%s (key %s)", ErrSignature, e.Kid) }

func (e *SignatureError) Unwrap() error { return ErrSignature }
