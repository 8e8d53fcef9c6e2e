package provider

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
)

// The external notifier (ciba.notifier_url): every new backchannel
// request is announced to it by a notice, an outbox item stored in the
// same write as the request (so no request goes unannounced), POSTed as
// JSON and signed with ciba.notifier_secret. The notifier puts the
// request to the person (a push message, a call) and reports the decision
// through the admin API (POST /admin/backchannel/{id}/decision).
//
// The notice names the request by its public id, never by its
// auth_req_id: the notifier needs only the id to report the decision,
// and the auth_req_id is the client's to poll with (Lucid keeps only
// its hash).

// NoticeKind is the outbox kind of notices to the external notifier.
const NoticeKind = "ciba-notice"

// SignatureHeader carries a notice's signature: "t=UNIX,v1=HEX", where
// HEX is the HMAC-SHA256 under ciba.notifier_secret of "UNIX." followed
// by the body; the notifier recomputes it and refuses an old t.
const SignatureHeader = "Lucid-Signature"

// noticePayload is what the outbox keeps of a notice: the request's hash.
type noticePayload struct {
	Hash string `json:"hash"`
}

// Notice is the JSON body a notifier receives.
type Notice struct {
	Type           string    `json:"type"` // "backchannel_request"
	ID             string    `json:"id"`   // the id of the admin API's decision route
	ClientID       string    `json:"client_id"`
	ClientName     string    `json:"client_name"`
	UserID         string    `json:"user_id"`
	Username       string    `json:"username,omitempty"`
	Scope          string    `json:"scope"`
	BindingMessage string    `json:"binding_message,omitempty"`
	ACRValues      string    `json:"acr_values,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	// DecisionPath is where the decision goes, on the admin API.
	DecisionPath string `json:"decision_path"`
}

// noticeItems are the outbox items that announce br to the notifier:
// none when no notifier is configured.
func (p *Provider) noticeItems(br *store.BackchannelRequest) ([]*store.OutboxItem, error) {
	if p.ciba.NotifierURL == "" || p.outbox == nil {
		return nil, nil
	}
	payload, err := json.Marshal(noticePayload{Hash: br.Hash})
	if err != nil {
		return nil, err
	}
	return p.outbox.Items(outbox.Message{Kind: NoticeKind, Target: p.ciba.NotifierURL, ClientID: br.ClientID, Payload: payload})
}

// SignNotice is the Lucid-Signature value of body at t under secret.
func SignNotice(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// DeliverNotice is the outbox handler of NoticeKind. The notice is built
// from the request as it is now: a request decided or expired meanwhile
// needs no notice.
func (p *Provider) DeliverNotice(ctx context.Context, it outbox.Item) error {
	var pl noticePayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return outbox.Permanent(fmt.Errorf("unreadable notice payload: %w", err))
	}
	br, err := p.store.GetBackchannelRequest(ctx, pl.Hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case br.Status != store.BackchannelPending || !p.now().Before(br.ExpiresAt):
		return nil
	}
	n := Notice{Type: "backchannel_request", ID: br.ID, ClientID: br.ClientID, ClientName: br.ClientID, UserID: br.UserID,
		Scope: strings.Join(br.Scopes, " "), BindingMessage: br.BindingMessage, ACRValues: br.ACRValues,
		CreatedAt: br.CreatedAt.UTC(), ExpiresAt: br.ExpiresAt.UTC(), DecisionPath: "/admin/backchannel/" + br.ID + "/decision"}
	if c, err := p.store.GetClient(ctx, br.ClientID); err == nil {
		n.ClientName = clientName(c)
	}
	if u, err := p.store.GetUser(ctx, br.UserID); err == nil {
		n.Username = u.Username
	}
	body, err := json.Marshal(n)
	if err != nil {
		return outbox.Permanent(err)
	}
	if p.ciba.NotifierSecret == "" {
		return outbox.Permanent(errors.New("ciba.notifier_secret is not set; notices are never sent unsigned"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, it.Target, bytes.NewReader(body))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("notifier URL %q: %w", it.Target, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, SignNotice(p.ciba.NotifierSecret, p.now(), body))
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
		return fmt.Errorf("the notifier answered %s", resp.Status)
	}
	return outbox.Permanent(fmt.Errorf("the notifier answered %s", resp.Status))
}
