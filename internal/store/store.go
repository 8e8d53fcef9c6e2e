// Package store defines Lucid's persistent state and the narrow interface
// every backend implements. Every single-use or rotation rule (a code
// redeemed once, a refresh token rotated once, a jti seen once) is an atomic
// conditional write inside the backend, never a check in process memory, so
// the rules hold across many replicas sharing one database.
//
// Secrets never reach the store in clear: codes, refresh tokens and session
// ids are stored by their SHA-256 (hex), client secrets by a keyed hash,
// passwords by argon2id, private keys encrypted.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"
)

// Errors a backend returns. Callers branch with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: already exists")
	// ErrAlreadyUsed: a single-use value (code, refresh token, jti) was
	// used before. Redeem/Rotate return it together with the stored record.
	ErrAlreadyUsed = errors.New("store: already used")
	// ErrInvalidated: the code was invalidated by a failed check.
	ErrInvalidated = errors.New("store: invalidated")
	// ErrUnavailable: the database cannot be reached or used right now
	// (closed, connection lost, locked too long, out of space).
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrNoDatabase: opened with OpenExisting or OpenReadOnly, the database
	// does not exist (no SQLite file) or holds no Lucid schema.
	ErrNoDatabase = errors.New("no Lucid database")
	// ErrSchemaOutdated: opened with OpenExisting or OpenReadOnly, the
	// database's schema is older than this binary's, and those opens do not
	// migrate (`lucid migrate up` does).
	ErrSchemaOutdated = errors.New("the database schema is older than this Lucid")
)

// OpenMode is what opening a database may do to it. A mistyped database
// path must not become a new, empty database, and a command that only
// reads must not change the schema under a running server.
type OpenMode int

const (
	// OpenCreate creates the database when it does not exist and brings
	// its schema up to date (serve, demo, init).
	OpenCreate OpenMode = iota
	// OpenExisting refuses with ErrNoDatabase a database that does not
	// exist and with ErrSchemaOutdated one whose schema is older than this
	// binary's: management commands never change the schema.
	OpenExisting
	// OpenReadOnly refuses a database that does not exist, changes
	// nothing (no migration), and refuses with ErrSchemaOutdated a schema
	// older than this binary's.
	OpenReadOnly
	// OpenMigrate refuses with ErrNoDatabase a database that does not
	// exist, and brings an existing one's schema up to date (`lucid
	// migrate up`, serve with migrate_on_start).
	OpenMigrate
)

// Unavailable reports whether err means the database did not answer (as
// opposed to a bug): ErrUnavailable, a context that ended while waiting
// for it (the caller's, or the query or request deadline), or an I/O
// deadline a driver hit on its connection.
func Unavailable(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, os.ErrDeadlineExceeded)
}

