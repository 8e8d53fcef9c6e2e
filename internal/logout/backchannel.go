package logout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
)

// EventURI is the event a logout token announces (Back-Channel Logout 1.0 §2.4).
const EventURI = "http://schemas.openid.net/event/backchannel-logout"

// TokenType is the typ header of a logout token (§2.4).
const TokenType = "logout+jwt"

// TokenLifetime is how long a logout token is valid: it is signed at
// each attempt and used at once, so briefly.
const TokenLifetime = 2 * time.Minute

// maxAnswer bounds how much of a receiver's answer is read (its error
// text, for the operator).
const maxAnswer = 2 << 10

// Signer signs JWTs with Lucid's keys; keys.Manager is one.
type Signer interface {
	Sign(alg, typ string, claims any) (string, error)
}

// Deliverer is the outbox handler of back-channel logout items.
type Deliverer struct {
	Issuer  string
	Keys    Signer
	Clients interface {
		GetClient(ctx context.Context, id string) (*store.Client, error)
	}
	// HTTP is the SSRF-guarded client (clientauth.NewOutboundClient).
	HTTP *http.Client
	// AllowLocal allows http receivers (outbox.allow_local).
	AllowLocal bool
	Now        func() time.Time
}

// NewDeliverer builds the handler with the guarded outbound client.
func NewDeliverer(issuer string, keys Signer, clients interface {
	GetClient(ctx context.Context, id string) (*store.Client, error)
}, timeout time.Duration, allowLocal bool, now func() time.Time) *Deliverer {
	if now == nil {
		now = time.Now
	}
	return &Deliverer{Issuer: issuer, Keys: keys, Clients: clients, HTTP: clientauth.NewOutboundClient(timeout, allowLocal), AllowLocal: allowLocal, Now: now}
}

// Deliver signs a logout token for the item and POSTs it to the client's
// backchannel_logout_uri as it is registered now; a 2xx answer delivers
// it (§2.8 asks for 200; any success will do).
func (d *Deliverer) Deliver(ctx context.Context, it outbox.Item) error {
	var p payload
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return outbox.Permanent(fmt.Errorf("the item's payload is not a logout: %w", err))
	}
	c, err := d.Clients.GetClient(ctx, p.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return outbox.Permanent(fmt.Errorf("client %s is no longer registered", p.ClientID))
	}
	if err != nil {
		return fmt.Errorf("reading client %s: %w", p.ClientID, err)
	}
	target := c.BackchannelURI
	if target == "" {
		return outbox.Permanent(fmt.Errorf("client %s no longer has a backchannel_logout_uri", p.ClientID))
	}
	refused := func(reason string, cause error) error {
		return outbox.Permanent(catalog.New(catalog.BackchannelLogoutAddressRefused, "client_id", c.ID, "target", target, "reason", reason).Wrap(cause))
	}
	u, err := url.Parse(target)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("backchannel_logout_uri %q: %w", target, err))
	}
	if err := clientauth.CheckOutboundURL(u, d.AllowLocal); err != nil {
		return refused("it does not use https", err)
	}
	token, err := d.token(c, p)
	if err != nil {
		return err
	}
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("backchannel_logout_uri %q: %w", target, err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-cache, no-store")
	resp, err := d.HTTP.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, clientauth.ErrLocalAddress):
			return refused("its host resolves to a loopback, private or link-local address", err)
		case errors.Is(err, context.DeadlineExceeded):
			return catalog.New(catalog.BackchannelLogoutUnreachable, "client_id", c.ID, "target", target, "attempt", it.Attempt,
				"reason", "it did not answer in time").Wrap(err)
		}
		return catalog.New(catalog.BackchannelLogoutUnreachable, "client_id", c.ID, "target", target, "attempt", it.Attempt,
			"reason", connectReason(err)).Wrap(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return catalog.New(catalog.BackchannelLogoutRejected, "client_id", c.ID, "status", resp.StatusCode, "target", target,
			"attempt", it.Attempt, "body", printable(answer))
	}
	return nil
}

// token signs the logout token of one attempt (§2.4): iss, aud, iat, exp,
// jti, events, sub and sid; never a nonce.
func (d *Deliverer) token(c *store.Client, p payload) (string, error) {
	now := d.Now()
	claims := map[string]any{
		"iss":    d.Issuer,
		"aud":    c.ID,
		"iat":    now.Unix(),
		"exp":    now.Add(TokenLifetime).Unix(),
		"jti":    p.JTI,
		"events": map[string]any{EventURI: map[string]any{}},
		"sub":    p.Subject,
	}
	if p.SessionID != "" {
		claims["sid"] = p.SessionID
	}
	alg := c.IDTokenAlg
	if alg == "" {
		alg = "RS256"
	}
	tok, err := d.Keys.Sign(alg, TokenType, claims)
	if err != nil {
		return "", fmt.Errorf("signing the logout token: %w", err)
	}
	return tok, nil
}

// connectReason says in a few words why a request got no answer.
func connectReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "the connection was refused: nothing listens at that host and port"
	case strings.Contains(msg, "no such host"):
		return "the host name does not resolve"
	case strings.Contains(msg, "certificate"):
		return "its TLS certificate was not accepted"
	}
	return "the request failed"
}

// printable is a receiver's answer as one short line.
func printable(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '\\' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(an empty body)"
	}
	return catalog.Clip(s, 200)
}
