package storetest

import (
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// t0 is the suite's clock: not UTC and with nanoseconds, so that the
// suite sees backends normalize both.
var t0 = time.Date(2031, 3, 14, 15, 9, 26, 535897932, time.FixedZone("UTC+5:30", 5*3600+1800))

// odd is a string that trips naive encodings: quotes, backslashes, NUL,
// non-ASCII and SQL.
const odd = "it's \"quoted\" \\ back\x00slash ✓ 名前 '); DROP TABLE users; --"

func ptr[T any](v T) *T { return &v }

func newClient(id string) *store.Client {
	return &store.Client{
		ID:   id,
		Name: "Client " + odd,
		Secrets: []store.ClientSecret{
			{ID: "s1", Hash: "aa11", CreatedAt: t0},
			{ID: "s2", Hash: "bb22", CreatedAt: t0.Add(time.Hour), ExpiresAt: ptr(t0.Add(48 * time.Hour))},
		},
		TokenEndpointAuthMethod: store.AuthSecretBasic,
		RedirectURIs:            []string{"https://app.example/cb", "http://127.0.0.1:8080/cb?x=1&y=2"},
		PostLogoutRedirectURIs:  []string{"https://app.example/bye"},
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		Scopes:                  []string{"openid", "profile", "offline_access"},
		RequirePKCE:             true,
		IDTokenAlg:              "ES256",
		AuthorizationAlg:        "EdDSA",
		AuthorizationEncAlg:     "ECDH-ES+A128KW",
		AuthorizationEncEnc:     "A256GCM",
		JWKS:                    `{"keys":[]}`,
		JWKSURI:                 "https://app.example/jwks",
		AlwaysRefresh:           true,
		RequirePAR:              true,
		SkipConsent:             true,
		CreatedAt:               t0,
		UpdatedAt:               t0.Add(time.Minute),
	}
}

func newUser(id, username, email string) *store.User {
	return &store.User{
		ID:            id,
		Username:      username,
		Email:         email,
		EmailVerified: true,
		Name:          "Ada " + odd,
		GivenName:     "Ada",
		FamilyName:    "Lovelace",
		Phone:         "+44 20 0000 0000",
		PhoneVerified: true,
		Address:       &store.Address{Formatted: "1 Street\nTown", Locality: "Town", Country: "GB"},
		PasswordHash:  "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		FailedLogins:  2,
		LockedUntil:   t0.Add(15 * time.Minute),
		CreatedAt:     t0,
		UpdatedAt:     t0.Add(time.Second),
	}
}

func newSigningKey(id string, created time.Time) *store.SigningKey {
	return &store.SigningKey{
		ID:        id,
		Alg:       "EdDSA",
		Encrypted: []byte{0, 1, 2, 0xfe, 0xff, 'k', 'e', 'y'},
		CreatedAt: created,
	}
}

func newAuthRequest(id string, expires time.Time) *store.AuthRequest {
	return &store.AuthRequest{
		ID:                  id,
		ClientID:            "client-1",
		RedirectURI:         "https://app.example/cb",
		RedirectURIGiven:    true,
		ResponseMode:        "query",
		State:               "state " + odd,
		Nonce:               "nonce-1",
		Scopes:              []string{"openid", "email"},
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		Prompt:              []string{"login", "consent"},
		MaxAge:              ptr(0), // a pointer to zero is not the same as no max_age
		LoginHint:           "ada@example.com",
		UILocales:           "en fr",
		ACRValues:           "urn:acr:1",
		Browser:             "browserhash",
		CreatedAt:           t0,
		ExpiresAt:           expires,
	}
}

func newAuthCode(hash string, expires time.Time) *store.AuthCode {
	return &store.AuthCode{
		Hash:                hash,
		ClientID:            "client-1",
		UserID:              "user-1",
		RedirectURI:         "https://app.example/cb",
		RedirectURIGiven:    true,
		Scopes:              []string{"openid", "offline_access"},
		Nonce:               "n-" + odd,
		CodeChallenge:       "challenge",
		CodeChallengeMethod: "S256",
		SessionID:           "sid-1",
		AuthTime:            t0.Add(-time.Minute),
		AMR:                 []string{"pwd"},
		CreatedAt:           t0,
		ExpiresAt:           expires,
	}
}

func newFamily(id, userID, clientID string) *store.TokenFamily {
	return &store.TokenFamily{
		ID:        id,
		ClientID:  clientID,
		UserID:    userID,
		Scopes:    []string{"openid", "offline_access"},
		SessionID: "sid-1",
		AuthTime:  t0.Add(-time.Minute),
		CreatedAt: t0,
	}
}

func newRefreshToken(hash, familyID string, expires, idle time.Time) *store.RefreshToken {
	return &store.RefreshToken{
		Hash:          hash,
		FamilyID:      familyID,
		ClientID:      "client-1",
		UserID:        "user-1",
		Scopes:        []string{"openid", "offline_access"},
		CreatedAt:     t0,
		ExpiresAt:     expires,
		IdleExpiresAt: idle,
	}
}

func newSession(hash string, expires time.Time) *store.Session {
	return &store.Session{
		Hash:      hash,
		ID:        "sid-" + hash,
		UserID:    "user-1",
		AuthTime:  t0,
		AMR:       []string{"pwd", "otp"},
		CreatedAt: t0,
		ExpiresAt: expires,
	}
}

func newFailure(traceID string, created time.Time) *store.Failure {
	return &store.Failure{
		TraceID:   traceID,
		Time:      created,
		Name:      "code_unknown",
		Endpoint:  "token",
		ClientID:  "client-1",
		Request:   "POST /token grant_type code",
		Text:      "The code " + odd + " is unknown.",
		Internal:  map[string]string{"code_client_id": "other", "note": odd},
		CreatedAt: created,
	}
}

func newConsent(userID, clientID string, scopes ...string) *store.Consent {
	return &store.Consent{UserID: userID, ClientID: clientID, Scopes: scopes, GrantedAt: t0}
}

func newAPI(id string) *store.API {
	return &store.API{
		ID:          id,
		Name:        "API " + odd,
		Scopes:      []string{"read", "write"},
		TokenFormat: store.FormatJWT,
		TokenTTL:    5 * time.Minute,
		CreatedAt:   t0,
		UpdatedAt:   t0.Add(time.Minute),
	}
}

func newAccessToken(hash string, expires time.Time) *store.AccessToken {
	return &store.AccessToken{
		Hash:      hash,
		JTI:       "jti-" + hash,
		ClientID:  "client",
		UserID:    "user",
		FamilyID:  "fam",
		Scopes:    []string{"read"},
		Audience:  []string{"https://api.example"},
		AuthTime:  t0,
		CreatedAt: t0,
		ExpiresAt: expires,
	}
}