// Store is the whole persistence contract. storetest.Run is its conformance
// suite; every backend must pass it.
type Store interface {
	// Clients.
	CreateClient(ctx context.Context, c *Client) error // ErrConflict if the id exists
	GetClient(ctx context.Context, id string) (*Client, error)
	ListClients(ctx context.Context) ([]*Client, error)
	// UpdateClient runs fn on the current client inside a transaction and
	// stores what fn leaves; an error from fn aborts and is returned.
	UpdateClient(ctx context.Context, id string, fn func(*Client) error) (*Client, error)
	DeleteClient(ctx context.Context, id string) error

	// Users. Username and email are unique (email when not empty).
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByUsername(ctx context.Context, username string) (*User, error) // matches username or email, case-insensitively
	ListUsers(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, id string, fn func(*User) error) (*User, error)
	DeleteUser(ctx context.Context, id string) error

	// Signing keys.
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	ListSigningKeys(ctx context.Context) ([]*SigningKey, error)
	UpdateSigningKey(ctx context.Context, id string, fn func(*SigningKey) error) (*SigningKey, error)

	// Authorization requests waiting for the user to sign in and consent.
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	GetAuthRequest(ctx context.Context, id string) (*AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, id string, fn func(*AuthRequest) error) (*AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error

	// Authorization codes, keyed by the SHA-256 of the code.
	CreateAuthCode(ctx context.Context, c *AuthCode) error
	GetAuthCode(ctx context.Context, hash string) (*AuthCode, error)
	// RedeemAuthCode marks the code redeemed and, in the same transaction,
	// creates its token family and stores the tokens issued for it, only if
	// the code is neither redeemed nor invalidated. Otherwise it changes
	// nothing and returns the stored code with ErrAlreadyUsed or
	// ErrInvalidated; exactly one of many concurrent calls succeeds. On
	// success it returns no code: the caller read it before minting.
	RedeemAuthCode(ctx context.Context, hash string, family *TokenFamily, issued Issued, now time.Time) (*AuthCode, error)
	// InvalidateAuthCode marks an unredeemed code unusable after a failed
	// check (reason names the check).
	InvalidateAuthCode(ctx context.Context, hash, reason string, now time.Time) error

	// Token families: every token issued from one code redemption.
	// CreateTokenFamily creates a family that no code starts (token
	// exchange) together with its tokens, in one transaction; a taken id or
	// token hash is ErrConflict and changes nothing.
	CreateTokenFamily(ctx context.Context, family *TokenFamily, issued Issued) error
	GetTokenFamily(ctx context.Context, id string) (*TokenFamily, error)
	// RevokeTokenFamily marks the family revoked, which ends every token of
	// it: refresh tokens and access tokens are checked against their family.
	// It revokes the family's descendants (ParentID, transitively) with the
	// same time and reason. Revoking a revoked family keeps the first time
	// and reason.
	RevokeTokenFamily(ctx context.Context, id, reason string, now time.Time) error
	// ListFamiliesFor returns every token family of the user, revoked ones
	// included, in no set order: which clients took part in which session.
	ListFamiliesFor(ctx context.Context, userID string) ([]*TokenFamily, error)
	// RevokeFamiliesFor revokes every family of the user and client (consent
	// withdrawn), and their descendants; clientID "" means all clients.
	RevokeFamiliesFor(ctx context.Context, userID, clientID, reason string, now time.Time) error

	// Refresh tokens, keyed by the SHA-256 of the token.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	GetRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// RotateRefreshToken marks old rotated and stores the next tokens in one
	// transaction (next.Refresh is required), only if old is not yet
	// rotated; otherwise it changes nothing and returns the stored old token
	// with ErrAlreadyUsed. Exactly one concurrent call wins. next.Successor,
	// when set, is kept on the old token (RefreshToken.Successor), so that
	// the losers read the winner's.
	RotateRefreshToken(ctx context.Context, oldHash string, next Issued, now time.Time) (*RefreshToken, error)
	// RenewRefreshToken keeps a refresh token without rotating it (the
	// FAPI 2.0 Security Profile, §5.3.2.1 item 9): it stores t, a token
	// already stored and not rotated, with its new idle expiry, and access,
	// the opaque access token issued with it (nil for a JWT), in one
	// transaction. A token rotated meanwhile is left as it is
	// (ErrAlreadyUsed), one deleted is ErrNotFound; access is then not
	// stored either.
	RenewRefreshToken(ctx context.Context, t *RefreshToken, access *AccessToken) error

	// Opaque access tokens, keyed by the SHA-256 of the token.
	CreateAccessToken(ctx context.Context, t *AccessToken) error
	GetAccessToken(ctx context.Context, hash string) (*AccessToken, error)
	// RevokeAccessToken marks an opaque token revoked; revoking it again
	// keeps the first time. ErrNotFound when there is no such token.
	RevokeAccessToken(ctx context.Context, hash string, now time.Time) error

	// DenyJTI puts a revoked JWT access token on the denylist until it
	// expires anyway; denying it again changes nothing.
	DenyJTI(ctx context.Context, jti string, expiresAt time.Time) error
	// JTIDenied reports whether the JWT id is on the denylist.
	JTIDenied(ctx context.Context, jti string) (bool, error)

	// APIs (resource servers), keyed by their identifier, the audience.
	CreateAPI(ctx context.Context, a *API) error
	GetAPI(ctx context.Context, id string) (*API, error)
	ListAPIs(ctx context.Context) ([]*API, error)
	UpdateAPI(ctx context.Context, id string, fn func(*API) error) (*API, error)
	DeleteAPI(ctx context.Context, id string) error

	// Consents, one per user and client.
	GetConsent(ctx context.Context, userID, clientID string) (*Consent, error)
	SaveConsent(ctx context.Context, c *Consent) error // insert or replace
	ListConsents(ctx context.Context, userID string) ([]*Consent, error)
	DeleteConsent(ctx context.Context, userID, clientID string) error

	// Browser sessions, keyed by the SHA-256 of the cookie value.
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, hash string) (*Session, error)
	// GetSessionByID finds a session by its public id (the sid claim), to
	// tell whether a token's session still exists; ErrNotFound once it
	// ended. Expiry is the caller's to judge.
	GetSessionByID(ctx context.Context, id string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	// ListSessionsFor returns the user's browser sessions, expired ones
	// included (expiry is the caller's to judge), in no set order.
	ListSessionsFor(ctx context.Context, userID string) ([]*Session, error)
	// DeleteSessionsFor ends every browser session of the user (password
	// changed, account disabled); a user without sessions is no error.
	DeleteSessionsFor(ctx context.Context, userID string) error

	// UseJTI records that a JWT id was seen for issuer until expiresAt. It
	// returns ErrAlreadyUsed when the pair is already recorded and unexpired.
	UseJTI(ctx context.Context, issuer, jti string, expiresAt time.Time) error

	// Pushed authorization requests (RFC 9126), keyed by the SHA-256 of
	// their request_uri's random part.
	CreatePushedRequest(ctx context.Context, r *PushedRequest) error // ErrConflict if the hash exists
	// ConsumePushedRequest marks the request used and returns it, only if
	// it is unused, belongs to clientID and expires after now; exactly one
	// of many concurrent calls succeeds. A refused call changes nothing and
	// returns the stored request with ErrAlreadyUsed (the caller tells why
	// from its UsedAt, ClientID and ExpiresAt); ErrNotFound when none.
	ConsumePushedRequest(ctx context.Context, hash, clientID string, now time.Time) (*PushedRequest, error)

	// The outbox: durable deliveries (internal/outbox), claimed by one
	// replica at a time.
	//
	// EnqueueOutbox stores the items (pending, due at their NextAttempt)
	// in one transaction; a taken id is ErrConflict and stores none.
	EnqueueOutbox(ctx context.Context, items []*OutboxItem) error
	// ClaimOutbox takes up to limit pending items due at now whose lease
	// is free or expired, oldest due first, and leases them to lease until
	// now+leaseFor, counting one attempt each. It is one conditional
	// write: of concurrent claims on any replica, each item goes to one.
	ClaimOutbox(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]*OutboxItem, error)
	// DeliveredOutbox marks the item delivered, only while lease holds it
	// (not reclaimed by another after the lease expired); otherwise it
	// changes nothing and returns ErrNotFound.
	DeliveredOutbox(ctx context.Context, id, lease string, now time.Time) error
	// RetryOutbox records a failed attempt and frees the item: pending
	// again at r.Next, or dead when r.Dead; only while lease holds it,
	// otherwise ErrNotFound.
	RetryOutbox(ctx context.Context, id, lease string, r OutboxRetry) error
	// ListOutbox returns up to limit items of a state (pending: soonest
	// due first; delivered and dead: latest finished first).
	ListOutbox(ctx context.Context, state string, limit int) ([]*OutboxItem, error)
	// RequeueOutbox puts a dead item back to pending, due at now, with
	// its attempts reset (its last error is kept until the next attempt),
	// and returns it. ErrNotFound when there is no such item; when it is
	// not dead, nothing changes and the stored item comes back with
	// ErrAlreadyUsed.
	RequeueOutbox(ctx context.Context, id string, now time.Time) (*OutboxItem, error)
	// CountOutbox counts the items of each state.
	CountOutbox(ctx context.Context) (OutboxCounts, error)
	// Device authorizations (RFC 8628), keyed by the SHA-256 of their
	// device_code and found by the keyed hash of their user code.
	CreateDeviceCode(ctx context.Context, c *DeviceCode) error // ErrConflict if either hash exists
	GetDeviceCode(ctx context.Context, hash string) (*DeviceCode, error)
	GetDeviceCodeByUserCode(ctx context.Context, userCodeHash string) (*DeviceCode, error)
	// DecideDeviceCode records the person's decision, only if none is
	// recorded and the authorization expires after now; exactly one of
	// many concurrent calls succeeds. A refused call changes nothing and
	// returns the stored authorization with ErrAlreadyUsed (the caller
	// tells why from DecidedAt and ExpiresAt); ErrNotFound when none.
	DecideDeviceCode(ctx context.Context, hash string, d DeviceDecision, now time.Time) (*DeviceCode, error)
	// RedeemDeviceCode marks the authorization redeemed and, in the same
	// transaction, creates the token family and stores the issued tokens,
	// only if it was approved, is not redeemed and expires after now.
	// Otherwise it changes nothing and returns the stored authorization
	// with ErrAlreadyUsed; ErrNotFound when none. Exactly one of many
	// concurrent calls succeeds.
	RedeemDeviceCode(ctx context.Context, hash string, family *TokenFamily, issued Issued, now time.Time) (*DeviceCode, error)
	// Backchannel authentication requests (OpenID CIBA Core 1.0).
	BackchannelStore
	// Revocations in bulk, for the revocation view (changes.go).
	RevocationStore
	// Rate limits and failed sign-ins shared by replicas (changes.go).
	ThrottleStore
	// Single-use links sent by e-mail (password reset, verification).
	UserTokenStore
	// Links to upstream identities and blocked upstream subjects.
	IdentityStore
	// Second factors and passkeys.
	FactorStore
	// Each person's latest sign-ins (the account page).
	SignInStore

	// Failures are recorded error stories for `lucid explain`.
	RecordFailure(ctx context.Context, f *Failure) error
	GetFailure(ctx context.Context, traceID string) (*Failure, error)
	// ListFailures finds stories by client, entry name and time, newest
	// first, at most q.Limit (or FailureListMax) of them.
	ListFailures(ctx context.Context, q FailureQuery) ([]*Failure, error)
	// RecordFailures stores several stories in one transaction; a trace id
	// already recorded is skipped rather than failing the others.
	RecordFailures(ctx context.Context, fs []*Failure) error
	// TrimFailures keeps the newest keep stories of one class (Unattributed
	// or not) and deletes the older ones, returning how many it deleted.
	TrimFailures(ctx context.Context, unattributed bool, keep int) (int64, error)

	// DeleteExpired removes what expired before now (auth requests, codes,
	// refresh tokens, opaque access tokens, sessions, jtis, denied jtis),
	// pushed requests that expired PushedKeep before now, backchannel
	// requests that expired BackchannelKeep before now, failures older than keepFailures,
	// outbox items delivered OutboxDeliveredKeep before now and dead ones
	// that died more than keepFailures before now.
	// pushed requests that expired PushedKeep before now, device
	// authorizations that expired DeviceKeep before now, and failures older than keepFailures.
	// user tokens that expired UserTokenKeep before now.
	// It also drops every refresh token's Successor whose Until is not
	// after now, and throttle rows idle for ThrottleKeep whose bucket is
	// full and whose lock has ended.
	DeleteExpired(ctx context.Context, now time.Time, keepFailures time.Duration) error

	// The master key check: a value sealed with the master key, stored
	// once, so that a process given another key can refuse to start
	// instead of writing secrets and keys nobody can use.
	GetKeyCheck(ctx context.Context) ([]byte, error)         // ErrNotFound when none is stored
	CreateKeyCheck(ctx context.Context, sealed []byte) error // ErrConflict when one is stored; keeps that one

	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// ReasonConsentWithdrawn is the revoke reason of the families ended by a
// consent withdrawal; the refresh grant names it in its answer.
const ReasonConsentWithdrawn = "consent withdrawn"

// Token endpoint authentication methods.
const (
	AuthSecretBasic   = "client_secret_basic"
	AuthSecretPost    = "client_secret_post"
	AuthPrivateKeyJWT = "private_key_jwt"
	AuthSecretJWT     = "client_secret_jwt"
	AuthNone          = "none"
	// Mutual TLS (RFC 8705 §2): a certificate from a trusted CA naming the
	// client, or one of the client's own registered keys.
	AuthTLSClient     = "tls_client_auth"
	AuthSelfSignedTLS = "self_signed_tls_client_auth"
)

// Client is a registered OAuth client.
type Client struct {
	ID                      string         `json:"id"`
	Name                    string         `json:"name"`
	Secrets                 []ClientSecret `json:"secrets,omitempty"`
	TokenEndpointAuthMethod string         `json:"token_endpoint_auth_method"`
	RedirectURIs            []string       `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string       `json:"post_logout_redirect_uris,omitempty"`
	WebOrigins              []string       `json:"web_origins,omitempty"` // browser origins for CORS; "+" is the redirect URIs' origins
	GrantTypes              []string       `json:"grant_types"`
	ResponseTypes           []string       `json:"response_types"`
	Scopes                  []string       `json:"scopes"` // scopes the client may request
	// RequirePKCE is true by default (OAuth 2.1); public clients always need PKCE.
	RequirePKCE bool `json:"require_pkce"`
	// IDTokenAlg is RS256, ES256 or EdDSA.
	IDTokenAlg string `json:"id_token_signed_response_alg"`
	JWKS       string `json:"jwks,omitempty"` // a JWK set, for private_key_jwt
	JWKSURI    string `json:"jwks_uri,omitempty"`
	// CertIdentity is what a tls_client_auth client's certificate must
	// name (RFC 8705 §2.1.2); exactly one field is set.
	CertIdentity *CertIdentity `json:"tls_client_auth,omitempty"`
	// CertBoundTokens asks for access tokens bound to the client's TLS
	// certificate (RFC 8705 §3.4) whenever it presents one.
	CertBoundTokens bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	// RequestObjectAlg is the alg the client signs request objects
	// (RFC 9101) with: RS256, PS256, ES256, EdDSA, or none (unsigned,
	// only when registered so); "" accepts any of the signed ones.
	RequestObjectAlg string `json:"request_object_signing_alg,omitempty"`
	// AlwaysRefresh issues a refresh token even without offline_access.
	AlwaysRefresh bool `json:"always_issue_refresh_token,omitempty"`
	// Audiences the client may get tokens for (API identifiers) with the
	// client_credentials grant or a resource parameter.
	Audiences []string `json:"audiences,omitempty"`
	// AccessTokenFormat overrides the API's format: "jwt", "opaque" or "".
	AccessTokenFormat string `json:"access_token_format,omitempty"`
	// TokenExchange is what the client may do with the token exchange
	// grant (RFC 8693); nil allows nothing.
	TokenExchange *ExchangePolicy `json:"token_exchange,omitempty"`
	// JWTBearer is whose assertions the client may present with the JWT
	// bearer grant (RFC 7523 §2.1); nil allows none.
	JWTBearer *JWTBearerPolicy `json:"jwt_bearer,omitempty"`
	// DPoPBoundAccessTokens requires a DPoP proof at every token request
	// (RFC 9449 §5.2 client metadata).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
	// RequirePAR makes the client push its authorization requests
	// (RFC 9126 §5): the authorization endpoint takes only a request_uri.
	RequirePAR bool `json:"require_pushed_authorization_requests,omitempty"`
	// FAPI2 puts the client under the FAPI 2.0 Security Profile
	// (internal/fapi): PAR, PKCE, key-based authentication, sender-
	// constrained tokens and the profile's algorithms only.
	FAPI2 bool `json:"fapi2_security_profile,omitempty"`
	// RequireSecondFactor asks everyone signing in to this client for a
	// second factor, whatever authn.second_factor says.
	RequireSecondFactor bool `json:"require_second_factor,omitempty"`
	// SkipConsent is for first-party clients the operator trusts.
	SkipConsent bool      `json:"skip_consent,omitempty"`
	Disabled    bool      `json:"disabled,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// RegistrationTokenHash is the hex SHA-256 of the RFC 7592 registration
	// access token; empty for clients the operator created, which dynamic
	// client management therefore never touches.
	RegistrationTokenHash string `json:"registration_token_hash,omitempty"`

	// RetiredSecrets are the keyed hashes of secrets taken out of use (by a
	// rotation, a removal or their expiry), each kept until its Until, so
	// that a request presenting one is told when and how it was retired
	// instead of "wrong". Never the secret, never a sealed copy.
	RetiredSecrets []RetiredSecret `json:"retired_secrets,omitempty"`

	// AuthorizationAlg signs the client's JWT-secured authorization
	// responses (JARM): RS256, ES256 or EdDSA; "" is RS256, JARM's default.
	AuthorizationAlg string `json:"authorization_signed_response_alg,omitempty"`
	// AuthorizationEncAlg and AuthorizationEncEnc encrypt the signed JARM
	// response to one of the client's keys (JARM §3): the key management
	// algorithm (RSA-OAEP-256, ECDH-ES…) and the content encryption
	// ("" with an alg is A128CBC-HS256). "" alg: not encrypted.
	AuthorizationEncAlg string `json:"authorization_encrypted_response_alg,omitempty"`
	AuthorizationEncEnc string `json:"authorization_encrypted_response_enc,omitempty"`
	// IDTokenEncAlg and IDTokenEncEnc encrypt the client's signed ID
	// tokens to one of its keys (OpenID Connect Core §10.2, Registration
	// §2): a nested JWT, as for JARM. "" alg: not encrypted.
	IDTokenEncAlg string `json:"id_token_encrypted_response_alg,omitempty"`
	IDTokenEncEnc string `json:"id_token_encrypted_response_enc,omitempty"`
	// UserInfoAlg, UserInfoEncAlg and UserInfoEncEnc make userinfo answer
	// with a JWT (OpenID Connect Core §5.3.2): signed with UserInfoAlg,
	// then encrypted when UserInfoEncAlg is set; "" both: plain JSON.
	UserInfoAlg    string `json:"userinfo_signed_response_alg,omitempty"`
	UserInfoEncAlg string `json:"userinfo_encrypted_response_alg,omitempty"`
	UserInfoEncEnc string `json:"userinfo_encrypted_response_enc,omitempty"`

	// AuthorizationDetailsTypes are the authorization details types (RFC
	// 9396 §10) the client may ask for; empty allows none.
	AuthorizationDetailsTypes []string `json:"authorization_details_types,omitempty"`

	// Backchannel is the client's CIBA metadata; nil without the CIBA grant.
	Backchannel *BackchannelClient `json:"backchannel,omitempty"`

	// LogoutChannels are where the client hears that a session it took
	// part in ended.
	LogoutChannels
}

// LogoutChannels is a client's OpenID Back-Channel Logout 1.0 and
// Front-Channel Logout 1.0 metadata, under their registered names.
type LogoutChannels struct {
	// BackchannelURI receives a signed logout token (POST, form field
	// logout_token) through the outbox.
	BackchannelURI string `json:"backchannel_logout_uri,omitempty"`
	// BackchannelSessionRequired: the logout token must carry sid.
	BackchannelSessionRequired bool `json:"backchannel_logout_session_required,omitempty"`
	// FrontchannelURI is loaded in an iframe of the logged-out page.
	FrontchannelURI string `json:"frontchannel_logout_uri,omitempty"`
	// FrontchannelSessionRequired: the iframe's URL carries iss and sid.
	FrontchannelSessionRequired bool `json:"frontchannel_logout_session_required,omitempty"`
}

// CertIdentity is the subject or subject alternative name a client's
// certificate must carry (RFC 8705 §2.1.2), named as in its metadata.
type CertIdentity struct {
	SubjectDN string `json:"tls_client_auth_subject_dn,omitempty"`
	SANDNS    string `json:"tls_client_auth_san_dns,omitempty"`
	SANURI    string `json:"tls_client_auth_san_uri,omitempty"`
	SANIP     string `json:"tls_client_auth_san_ip,omitempty"`
	SANEmail  string `json:"tls_client_auth_san_email,omitempty"`
}

// Public reports whether the client authenticates with nothing.
func (c *Client) Public() bool { return c.TokenEndpointAuthMethod == AuthNone }

// ExchangePolicy limits a client's token exchanges (RFC 8693).
type ExchangePolicy struct {
	// Audiences are the targets (API identifiers) the client may exchange
	// tokens for.
	Audiences []string `json:"audiences,omitempty"`
	// Impersonation: the client may get a token whose subject is the
	// subject token's, with no trace of the client acting (no actor_token).
	Impersonation bool `json:"impersonation,omitempty"`
	// Delegation: the client may present an actor_token and get a token
	// that names the actor in its act claim.
	Delegation bool `json:"delegation,omitempty"`
	// SubjectClients are the clients whose tokens this client may present
	// as subject or actor token; its own tokens are always allowed.
	SubjectClients []string `json:"subject_clients,omitempty"`
}

// JWTBearerPolicy limits a client's JWT bearer grants (RFC 7523 §2.1).
type JWTBearerPolicy struct {
	// Issuers are trusted issuers (from the server configuration) whose
	// assertions the client may present.
	Issuers []string `json:"issuers"`
	// Subjects limits the assertion's sub: an exact value, or a prefix
	// ending in "*". Empty allows every subject of the issuers.
	Subjects []string `json:"subjects,omitempty"`
}

// ClientSecret is one of a client's active secrets, kept as a keyed hash.
type ClientSecret struct {
	ID   string `json:"id"`
	Hash string `json:"hash"` // hex HMAC-SHA-256 with the server pepper
	// Sealed is the secret encrypted with the master key, kept only for
	// client_secret_jwt, whose HMAC signatures need the secret itself.
	Sealed    []byte     `json:"sealed,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Retiring is set when a rotation gave this secret its ExpiresAt (a
	// grace period): once past it, the secret was retired by that rotation
	// (RetiredByRotation) rather than by a planned expiry.
	Retiring string `json:"retiring,omitempty"`
}

// How a client secret was retired (RetiredSecret.Reason, ClientSecret.Retiring).
const (
	RetiredByRotation = "rotation"
	RetiredByRemoval  = "removal"
	RetiredByExpiry   = "expiry"
)

// RetiredSecret is what is kept of a secret that no longer works: its
// keyed hash, to recognise it, and when and how it stopped working.
type RetiredSecret struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"` // hex HMAC-SHA-256 with the server pepper, as ClientSecret.Hash
	RetiredAt time.Time `json:"retired_at"`
	Reason    string    `json:"reason"` // a RetiredBy* constant
	// Until is when the record is forgotten: after it, the secret is just wrong.
	Until time.Time `json:"until"`
}

// User is an account in the built-in directory.
type User struct {
	ID            string   `json:"id"`
	Username      string   `json:"username"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name,omitempty"`
	FamilyName    string   `json:"family_name,omitempty"`
	Phone         string   `json:"phone_number,omitempty"`
	PhoneVerified bool     `json:"phone_number_verified,omitempty"`
	Address       *Address `json:"address,omitempty"`
	PasswordHash  string   `json:"password_hash"` // argon2id PHC string
	// PasswordUnset marks an account whose PasswordHash is of no password
	// anyone knows (an upstream sign-in's just-in-time account): the
	// account page does not ask for it, and an upstream link is then the
	// only way in. Setting a password clears it.
	PasswordUnset bool      `json:"password_unset,omitempty"`
	Disabled      bool      `json:"disabled,omitempty"`
	FailedLogins  int       `json:"failed_logins,omitempty"`
	LockedUntil   time.Time `json:"locked_until,omitzero"`
	// CIBAUserCodeHash is the argon2id hash of the person's CIBA user
	// code (OpenID CIBA Core §7.1 user_code), "" when none is set; wrong
	// codes are counted and lock the code (not the password) by the
	// lockout rule.
	CIBAUserCodeHash    string    `json:"ciba_user_code_hash,omitempty"`
	CIBACodeFailures    int       `json:"ciba_code_failures,omitempty"`
	CIBACodeLockedUntil time.Time `json:"ciba_code_locked_until,omitzero"`
	// Groups came from an upstream at the last sign-in through it, mapped
	// by its group_mapping; released in the groups claim.
	Groups []string `json:"groups,omitempty"`
	// Admin lets the user sign in to the web console (/console/); set
	// only by an operator (CLI, admin API, console).
	Admin     bool      `json:"admin,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Address is the OIDC address claim.
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
}

// SigningKey is one server signing key. The private key is encrypted.
type SigningKey struct {
	ID        string `json:"id"`  // the kid
	Alg       string `json:"alg"` // RS256, ES256, EdDSA
	Encrypted []byte `json:"encrypted"`
	CreatedAt time.Time
	// RetiredAt: the key stopped signing; it stays published until ExpiresAt.
	RetiredAt *time.Time
	ExpiresAt *time.Time
}

// AuthRequest is an authorization request between the authorization
// endpoint and the redirect back to the client.
type AuthRequest struct {
	ID                  string   `json:"id"`
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	RedirectURIGiven    bool     `json:"redirect_uri_given"`
	ResponseMode        string   `json:"response_mode"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	Scopes              []string `json:"scopes"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              *int     `json:"max_age,omitempty"`
	LoginHint           string   `json:"login_hint,omitempty"`
	UILocales           string   `json:"ui_locales,omitempty"`
	ACRValues           string   `json:"acr_values,omitempty"`
	// Resources are the RFC 8707 resource indicators the client asked for.
	Resources []string `json:"resources,omitempty"`
	// Browser is the hash of the browser cookie that started the request;
	// only that browser may continue it.
	Browser   string    `json:"browser"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Set once the user has signed in.
	UserID    string    `json:"user_id,omitempty"`
	SessionID string    `json:"session_id,omitempty"`
	AuthTime  time.Time `json:"auth_time,omitzero"`
	AMR       []string  `json:"amr,omitempty"`
	// DPoPJKT is the dpop_jkt of the request (RFC 9449 §10): the code is
	// redeemed only with a proof signed by that key.
	DPoPJKT string `json:"dpop_jkt,omitempty"`
	// AuthorizationDetails are the request's RFC 9396 details, checked and
	// in canonical form (a JSON array); nil without any.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
	// ACR is the acr the sign-in met, for the ID token (internal/authn).
	ACR string `json:"acr,omitempty"`
	// Authn is a sign-in in progress (internal/authn): what its factors
	// proved so far, before a session exists or while a step-up adds to
	// the browser's session.
	Authn *AuthnProgress `json:"authn,omitempty"`
	// Return is set on a request that only carries a sign-in for one of
	// Lucid's own pages (the device verification page, the approvals
	// page): the path the person goes back to once the policy is met. It
	// has no redirect URI and answers no client.
	Return string `json:"return,omitempty"`
	// Upstream is the sign-in under way at an upstream identity provider,
	// nil when none is.
	Upstream *UpstreamPending `json:"upstream,omitempty"`
}

// UpstreamPending is a sign-in started at an upstream provider. Only the
// hash of its state is stored; its nonce and PKCE verifier are derived
// from the state and the master key, so the row holds nothing secret.
type UpstreamPending struct {
	ID        string `json:"id"`
	StateHash string `json:"state_hash"`
	// LinkSession is the id of the session whose account the identity is
	// to be linked to; empty for a sign-in.
	LinkSession string `json:"link_session,omitempty"`
}

// AuthnProgress is what the factors of a sign-in in progress proved, and
// the state of its pending steps.
type AuthnProgress struct {
	UserID  string    `json:"user_id"`
	Methods []string  `json:"methods,omitempty"`
	Kinds   []string  `json:"kinds,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// StepUp: the steps add to the browser's session instead of
	// starting one.
	StepUp bool `json:"step_up,omitempty"`
	// Want is the acr value the steps work toward, "" for the server's
	// or client's second-factor setting.
	Want string `json:"want,omitempty"`
	// Ceremony is the pending WebAuthn ceremony (the library's session
	// data, JSON), spent by the first answer; CeremonyKind says which.
	Ceremony     json.RawMessage `json:"ceremony,omitempty"`
	CeremonyKind string          `json:"ceremony_kind,omitempty"`
	// TOTPSecret is a TOTP secret being set up, sealed with the master key.
	TOTPSecret []byte `json:"totp_secret,omitempty"`
}

// AuthCode is an issued authorization code, keyed by the hash of the code.
type AuthCode struct {
	Hash                string     `json:"hash"`
	ClientID            string     `json:"client_id"`
	UserID              string     `json:"user_id"`
	RedirectURI         string     `json:"redirect_uri"`
	RedirectURIGiven    bool       `json:"redirect_uri_given"`
	Scopes              []string   `json:"scopes"`
	Nonce               string     `json:"nonce,omitempty"`
	CodeChallenge       string     `json:"code_challenge,omitempty"`
	CodeChallengeMethod string     `json:"code_challenge_method,omitempty"`
	Resources           []string   `json:"resources,omitempty"` // RFC 8707, from the authorization request
	SessionID           string     `json:"session_id,omitempty"`
	AuthTime            time.Time  `json:"auth_time"`
	AMR                 []string   `json:"amr,omitempty"`
	ACR                 string     `json:"acr,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	ExpiresAt           time.Time  `json:"expires_at"`
	RedeemedAt          *time.Time `json:"redeemed_at,omitempty"`
	FamilyID            string     `json:"family_id,omitempty"` // set by RedeemAuthCode
	InvalidatedAt       *time.Time `json:"invalidated_at,omitempty"`
	InvalidReason       string     `json:"invalid_reason,omitempty"`
	DPoPJKT             string     `json:"dpop_jkt,omitempty"` // from AuthRequest.DPoPJKT
	// AuthorizationDetails the user authorized (RFC 9396), from the request.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// TokenFamily groups every token issued from one code redemption: the
// access tokens (which carry its id) and the chain of refresh tokens.
type TokenFamily struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"client_id"`
	UserID    string    `json:"user_id"`
	Scopes    []string  `json:"scopes"`
	Resources []string  `json:"resources,omitempty"` // the audiences its access tokens may have
	SessionID string    `json:"session_id,omitempty"`
	AuthTime  time.Time `json:"auth_time"`
	// AMR and ACR are how the person authenticated for the grant, for
	// the ID tokens of its refreshes (OpenID Connect Core §12.2).
	AMR          []string   `json:"amr,omitempty"`
	ACR          string     `json:"acr,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
	// ParentID is the family of the token this one was exchanged from (RFC
	// 8693): whatever ends that grant ends this one too.
	ParentID string `json:"parent_id,omitempty"`
	// DPoPJKT binds the family's refresh tokens to a DPoP key (RFC 9449
	// §5): set for public clients that redeemed the code with a proof.
	DPoPJKT string `json:"dpop_jkt,omitempty"`
	// AuthorizationDetails are the grant's RFC 9396 details: a token
	// request may narrow them, never widen them.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// Issued holds the records of the tokens a code redemption or a refresh
// rotation hands out. The store writes them in the transaction that spends
// the code or the old refresh token, so that a client never holds a token
// whose grant was refused, and a spent grant never lacks its tokens.
type Issued struct {
	Access  *AccessToken  // an opaque access token; nil when it is a JWT
	Refresh *RefreshToken // nil when no refresh token was issued
	// Successor is a rotation's answer kept on the old refresh token for
	// the reuse grace; nil when the grace is off. Only RotateRefreshToken
	// stores it.
	Successor *Successor
}

// Successor is the answer of a refresh rotation, sealed with a key derived
// from the old refresh token (which the store never sees) so that only its
// holder can open it. It lets a repeated identical refresh within the reuse
// grace get the same tokens instead of revoking the family. It is kept
// until Until, then DeleteExpired drops it.
type Successor struct {
	Sealed []byte
	Until  time.Time
}

// RefreshToken is one link of a family's refresh-token chain.
type RefreshToken struct {
	Hash          string     `json:"hash"`
	FamilyID      string     `json:"family_id"`
	ClientID      string     `json:"client_id"`
	UserID        string     `json:"user_id"`
	Scopes        []string   `json:"scopes"`
	CreatedAt     time.Time  `json:"created_at"`
	ExpiresAt     time.Time  `json:"expires_at"`      // absolute: family start + absolute lifetime
	IdleExpiresAt time.Time  `json:"idle_expires_at"` // created + idle lifetime
	RotatedAt     *time.Time `json:"rotated_at,omitempty"`
	// CertThumbprint binds a public client's refresh token to its TLS
	// certificate (RFC 8705 §4): the base64url SHA-256 of the DER.
	CertThumbprint string `json:"x5t#S256,omitempty"`
	// Successor is set by RotateRefreshToken from Issued.Successor; it is
	// not part of the token's data (CreateRefreshToken ignores it).
	Successor *Successor `json:"-"`
}

// Consent records the scopes a user granted a client.
type Consent struct {
	UserID    string    `json:"user_id"`
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
	// AuthorizationDetails are the RFC 9396 details the user approved, in
	// canonical form; a request with any other detail asks again.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// Session is a signed-in browser.
type Session struct {
	Hash      string    `json:"hash"`
	ID        string    `json:"id"` // public id, the sid claim
	UserID    string    `json:"user_id"`
	AuthTime  time.Time `json:"auth_time"`
	AMR       []string  `json:"amr,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// FailureQuery narrows ListFailures; a zero field matches every story.
// From is inclusive, To exclusive.
type FailureQuery struct {
	ClientID string
	Name     string
	From, To time.Time
	Limit    int
}

// FailureListMax bounds one ListFailures answer.
const FailureListMax = 200

// Failure is the operator's record of one failed request.
type Failure struct {
	TraceID   string            `json:"trace_id"`
	Time      time.Time         `json:"time"`
	Name      string            `json:"name"` // catalog entry
	Endpoint  string            `json:"endpoint"`
	ClientID  string            `json:"client_id,omitempty"`
	Request   string            `json:"request"`     // method, path, parameter names (no values of secrets)
	Text      string            `json:"description"` // what the client was told
	Internal  map[string]string `json:"internal,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	// Unattributed marks a failure no registered client is behind (a 404,
	// an unknown client_id, a call without credentials): anyone can cause
	// those, so they are kept in a smaller share of their own and never
	// push out the stories of registered clients.
	Unattributed bool `json:"unattributed,omitempty"`
}

// Access token formats.
const (
	FormatJWT    = "jwt"
	FormatOpaque = "opaque"
)

// API is a resource server: the audience of access tokens.
type API struct {
	ID          string        `json:"id"` // identifier, the aud claim (usually a URL)
	Name        string        `json:"name"`
	Scopes      []string      `json:"scopes"`       // scopes it defines
	TokenFormat string        `json:"token_format"` // FormatJWT or FormatOpaque
	TokenTTL    time.Duration `json:"token_ttl"`    // 0: the server default
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	// DetailTypes are the authorization details types (RFC 9396) the API
	// serves; a type name belongs to one API.
	DetailTypes []DetailType `json:"authorization_details_types,omitempty"`
}

// DetailType is an authorization details type an API registers.
type DetailType struct {
	Type string `json:"type"`
	// Description is the consent page's sentence for a detail of the
	// type, with {field} or {field.sub} placeholders; "" lists the fields.
	Description string `json:"description,omitempty"`
	// Schema is the JSON Schema every detail of the type must match.
	Schema json.RawMessage `json:"schema"`
}

// AccessToken is an opaque (reference) access token, keyed by its hash.
type AccessToken struct {
	Hash      string     `json:"hash"`
	JTI       string     `json:"jti"`
	ClientID  string     `json:"client_id"`
	UserID    string     `json:"user_id,omitempty"` // empty for client_credentials
	FamilyID  string     `json:"family_id,omitempty"`
	Scopes    []string   `json:"scopes"`
	Audience  []string   `json:"audience"`
	AuthTime  time.Time  `json:"auth_time,omitzero"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Act is the RFC 8693 act claim of a token issued by delegation.
	Act json.RawMessage `json:"act,omitempty"`
	// CertThumbprint is the cnf x5t#S256 of a certificate-bound token
	// (RFC 8705 §3).
	CertThumbprint string `json:"x5t#S256,omitempty"`
	// JKT is the cnf.jkt of a DPoP-bound token (RFC 9449 §6).
	JKT string `json:"jkt,omitempty"`
	// AuthorizationDetails the token carries (RFC 9396 §9), for introspection.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}
