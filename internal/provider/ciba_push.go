package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// CIBA push mode (OpenID CIBA Core §10.3): once the person decides, the
// tokens (or the refusal, §12) are POSTed to the client's notification
// endpoint with its client_notification_token as bearer token; the client
// never polls. The tokens are minted when the decision is made and kept,
// with the records that store them (family, refresh token, opaque access
// token), sealed with the master key in the outbox item that the decision
// writes in the same write. Right after that write the request is spent
// with those records (RedeemBackchannelRequest, while it is unexpired);
// should that not happen (a crash between the two), the delivery spends
// it before it POSTs. Either way a retry after a failed POST finds it
// spent by the same family and sends the same tokens again. FAPI-CIBA forbids push,
// so a client under FAPI 2.0 cannot register it or use it.

// PushKind is the outbox kind of CIBA push deliveries.
const PushKind = "ciba-push"

// The ID token claims of a push delivery (§10.3.1).
const (
	claimAuthReqID = "urn:openid:params:jwt:claim:auth_req_id"
	claimRTHash    = "urn:openid:params:jwt:claim:rt_hash"
)

// pushPayload is the outbox payload of a push: the request's hash and the
// sealed pushPackage.
type pushPayload struct {
	Hash   string `json:"hash"`
	Sealed []byte `json:"sealed"`
}

// pushPackage is what a push delivers, and for tokens what stores them.
type pushPackage struct {
	Family *store.TokenFamily `json:"family,omitempty"`
	Issued store.Issued       `json:"issued"`
	// Response is the token response, or the refusal's error body (§12:
	// access_denied, transaction_failed), without the auth_req_id.
	Response json.RawMessage `json:"response"`
}

// pushAAD binds a sealed push package to its request.
func pushAAD(hash string) []byte { return []byte("ciba-push|" + hash) }

// pushMessage is the outbox message that delivers the decision d on br
// to its client; nil when the client has no notification endpoint any
// more. For an approval it mints the tokens now; nothing is stored until
// the decision's write stores the message.
func (p *Provider) pushMessage(ctx context.Context, br *store.BackchannelRequest, d store.BackchannelDecision) (*outbox.Message, *pushPackage, error) {
	c, err := p.store.GetClient(ctx, br.ClientID)
	if err != nil {
		return nil, nil, err
	}
	if c.Backchannel == nil || c.Backchannel.NotificationEndpoint == "" {
		p.log.WarnContext(ctx, "ciba: the push client has no notification endpoint any more; nothing delivered", "trace_id", trace.ID(ctx), "client_id", br.ClientID)
		return nil, nil, nil
	}
	sec, err := p.openPing(br)
	if err != nil {
		return nil, nil, err
	}
	var pkg pushPackage
	switch d.Status {
	case store.BackchannelApproved:
		user, _, aud, e := p.userBound(ctx, &tokenRequest{client: c, params: map[string]string{}}, userGrant{userID: br.UserID, scopes: br.Scopes})
		if e != nil {
			return nil, nil, e
		}
		now := p.now()
		family := &store.TokenFamily{
			ID: secret.Token(16), ClientID: c.ID, UserID: user.ID, Scopes: br.Scopes,
			AuthTime: d.AuthTime, AMR: d.AMR, ACR: d.ACR, CreatedAt: now,
		}
		resp, issued, e := p.issueTokens(ctx, grant{
			client: c, user: user, scopes: br.Scopes, family: family.ID,
			authTime: d.AuthTime, amr: d.AMR, acr: d.ACR, aud: aud, authReqID: sec.AuthReqID,
		}, now)
		if e != nil {
			return nil, nil, e
		}
		if pkg.Response, err = json.Marshal(resp); err != nil {
			return nil, nil, err
		}
		pkg.Family, pkg.Issued = family, issued
	case store.BackchannelDenied:
		pkg.Response, err = json.Marshal(catalog.New(catalog.CIBAAccessDenied, "at", d.At).Body(p.issuer, trace.ID(ctx), d.At))
	default:
		pkg.Response, err = json.Marshal(catalog.New(catalog.CIBATransactionFailed, "at", d.At).Body(p.issuer, trace.ID(ctx), d.At))
	}
	if err != nil {
		return nil, nil, err
	}
	plain, err := json.Marshal(pkg)
	if err != nil {
		return nil, nil, err
	}
	payload, err := json.Marshal(pushPayload{Hash: br.Hash, Sealed: p.secrets.Seal(plain, pushAAD(br.Hash))})
	if err != nil {
		return nil, nil, err
	}
	return &outbox.Message{Kind: PushKind, Target: c.Backchannel.NotificationEndpoint, ClientID: c.ID, Payload: payload}, &pkg, nil
}

