// Package deadline bounds every call into a store.Store: each gets at most
// the query timeout, on top of whatever deadline its context already has
// (the request's). A database that stops answering without refusing (a
// frozen server, a lost network path that drops packets) then costs a
// caller the timeout and a store error that store.Unavailable recognises,
// which the handlers answer with storage_unavailable (503, Retry-After),
// instead of a request that hangs until the client gives up.
//
// How a backend honours the context: PostgreSQL (pgx) cancels the
// statement and, if the server does not confirm within a short fallback,
// drops the connection; SQLite bounds the wait in its writer queue and
// interrupts reads. Background work (key reload, expiry clean-up) is
// bounded the same way.
//
// Store holds its store.Store in a field rather than embedding it, so a
// method added to the interface fails to compile here until it has a
// bounded wrapper like the others: none can slip through unbounded.
package deadline

import (
	"context"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// choreTimeout bounds DeleteExpired, which may remove a large backlog.
const choreTimeout = time.Minute

// Store is a store.Store whose every call is bounded.
type Store struct {
	inner   store.Store
	timeout time.Duration
}

var _ store.Store = (*Store)(nil)

// New wraps st; timeout <= 0 leaves calls unbounded.
func New(st store.Store, timeout time.Duration) *Store {
	return &Store{inner: st, timeout: timeout}
}

// Unwrap is the store wrapped.
func (d *Store) Unwrap() store.Store { return d.inner }

func (d *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.timeout <= 0 {
		return ctx, noop
	}
	// A caller whose own deadline comes first (a request near its end)
	// is bounded already; this saves a timer per call.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d.timeout {
		return ctx, noop
	}
	return context.WithTimeout(ctx, d.timeout)
}

func noop() {}

func (d *Store) CreateClient(ctx context.Context, c *store.Client) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateClient(ctx, c)
}

func (d *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetClient(ctx, id)
}

func (d *Store) ListClients(ctx context.Context) ([]*store.Client, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListClients(ctx)
}

func (d *Store) UpdateClient(ctx context.Context, id string, fn func(*store.Client) error) (*store.Client, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UpdateClient(ctx, id, fn)
}

func (d *Store) DeleteClient(ctx context.Context, id string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteClient(ctx, id)
}

func (d *Store) CreateUser(ctx context.Context, u *store.User) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateUser(ctx, u)
}

func (d *Store) GetUser(ctx context.Context, id string) (*store.User, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetUser(ctx, id)
}

func (d *Store) GetUserByUsername(ctx context.Context, username string) (*store.User, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetUserByUsername(ctx, username)
}

func (d *Store) ListUsers(ctx context.Context) ([]*store.User, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListUsers(ctx)
}

func (d *Store) UpdateUser(ctx context.Context, id string, fn func(*store.User) error) (*store.User, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UpdateUser(ctx, id, fn)
}

func (d *Store) DeleteUser(ctx context.Context, id string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteUser(ctx, id)
}

func (d *Store) CreateSigningKey(ctx context.Context, k *store.SigningKey) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateSigningKey(ctx, k)
}

func (d *Store) ListSigningKeys(ctx context.Context) ([]*store.SigningKey, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListSigningKeys(ctx)
}

func (d *Store) UpdateSigningKey(ctx context.Context, id string, fn func(*store.SigningKey) error) (*store.SigningKey, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UpdateSigningKey(ctx, id, fn)
}

func (d *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateAuthRequest(ctx, r)
}

func (d *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetAuthRequest(ctx, id)
}

func (d *Store) UpdateAuthRequest(ctx context.Context, id string, fn func(*store.AuthRequest) error) (*store.AuthRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UpdateAuthRequest(ctx, id, fn)
}

func (d *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteAuthRequest(ctx, id)
}

func (d *Store) CreateAuthCode(ctx context.Context, c *store.AuthCode) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateAuthCode(ctx, c)
}

func (d *Store) GetAuthCode(ctx context.Context, hash string) (*store.AuthCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetAuthCode(ctx, hash)
}

func (d *Store) RedeemAuthCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.AuthCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RedeemAuthCode(ctx, hash, family, issued, now)
}

func (d *Store) InvalidateAuthCode(ctx context.Context, hash, reason string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.InvalidateAuthCode(ctx, hash, reason, now)
}

func (d *Store) CreateTokenFamily(ctx context.Context, family *store.TokenFamily, issued store.Issued) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateTokenFamily(ctx, family, issued)
}

func (d *Store) GetTokenFamily(ctx context.Context, id string) (*store.TokenFamily, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetTokenFamily(ctx, id)
}

func (d *Store) RevokeTokenFamily(ctx context.Context, id, reason string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RevokeTokenFamily(ctx, id, reason, now)
}

func (d *Store) RevokeFamiliesFor(ctx context.Context, userID, clientID, reason string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RevokeFamiliesFor(ctx, userID, clientID, reason, now)
}

func (d *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateRefreshToken(ctx, t)
}

func (d *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetRefreshToken(ctx, hash)
}

