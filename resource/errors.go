package resource

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Names of the failures Verify and Require report. Each is the name of an
// entry of Lucid's error catalog (docs/errors.md, and /errors/NAME on the
// issuer), sent as error_code and at the start of error_description.
// Names are stable: branch on them, or on the sentinel errors below.
const (
	NameTokenMissing         = "bearer_token_missing"
	NameTokenEmpty           = "bearer_token_empty"
	NameTokenInQuery         = "bearer_token_in_query"
	NameTokenTwice           = "bearer_token_twice"
	NameBodyTooLarge         = "body_too_large"
	NameTokenMalformed       = "access_token_malformed"
	NameTokenSignature       = "access_token_signature_invalid"
	NameTokenForeignIssuer   = "access_token_foreign_issuer"
	NameTokenWrongIssuer     = "access_token_wrong_issuer"
	NameTokenWrongAudience   = "access_token_wrong_audience"
	NameTokenExpired         = "access_token_expired"
	NameTokenNotYetValid     = "access_token_not_yet_valid"
	NameTokenInactive        = "access_token_inactive"
	NameInsufficientScope    = string(catalog.InsufficientScope) // "insufficient_scope"
	NameKeysUnavailable      = "resource_keys_unavailable"
	NameIntrospectionRefused = "resource_introspection_refused"
	NameUnavailable          = "introspection_unavailable"
	NameServerError          = string(catalog.ServerError) // "server_error"
	// A certificate-bound token (RFC 8705) without its certificate, or
	// with another one.
	NameCertificateMissing  = "bound_token_certificate_missing"
	NameCertificateMismatch = "bound_token_certificate_mismatch"

	// DPoP (RFC 9449): the proof sent with a DPoP-bound token.
	NameDPoPProofMissing     = "dpop_proof_missing"
	NameDPoPProofRepeated    = "dpop_proof_repeated"
	NameDPoPProofMalformed   = "dpop_proof_malformed"
	NameDPoPProofType        = "dpop_proof_type"
	NameDPoPProofAlgorithm   = "dpop_proof_algorithm"
	NameDPoPProofKey         = "dpop_proof_key"
	NameDPoPProofSignature   = "dpop_proof_signature"
	NameDPoPProofClaims      = "dpop_proof_claims"
	NameDPoPProofMethod      = "dpop_proof_method"
	NameDPoPProofURL         = "dpop_proof_url"
	NameDPoPProofFuture      = "dpop_proof_future"
	NameDPoPProofTooOld      = "dpop_proof_too_old"
	NameDPoPProofReused      = "dpop_proof_reused"
	NameDPoPProofATHMissing  = "dpop_proof_ath_missing"
	NameDPoPProofATHMismatch = "dpop_proof_ath_mismatch"
	NameDPoPTokenKeyMismatch = "dpop_token_key_mismatch"
	NameDPoPTokenAsBearer    = "dpop_token_as_bearer"
	NameDPoPTokenNotBound    = "dpop_token_not_bound"

	// FAPI 2.0 Security Profile §5.4.1, with WithFAPI2: a DPoP proof
	// signed with another algorithm than PS256, ES256 or EdDSA, or with
	// a key that is too small.
	NameFAPIDPoPProofAlg = "fapi_dpop_proof_alg"
	NameFAPIDPoPKeySize  = "fapi_dpop_key_size"
)

// names lists every Name constant, for the test that keeps them in step
// with the catalog.
var names = []string{
	NameTokenMissing, NameTokenEmpty, NameTokenInQuery, NameTokenTwice, NameBodyTooLarge,
	NameTokenMalformed, NameTokenSignature, NameTokenForeignIssuer, NameTokenWrongIssuer,
	NameTokenWrongAudience, NameTokenExpired, NameTokenNotYetValid, NameTokenInactive,
	NameInsufficientScope, NameKeysUnavailable, NameIntrospectionRefused, NameUnavailable,
	NameServerError, NameCertificateMissing, NameCertificateMismatch,
	NameDPoPProofMissing, NameDPoPProofRepeated, NameDPoPProofMalformed, NameDPoPProofType,
	NameDPoPProofAlgorithm, NameDPoPProofKey, NameDPoPProofSignature, NameDPoPProofClaims,
	NameDPoPProofMethod, NameDPoPProofURL, NameDPoPProofFuture, NameDPoPProofTooOld,
	NameDPoPProofReused, NameDPoPProofATHMissing, NameDPoPProofATHMismatch,
	NameDPoPTokenKeyMismatch, NameDPoPTokenAsBearer, NameDPoPTokenNotBound,
	NameFAPIDPoPProofAlg, NameFAPIDPoPKeySize,
}

