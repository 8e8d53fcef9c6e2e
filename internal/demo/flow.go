package demo

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// flow is what the demo must remember between sending the browser to
// Lucid and the callback. It lives in a signed cookie, so the demo keeps no
// server-side state and two tabs can sign in at the same time.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"` // Unix seconds
}

// Reasons a flow cookie is refused; the callback explains each one.
var (
	errFlowMissing   = errors.New("no sign-in was started in this browser with this state")
	errFlowMalformed = errors.New("the sign-in cookie is malformed")
	errFlowSignature = errors.New("the sign-in cookie's signature does not verify")
	errFlowExpired   = errors.New("the sign-in was started too long ago")
	errFlowState     = errors.New("the state parameter does not match the sign-in cookie")
)

const (
	flowCookiePrefix = "lucid_demo_"
	flowLifetime     = 10 * time.Minute
	// stateLen is the length of a state: 16 random bytes, base64url.
	stateLen = 22
	macLabel = "lucid demo flow v1\x00"
)

// randomToken is 128 random bits, base64url without padding.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validState reports whether s has the shape of a state this demo issues,
// so it can name a cookie.
func validState(s string) bool {
	if len(s) != stateLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func flowCookieName(state string) string { return flowCookiePrefix + state }

// sealFlow encodes f and appends an HMAC-SHA256 under key.
func sealFlow(key []byte, f flow) string {
	b, _ := json.Marshal(f) // a struct of strings and an int always marshals
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(flowMAC(key, payload))
}

// openFlow verifies and decodes a sealed flow, and checks that it belongs
// to state and has not expired at now.
func openFlow(key []byte, sealed, state string, now time.Time) (flow, error) {
	payload, sig, ok := strings.Cut(sealed, ".")
	if !ok || payload == "" || sig == "" {
		return flow{}, errFlowMalformed
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return flow{}, errFlowMalformed
	}
	if !hmac.Equal(mac, flowMAC(key, payload)) {
		return flow{}, errFlowSignature
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return flow{}, errFlowMalformed
	}
	var f flow
	if err := json.Unmarshal(b, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return flow{}, errFlowMalformed
	}
	if !now.Before(time.Unix(f.Expires, 0)) {
		return flow{}, errFlowExpired
	}
	if !hmac.Equal([]byte(f.State), []byte(state)) {
		return flow{}, errFlowState
	}
	return f, nil
}

func flowMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macLabel))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