func (d *Store) RotateRefreshToken(ctx context.Context, oldHash string, next store.Issued, now time.Time) (*store.RefreshToken, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RotateRefreshToken(ctx, oldHash, next, now)
}

func (d *Store) RenewRefreshToken(ctx context.Context, t *store.RefreshToken, access *store.AccessToken) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RenewRefreshToken(ctx, t, access)
}

func (d *Store) CreateAccessToken(ctx context.Context, t *store.AccessToken) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateAccessToken(ctx, t)
}

func (d *Store) GetAccessToken(ctx context.Context, hash string) (*store.AccessToken, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetAccessToken(ctx, hash)
}

func (d *Store) RevokeAccessToken(ctx context.Context, hash string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RevokeAccessToken(ctx, hash, now)
}

func (d *Store) DenyJTI(ctx context.Context, jti string, expiresAt time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DenyJTI(ctx, jti, expiresAt)
}

func (d *Store) JTIDenied(ctx context.Context, jti string) (bool, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.JTIDenied(ctx, jti)
}

func (d *Store) CreateAPI(ctx context.Context, a *store.API) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateAPI(ctx, a)
}

func (d *Store) GetAPI(ctx context.Context, id string) (*store.API, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetAPI(ctx, id)
}

func (d *Store) ListAPIs(ctx context.Context) ([]*store.API, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListAPIs(ctx)
}

func (d *Store) UpdateAPI(ctx context.Context, id string, fn func(*store.API) error) (*store.API, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UpdateAPI(ctx, id, fn)
}

func (d *Store) DeleteAPI(ctx context.Context, id string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteAPI(ctx, id)
}

func (d *Store) GetConsent(ctx context.Context, userID, clientID string) (*store.Consent, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetConsent(ctx, userID, clientID)
}

func (d *Store) SaveConsent(ctx context.Context, c *store.Consent) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.SaveConsent(ctx, c)
}

func (d *Store) ListConsents(ctx context.Context, userID string) ([]*store.Consent, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListConsents(ctx, userID)
}

func (d *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteConsent(ctx, userID, clientID)
}

func (d *Store) CreateSession(ctx context.Context, s *store.Session) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateSession(ctx, s)
}

func (d *Store) GetSession(ctx context.Context, hash string) (*store.Session, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetSession(ctx, hash)
}

func (d *Store) DeleteSession(ctx context.Context, hash string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteSession(ctx, hash)
}

func (d *Store) UseJTI(ctx context.Context, issuer, jti string, expiresAt time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UseJTI(ctx, issuer, jti, expiresAt)
}

func (d *Store) CreatePushedRequest(ctx context.Context, r *store.PushedRequest) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreatePushedRequest(ctx, r)
}

func (d *Store) ConsumePushedRequest(ctx context.Context, hash, clientID string, now time.Time) (*store.PushedRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ConsumePushedRequest(ctx, hash, clientID, now)
}

func (d *Store) CreateDeviceCode(ctx context.Context, c *store.DeviceCode) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateDeviceCode(ctx, c)
}

func (d *Store) GetDeviceCode(ctx context.Context, hash string) (*store.DeviceCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetDeviceCode(ctx, hash)
}

func (d *Store) GetDeviceCodeByUserCode(ctx context.Context, userCodeHash string) (*store.DeviceCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetDeviceCodeByUserCode(ctx, userCodeHash)
}

func (d *Store) DecideDeviceCode(ctx context.Context, hash string, dec store.DeviceDecision, now time.Time) (*store.DeviceCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DecideDeviceCode(ctx, hash, dec, now)
}

func (d *Store) RedeemDeviceCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.DeviceCode, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RedeemDeviceCode(ctx, hash, family, issued, now)
}

func (d *Store) RecordFailure(ctx context.Context, f *store.Failure) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RecordFailure(ctx, f)
}

func (d *Store) GetFailure(ctx context.Context, traceID string) (*store.Failure, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetFailure(ctx, traceID)
}

func (d *Store) ListFailures(ctx context.Context, q store.FailureQuery) ([]*store.Failure, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListFailures(ctx, q)
}

// DeleteExpired is a chore that may delete a backlog: it gets
// choreTimeout instead of the query timeout.
func (d *Store) DeleteExpired(ctx context.Context, now time.Time, keepFailures time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, max(d.timeout, choreTimeout))
	defer cancel()
	return d.inner.DeleteExpired(ctx, now, keepFailures)
}

func (d *Store) Ping(ctx context.Context) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.Ping(ctx)
}

func (d *Store) GetSessionByID(ctx context.Context, id string) (*store.Session, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetSessionByID(ctx, id)
}

func (d *Store) DeleteSessionsFor(ctx context.Context, userID string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteSessionsFor(ctx, userID)
}

func (d *Store) RecordFailures(ctx context.Context, fs []*store.Failure) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RecordFailures(ctx, fs)
}

func (d *Store) TrimFailures(ctx context.Context, unattributed bool, keep int) (int64, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.TrimFailures(ctx, unattributed, keep)
}

func (d *Store) GetKeyCheck(ctx context.Context) ([]byte, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetKeyCheck(ctx)
}