// Sentinel errors for errors.Is. An *Error matches the sentinel of its
// name, and the class sentinels ErrInvalidToken (any invalid_token),
// ErrInvalidRequest (any invalid_request) and ErrUnavailable (any 503: the
// token was not judged, retry).
var (
	ErrTokenMissing      = errors.New("resource: no access token")
	ErrTokenExpired      = errors.New("resource: access token expired")
	ErrTokenNotYetValid  = errors.New("resource: access token not yet valid")
	ErrWrongIssuer       = errors.New("resource: access token of another issuer")
	ErrWrongAudience     = errors.New("resource: access token for another audience")
	ErrTokenInactive     = errors.New("resource: access token inactive")
	ErrInsufficientScope = errors.New("resource: insufficient scope")
	ErrInvalidToken      = errors.New("resource: invalid access token")
	ErrInvalidRequest    = errors.New("resource: invalid request")
	// ErrUnavailable is matched by a failure to judge the token because
	// Lucid did not answer usefully (its introspection endpoint or key set
	// unreachable, timed out, 5xx, 429): the token may well be valid, so
	// the request should be retried, never treated as unauthenticated.
	// Require answers it with 503 and Retry-After.
	ErrUnavailable = errors.New("resource: authorization server unavailable")
	// ErrCertificateBinding: a certificate-bound token came without the
	// client certificate it is bound to.
	ErrCertificateBinding = errors.New("resource: access token bound to another client certificate")
)

// sentinelNames maps the sentinels of one or two names to them.
var sentinelNames = map[error][]string{
	ErrTokenMissing:       {NameTokenMissing},
	ErrTokenExpired:       {NameTokenExpired},
	ErrTokenNotYetValid:   {NameTokenNotYetValid},
	ErrWrongIssuer:        {NameTokenWrongIssuer, NameTokenForeignIssuer},
	ErrWrongAudience:      {NameTokenWrongAudience},
	ErrTokenInactive:      {NameTokenInactive},
	ErrInsufficientScope:  {NameInsufficientScope},
	ErrCertificateBinding: {NameCertificateMissing, NameCertificateMismatch},
}

// The RFC 6750 codes of the class sentinels, as the catalog has them.
var (
	codeInvalidToken   = entryCode(catalog.AccessTokenMalformed)
	codeInvalidRequest = entryCode(catalog.BearerInQuery)
)

func entryCode(n catalog.Name) string {
	en, _ := catalog.Lookup(n)
	return en.Error
}

// Error is why a token was not accepted: one entry of Lucid's error
// catalog with this request's details. Verify returns it; Require answers
// with it (RFC 6750 §3) and logs it. Use errors.As to get it, errors.Is
// with the sentinels to branch.
type Error struct {
	// Name is the catalog entry, one of the Name constants.
	Name string
	// Code is the RFC 6750 error code (invalid_token, insufficient_scope,
	// invalid_request, ...); empty for a request without a token (RFC 6750
	// §3.1 sends no error then).
	Code string
	// Status is the HTTP status Require answers with.
	Status int
	// Description is the error_description sent: the name, then what is
	// wrong with this token. It never holds a secret.
	Description string
	// Scope is the scope the resource needs, for insufficient_scope.
	Scope string
	// RetryAfter is the wait announced with a 503.
	RetryAfter time.Duration
	// TraceID identifies the request in the API's log; set by Require.
	TraceID string

	ce *catalog.Error
}

// newError wraps a catalog error; the catalog stays internal to Lucid.
func newError(ce *catalog.Error) *Error {
	e := &Error{Name: string(ce.Name()), Code: ce.Code(), Status: ce.Status(), Description: ce.Description(), Scope: ce.Scope, ce: ce}
	if e.Status == http.StatusServiceUnavailable {
		e.RetryAfter = ce.RetryAfter
		if e.RetryAfter <= 0 {
			e.RetryAfter = catalog.DefaultRetryAfter
		}
	}
	return e
}

func (e *Error) Error() string {
	if e.ce == nil {
		return e.Description
	}
	return e.ce.Error()
}

// Unwrap returns the underlying cause (a network error, for example).
func (e *Error) Unwrap() error {
	if e.ce == nil {
		return nil
	}
	return e.ce.Unwrap()
}

// Is reports whether target is the sentinel of e's name or class.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidToken:
		return e.Code == codeInvalidToken
	case ErrInvalidRequest:
		return e.Code == codeInvalidRequest
	case ErrUnavailable:
		return e.Status == http.StatusServiceUnavailable
	}
	for _, n := range sentinelNames[target] {
		if n == e.Name {
			return true
		}
	}
	return false
}

// LogValue gives slog the same fields Require logs and `lucid explain`
// shows: the entry, the description, the operator-only details and the
// cause.
func (e *Error) LogValue() slog.Value {
	if e.ce == nil {
		return slog.GroupValue(slog.String("error_code", e.Name), slog.String("description", e.Description))
	}
	attrs := e.ce.LogAttrs()
	if e.TraceID != "" {
		attrs = append([]slog.Attr{slog.String("trace_id", e.TraceID)}, attrs...)
	}
	return slog.GroupValue(attrs...)
}

// asError returns err as an *Error: a failure that is not one is a
// server_error with err as its cause.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(catalog.New(catalog.ServerError).Wrap(err))
}
