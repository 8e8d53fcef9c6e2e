// Package granttype is the one list of the grant types Lucid serves. The
// token endpoint's handlers, discovery's grant_types_supported and the
// grant types a client registration may name all derive from it, so a
// grant cannot be served without being advertised, nor registered without
// being served.
package granttype

import "slices"

// Type is a grant_type value (RFC 6749 §4, and the URNs of later RFCs).
type Type string

// The grant types Lucid knows.
const (
	AuthorizationCode Type = "authorization_code"
	RefreshToken      Type = "refresh_token"
	ClientCredentials Type = "client_credentials"
	// TokenExchange is RFC 8693.
	TokenExchange Type = "urn:ietf:params:oauth:grant-type:token-exchange"
	// JWTBearer is RFC 7523 §2.1.
	JWTBearer Type = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// DeviceCode is RFC 8628 §3.4.
	DeviceCode Type = "urn:ietf:params:oauth:grant-type:device_code"
	// CIBA is OpenID CIBA Core 1.0 §10.1.
	CIBA Type = "urn:openid:params:grant-type:ciba"
)

// served are the grant types the token endpoint answers, each with a
// handler in the provider (a test there holds the two equal).
var served = []Type{
	AuthorizationCode,
	RefreshToken,
	ClientCredentials,
	TokenExchange,
	JWTBearer,
	DeviceCode,
	CIBA,
}

// All returns the served grant types, sorted.
func All() []Type {
	out := slices.Clone(served)
	slices.Sort(out)
	return out
}

// Strings returns the served grant types as strings, sorted: the form of
// discovery and of messages.
func Strings() []string {
	out := make([]string, len(served))
	for i, t := range served {
		out[i] = string(t)
	}
	slices.Sort(out)
	return out
}

// Served reports whether Lucid serves the grant type s.
func Served(s string) bool { return slices.Contains(served, Type(s)) }

// UserBound reports whether tokens of the grant type act for a person, so
// that every issue of them checks the person, the consent and the family
// (provider/grants.go). Client credentials and JWT bearer act for a
// workload; token exchange acts for whatever its subject token does.
func UserBound(t Type) bool {
	switch t {
	case AuthorizationCode, RefreshToken, DeviceCode, CIBA:
		return true
	}
	return false
}