func (d *Store) CreateKeyCheck(ctx context.Context, sealed []byte) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateKeyCheck(ctx, sealed)
}

func (d *Store) Close() error { return d.inner.Close() }

func (d *Store) EnqueueOutbox(ctx context.Context, items []*store.OutboxItem) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.EnqueueOutbox(ctx, items)
}

func (d *Store) ClaimOutbox(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]*store.OutboxItem, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ClaimOutbox(ctx, lease, now, leaseFor, limit)
}

func (d *Store) DeliveredOutbox(ctx context.Context, id, lease string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeliveredOutbox(ctx, id, lease, now)
}

func (d *Store) RetryOutbox(ctx context.Context, id, lease string, r store.OutboxRetry) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RetryOutbox(ctx, id, lease, r)
}

func (d *Store) ListOutbox(ctx context.Context, state string, limit int) ([]*store.OutboxItem, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListOutbox(ctx, state, limit)
}

func (d *Store) RequeueOutbox(ctx context.Context, id string, now time.Time) (*store.OutboxItem, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RequeueOutbox(ctx, id, now)
}

func (d *Store) CountOutbox(ctx context.Context) (store.OutboxCounts, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CountOutbox(ctx)
}

func (d *Store) ListSessionsFor(ctx context.Context, userID string) ([]*store.Session, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListSessionsFor(ctx, userID)
}

func (d *Store) ListFamiliesFor(ctx context.Context, userID string) ([]*store.TokenFamily, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListFamiliesFor(ctx, userID)
}

func (d *Store) CreateBackchannelRequest(ctx context.Context, r *store.BackchannelRequest, notify ...*store.OutboxItem) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateBackchannelRequest(ctx, r, notify...)
}

func (d *Store) GetBackchannelRequest(ctx context.Context, hash string) (*store.BackchannelRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetBackchannelRequest(ctx, hash)
}

func (d *Store) GetBackchannelRequestByID(ctx context.Context, id string) (*store.BackchannelRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetBackchannelRequestByID(ctx, id)
}

func (d *Store) ListBackchannelRequests(ctx context.Context, userID string, now time.Time, limit int) ([]*store.BackchannelRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListBackchannelRequests(ctx, userID, now, limit)
}

func (d *Store) DecideBackchannelRequest(ctx context.Context, id, userID string, dec store.BackchannelDecision, now time.Time, notify ...*store.OutboxItem) (*store.BackchannelRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DecideBackchannelRequest(ctx, id, userID, dec, now, notify...)
}

func (d *Store) RedeemBackchannelRequest(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.BackchannelRequest, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RedeemBackchannelRequest(ctx, hash, family, issued, now)
}

func (d *Store) RecentRevocations(ctx context.Context, now, since time.Time, limit int) (*store.Revocations, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RecentRevocations(ctx, now, since, limit)
}

func (d *Store) TakeThrottle(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (time.Duration, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.TakeThrottle(ctx, key, now, interval, burst)
}

func (d *Store) GiveThrottle(ctx context.Context, key string, interval time.Duration) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GiveThrottle(ctx, key, interval)
}

func (d *Store) FailThrottle(ctx context.Context, key string, now time.Time, lock func(int) time.Time) (int, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.FailThrottle(ctx, key, now, lock)
}

func (d *Store) ClearThrottleFailures(ctx context.Context, key string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ClearThrottleFailures(ctx, key)
}

func (d *Store) ThrottleLockedUntil(ctx context.Context, key string) (time.Time, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ThrottleLockedUntil(ctx, key)
}

func (d *Store) ProvisionUser(ctx context.Context, u *store.User, link *store.IdentityLink) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ProvisionUser(ctx, u, link)
}

func (d *Store) LinkIdentity(ctx context.Context, link *store.IdentityLink) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.LinkIdentity(ctx, link)
}

func (d *Store) GetIdentityLink(ctx context.Context, upstreamID, issuer, subject string) (*store.IdentityLink, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetIdentityLink(ctx, upstreamID, issuer, subject)
}

func (d *Store) ListIdentityLinks(ctx context.Context, userID string) ([]*store.IdentityLink, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListIdentityLinks(ctx, userID)
}

func (d *Store) TouchIdentityLink(ctx context.Context, upstreamID, issuer, subject string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.TouchIdentityLink(ctx, upstreamID, issuer, subject, now)
}

func (d *Store) UnlinkIdentity(ctx context.Context, userID, upstreamID, subject string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UnlinkIdentity(ctx, userID, upstreamID, subject)
}

func (d *Store) BlockSubject(ctx context.Context, b *store.SubjectBlock) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.BlockSubject(ctx, b)
}

func (d *Store) UnblockSubject(ctx context.Context, upstreamID, subject string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UnblockSubject(ctx, upstreamID, subject)
}

func (d *Store) GetSubjectBlock(ctx context.Context, upstreamID, subject string) (*store.SubjectBlock, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetSubjectBlock(ctx, upstreamID, subject)
}

func (d *Store) ListSubjectBlocks(ctx context.Context) ([]*store.SubjectBlock, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListSubjectBlocks(ctx)
}
