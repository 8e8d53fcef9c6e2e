package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// pushDelivery is one POST a push client's notification endpoint received.
type pushDelivery struct {
	auth string
	body map[string]any
}

// pushListener is a client's notification endpoint on loopback.
func pushListener(t *testing.T) (*httptest.Server, chan pushDelivery) {
	t.Helper()
	got := make(chan pushDelivery, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		got <- pushDelivery{auth: r.Header.Get("Authorization"), body: body}
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func waitPush(t *testing.T, got chan pushDelivery) pushDelivery {
	t.Helper()
	select {
	case p := <-got:
		return p
	case <-time.After(15 * time.Second):
		t.Fatal("nothing delivered to the notification endpoint within 15 s")
	}
	return pushDelivery{}
}

// leftHalf is the at_hash form of a token for an SHA-256 alg.
func leftHalf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// TestCIBAPush: push mode (OpenID CIBA Core §10.3.1) with a real listener
// on loopback. Polling is refused; once the person approves on the
// approvals page, the tokens arrive with the client_notification_token as
// bearer, the ID token binding auth_req_id, at_hash and rt_hash; the
// access token opens userinfo, the refresh token refreshes; the outbox
// keeps them sealed. A denial arrives as access_denied. A client under
// FAPI 2.0 can neither register push nor use it.
func TestCIBAPush(t *testing.T) {
	ctx := context.Background()
	listener, got := pushListener(t)
	w := newCIBAWorld(t, fastOutbox)
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Branch Teller", GrantTypes: []string{cibaGrant, "refresh_token"}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes:      []string{"openid", "profile", "offline_access"},
		Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPush, NotificationEndpoint: listener.URL + "/ciba/push"}})
	doc := discoveryDoc(t, l)
	if modes, _ := json.Marshal(doc["backchannel_token_delivery_modes_supported"]); string(modes) != `["poll","ping","push"]` {
		t.Fatalf("backchannel_token_delivery_modes_supported %s", modes)
	}

	// A push request needs its notification token, like a ping one.
	wantJSONError(t, l, bcAuthorize(t, l, c.ID, sec, hintForm()), "ciba_notification_token_missing", "invalid_request", http.StatusBadRequest)
	token := rand.Text()
	a := startCIBA(t, l, c.ID, sec, hintForm("scope", "openid profile offline_access", "client_notification_token", token))
	wantJSONError(t, l, cibaPoll(t, l, c.ID, sec, a.AuthReqID), "ciba_push_polled", "unauthorized_client", http.StatusBadRequest)

	b := l.browser(t)
	p := approvalsSignIn(t, b)
	f := p.fields()
	b.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"approve"}})
	d := waitPush(t, got)
	if d.auth != "Bearer "+token || d.body["auth_req_id"] != a.AuthReqID || d.body["token_type"] != "Bearer" {
		t.Fatalf("push %+v, want the bearer token, the auth_req_id and tokens", d)
	}
	access, _ := d.body["access_token"].(string)
	refresh, _ := d.body["refresh_token"].(string)
	rawID, _ := d.body["id_token"].(string)
	if access == "" || refresh == "" || rawID == "" {
		t.Fatalf("push body lacks a token: %v", d.body)
	}
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID, Now: l.Clock.Now}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc refuses the pushed ID token: %v", err)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	if idt.Subject != w.alice.ID || claims["urn:openid:params:jwt:claim:auth_req_id"] != a.AuthReqID ||
		claims["at_hash"] != leftHalf(access) || claims["urn:openid:params:jwt:claim:rt_hash"] != leftHalf(refresh) {
		t.Fatalf("pushed ID token claims %v", claims)
	}
	ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(access))
	if ui.status != http.StatusOK || !strings.Contains(string(ui.body), w.alice.ID) {
		t.Fatalf("userinfo with the pushed token: %d %s", ui.status, ui.body)
	}
	if r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, basicAuth(c.ID, sec)); r.status != http.StatusOK {
		t.Fatalf("refresh with the pushed refresh token: %d %s", r.status, r.body)
	}
	// The outbox kept the tokens sealed: none in its stored payload.
	items, err := l.Store.ListOutbox(ctx, "delivered", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind == "ciba-push" && (strings.Contains(string(it.Payload), access) || strings.Contains(string(it.Payload), refresh) || strings.Contains(string(it.Payload), token)) {
			t.Fatalf("a token lies in clear in the outbox: %s", it.Payload)
		}
	}

	// A denial is pushed as access_denied.
	a2 := startCIBA(t, l, c.ID, sec, hintForm("client_notification_token", token))
	p = b.get(l.URL + "/approvals")
	f = p.fields()
	b.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"deny"}})
	d = waitPush(t, got)
	if d.body["auth_req_id"] != a2.AuthReqID || d.body["error"] != "access_denied" || d.body["access_token"] != nil {
		t.Fatalf("denial pushed as %v", d.body)
	}

	// FAPI-CIBA forbids push: at registration, and at the endpoint for a
	// client that came under the profile after it registered push.
	reg := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"Bank","grant_types":["`+cibaGrant+`"],"response_types":[],"redirect_uris":[],
		"token_endpoint_auth_method":"private_key_jwt","jwks":`+clientJWKS(t, newClientKey(t, "k"))+`,"fapi2_security_profile":true,
		"backchannel_token_delivery_mode":"push","backchannel_client_notification_endpoint":"https://bank.example.com/cb"}`)
	wantJSONError(t, l, reg, "fapi_ciba_push", "invalid_client_metadata", http.StatusBadRequest)
	key := newClientKey(t, "teller-1")
	bank, _ := l.client(t, manage.ClientSpec{Name: "Bank Teller", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, key),
		GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{}, Scopes: []string{"openid"},
		Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPush, NotificationEndpoint: listener.URL + "/bank"}})
	if _, err := l.Store.UpdateClient(ctx, bank.ID, func(c *store.Client) error { c.FAPI2 = true; return nil }); err != nil {
		t.Fatal(err)
	}
	form := (&fapiClient{c: bank, key: key}).assertion(t, l)
	for k, v := range hintForm("client_notification_token", token) {
		form[k] = v
	}
	wantJSONError(t, l, bcAuthorize(t, l, bank.ID, "", form), "fapi_ciba_push", "invalid_client_metadata", http.StatusBadRequest)
}

// TestCIBAPushDeliveredLate: a notification endpoint that is down until
// after the request expired still gets the tokens (the request was spent
// at the decision; the tokens wait sealed for the retries), and they work.
func TestCIBAPushDeliveredLate(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	got := make(chan map[string]any, 4)
	listener := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- body
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(listener.Close)
	w := newCIBAWorld(t, fastOutbox)
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Teller", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPush, NotificationEndpoint: listener.URL}})
	a := startCIBA(t, l, c.ID, sec, hintForm("scope", "openid", "client_notification_token", "tok-1"))
	adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)
	eventually(t, 10*time.Second, "a failed attempt", func() bool {
		for _, it := range listOutbox(t, l, "pending").Items {
			if it.Kind == "ciba-push" && it.Attempts >= 1 {
				return true
			}
		}
		return false
	})
	l.Clock.Advance(6 * time.Minute) // past the request's expiry (5 min) and the backoff
	down.Store(false)
	var body map[string]any
	select {
	case body = <-got:
	case <-time.After(15 * time.Second):
		t.Fatal("nothing delivered after the endpoint came back")
	}
	access, _ := body["access_token"].(string)
	if body["auth_req_id"] != a.AuthReqID || access == "" {
		t.Fatalf("late push %v", body)
	}
	if ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(access)); ui.status != http.StatusOK {
		t.Fatalf("userinfo with the late token: %d %s", ui.status, ui.body)
	}
}