// openPing opens the auth_req_id and client_notification_token a ping or
// push request keeps sealed.
func (p *Provider) openPing(br *store.BackchannelRequest) (pingSecret, error) {
	var sec pingSecret
	plain, err := p.secrets.Open(br.Ping, pingAAD(br.Hash))
	if err != nil {
		return sec, outbox.Permanent(fmt.Errorf("the notification secret cannot be opened (another master key?): %w", err))
	}
	if err := json.Unmarshal(plain, &sec); err != nil {
		return sec, outbox.Permanent(fmt.Errorf("unreadable notification secret: %w", err))
	}
	return sec, nil
}

// DeliverPush is the outbox handler of PushKind: it spends the request
// with the sealed records (once; a retry finds it spent by the same
// family) and POSTs the tokens, or the refusal, with the auth_req_id.
func (p *Provider) DeliverPush(ctx context.Context, it outbox.Item) error {
	var pl pushPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return outbox.Permanent(fmt.Errorf("unreadable push payload: %w", err))
	}
	br, err := p.store.GetBackchannelRequest(ctx, pl.Hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case br.Status == store.BackchannelPending && p.now().Before(br.ExpiresAt):
		return errNotDecided
	}
	plain, err := p.secrets.Open(pl.Sealed, pushAAD(pl.Hash))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("the push package cannot be opened (another master key?): %w", err))
	}
	var pkg pushPackage
	if err := json.Unmarshal(plain, &pkg); err != nil {
		return outbox.Permanent(fmt.Errorf("unreadable push package: %w", err))
	}
	sec, err := p.openPing(br)
	if err != nil {
		return err
	}
	if pkg.Family != nil {
		if err := p.redeemPushed(ctx, br, &pkg); err != nil {
			return err
		}
	}
	var body map[string]any
	if err := json.Unmarshal(pkg.Response, &body); err != nil {
		return outbox.Permanent(fmt.Errorf("unreadable push response: %w", err))
	}
	body["auth_req_id"] = sec.AuthReqID
	return p.postNotification(ctx, it.Target, sec.Token, body)
}

// redeemPushed spends br with the package's family and tokens, unless
// this package spent it already (at the decision, or a retry).
func (p *Provider) redeemPushed(ctx context.Context, br *store.BackchannelRequest, pkg *pushPackage) error {
	if br.RedeemedAt == nil {
		stored, err := p.store.RedeemBackchannelRequest(ctx, br.Hash, pkg.Family, pkg.Issued, p.now())
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, store.ErrAlreadyUsed):
			return err
		}
		br = stored
	}
	if br.RedeemedAt == nil || br.FamilyID != pkg.Family.ID {
		return outbox.Permanent(errors.New("the request expired before its tokens could be delivered, or was spent otherwise"))
	}
	return nil
}

// postNotification POSTs body as JSON to a client's notification
// endpoint with its client_notification_token as bearer token (ping and
// push). A 2xx is delivered; a timeout, 429 or 5xx is tried again;
// anything else will not change by trying again.
func (p *Provider) postNotification(ctx context.Context, target, token string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return outbox.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("notification endpoint %q: %w", target, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if p.outbound == nil {
		return outbox.Permanent(errors.New("no outbound HTTP client is configured"))
	}
	resp, err := p.outbound.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("the notification endpoint answered %s", resp.Status)
	}
	// A wrong token, a redirect (the endpoint is meant to be the
	// registered URL itself): the same answer next time.
	return outbox.Permanent(fmt.Errorf("the notification endpoint answered %s", resp.Status))
}
