package store

import "time"

// DeviceKeep is how long DeleteExpired keeps a device authorization past
// its expiry, so that a late poll or a late code entry is told that it
// expired rather than that it never existed.
const DeviceKeep = time.Hour

// DeviceCode is a device authorization (RFC 8628), keyed by the SHA-256 of
// its device_code; UserCodeHash is the keyed hash of its user code in
// canonical form. The store sees neither code.
type DeviceCode struct {
	Hash         string   `json:"hash"`
	UserCodeHash string   `json:"user_code_hash"`
	ClientID     string   `json:"client_id"`
	Scopes       []string `json:"scopes"`
	Resources    []string `json:"resources,omitempty"` // RFC 8707
	// Interval is the polling interval the client was given (RFC 8628
	// §3.2), before any slow_down.
	Interval  time.Duration `json:"interval"`
	CreatedAt time.Time     `json:"created_at"`
	ExpiresAt time.Time     `json:"expires_at"`

	// Set by DecideDeviceCode.
	DecidedAt *time.Time      `json:"-"`
	Decision  *DeviceDecision `json:"-"`

	// Set by RedeemDeviceCode.
	RedeemedAt *time.Time `json:"-"`
	FamilyID   string     `json:"-"`
}

// DeviceDecision is what the person decided on the verification page.
type DeviceDecision struct {
	Approved  bool      `json:"approved"`
	UserID    string    `json:"user_id"`
	SessionID string    `json:"session_id,omitempty"`
	AuthTime  time.Time `json:"auth_time,omitzero"`
	AMR       []string  `json:"amr,omitempty"`
	ACR       string    `json:"acr,omitempty"`
}
