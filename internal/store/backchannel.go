package store

import (
	"context"
	"time"
)

// BackchannelKeep is how long DeleteExpired keeps a backchannel
// authentication request past its expiry, so that a late poll is told
// that its auth_req_id expired rather than that it never existed.
const BackchannelKeep = time.Hour

// The states of a backchannel authentication request (OpenID CIBA Core).
const (
	BackchannelPending  = "pending"
	BackchannelApproved = "approved"
	BackchannelDenied   = "denied"
	// BackchannelFailed: whoever reaches the person (an external
	// notifier) reported that it could not; the client is told
	// transaction_failed.
	BackchannelFailed = "failed"
)

// Delivery modes of CIBA tokens (backchannel_token_delivery_mode).
const (
	DeliveryPoll = "poll"
	DeliveryPing = "ping"
	// DeliveryPush: the tokens are POSTed to the client's notification
	// endpoint (OpenID CIBA Core §10.3.1); the client never polls.
	DeliveryPush = "push"
)

// BackchannelStore is the state of client-initiated backchannel
// authentication (OpenID CIBA Core 1.0). A request is keyed by the
// SHA-256 of its auth_req_id, which the store never sees, and also has a
// public id by which the person's approval page and the admin API name it.
type BackchannelStore interface {
	// CreateBackchannelRequest stores a pending request and, in the same
	// write, the outbox items given (an external notifier's notice), so
	// that a request never exists without them; ErrConflict when its hash
	// or id is taken (then nothing is stored).
	CreateBackchannelRequest(ctx context.Context, r *BackchannelRequest, notify ...*OutboxItem) error
	// GetBackchannelRequest reads a request by the hash of its auth_req_id
	// (the token endpoint's poll: a read, never a write).
	GetBackchannelRequest(ctx context.Context, hash string) (*BackchannelRequest, error)
	// GetBackchannelRequestByID reads a request by its public id.
	GetBackchannelRequestByID(ctx context.Context, id string) (*BackchannelRequest, error)
	// ListBackchannelRequests returns the pending requests that expire
	// after now, oldest first, of one user ("" for every user), at most
	// limit of them.
	ListBackchannelRequests(ctx context.Context, userID string, now time.Time, limit int) ([]*BackchannelRequest, error)
	// DecideBackchannelRequest records the person's decision on the
	// request with this public id, only if it is pending, belongs to
	// userID (unless userID is "") and expires after now; exactly one of
	// many concurrent calls succeeds and returns the decided request. A
	// refused call changes nothing and returns the stored request with
	// ErrAlreadyUsed; ErrNotFound when there is none. The outbox items
	// given (a ping) are stored in the same write as the decision, and
	// only with it: a decision is never recorded without its ping, nor a
	// ping without its decision.
	DecideBackchannelRequest(ctx context.Context, id, userID string, d BackchannelDecision, now time.Time, notify ...*OutboxItem) (*BackchannelRequest, error)
	// RedeemBackchannelRequest marks an approved request redeemed and, in
	// the same transaction, creates its token family and stores the
	// issued tokens, only if it is approved, not yet redeemed and expires
	// after now. Otherwise it changes nothing and returns the stored
	// request with ErrAlreadyUsed; exactly one concurrent call succeeds.
	RedeemBackchannelRequest(ctx context.Context, hash string, family *TokenFamily, issued Issued, now time.Time) (*BackchannelRequest, error)
}

// BackchannelRequest is one backchannel authentication request.
type BackchannelRequest struct {
	Hash     string   `json:"hash"` // SHA-256 (hex) of the auth_req_id
	ID       string   `json:"id"`   // public id, for the approval page and the admin API
	ClientID string   `json:"client_id"`
	UserID   string   `json:"user_id"`
	Scopes   []string `json:"scopes"`
	// ACRValues and BindingMessage are shown to the person as sent.
	ACRValues      string `json:"acr_values,omitempty"`
	BindingMessage string `json:"binding_message,omitempty"`
	// Mode is DeliveryPoll, DeliveryPing or DeliveryPush.
	Mode string `json:"mode"`
	// Ping is, in ping and push mode, the auth_req_id and the client's
	// client_notification_token sealed with the master key: the
	// notification needs both, and neither is kept in clear.
	Ping []byte `json:"ping,omitempty"`
	// Interval is the minimum wait between polls, in seconds.
	Interval  int       `json:"interval"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`

	// Status is a Backchannel* state; Decision is set with it.
	Status   string               `json:"status"`
	Decision *BackchannelDecision `json:"decision,omitempty"`
	// RedeemedAt and FamilyID are set by RedeemBackchannelRequest.
	RedeemedAt *time.Time `json:"redeemed_at,omitempty"`
	FamilyID   string     `json:"family_id,omitempty"`
}

// BackchannelDecision is what the person decided, and how it was learnt.
type BackchannelDecision struct {
	Status string    `json:"status"` // BackchannelApproved, BackchannelDenied or BackchannelFailed
	At     time.Time `json:"at"`
	// AuthTime and AMR describe how the person authenticated to approve.
	AuthTime time.Time `json:"auth_time,omitzero"`
	AMR      []string  `json:"amr,omitempty"`
	ACR      string    `json:"acr,omitempty"`
	// By says where the decision came from: "page" (the built-in approval
	// page) or "admin" (an external notifier through the admin API).
	By string `json:"by"`
	// Reason is a failure's explanation from the notifier, for the operator.
	Reason string `json:"reason,omitempty"`
}

// BackchannelClient is a client's CIBA metadata (OpenID CIBA Core §4),
// named as in RFC 7591 registration.
type BackchannelClient struct {
	// DeliveryMode is DeliveryPoll, DeliveryPing or DeliveryPush.
	DeliveryMode string `json:"backchannel_token_delivery_mode,omitempty"`
	// NotificationEndpoint receives the ping (https).
	NotificationEndpoint string `json:"backchannel_client_notification_endpoint,omitempty"`
	// SigningAlg, when set, is the one algorithm the client signs its
	// authentication requests with; every request must then be signed.
	SigningAlg string `json:"backchannel_authentication_request_signing_alg,omitempty"`
	// UserCodeParameter: every request of the client must carry the
	// person's CIBA user code (user_code, OpenID CIBA Core §7.1), which
	// Lucid checks against the code the person set.
	UserCodeParameter bool `json:"backchannel_user_code_parameter,omitempty"`
}
