package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// logoutReceiver is a client's back-channel logout endpoint on loopback:
// it records every logout token POSTed to it, and answers failFirst
// requests with failStatus before it answers 200.
type logoutReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]string // path → logout tokens, in arrival order

	failFirst  int
	failStatus int
}

func newLogoutReceiver(t *testing.T) *logoutReceiver {
	rc := &logoutReceiver{got: map[string][]string{}, failStatus: http.StatusServiceUnavailable}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *logoutReceiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "want a form POST", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("logout_token") == "" {
		http.Error(w, "no logout_token", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failFirst > 0 {
		rc.failFirst--
		http.Error(w, "busy \"now\"\n try later", rc.failStatus)
		return
	}
	rc.got[r.URL.Path] = append(rc.got[r.URL.Path], r.PostForm.Get("logout_token"))
}

func (rc *logoutReceiver) tokens(path string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.got[path]...)
}

func (rc *logoutReceiver) url(path string) string { return rc.srv.URL + path }

// logoutClaims verifies a logout token with Lucid's JWKS (go-oidc's
// remote key set) and returns its header typ and claims.
func logoutClaims(t *testing.T, l *lucid, token string) (string, map[string]any) {
	t.Helper()
	ctx := context.Background()
	payload, err := oidc.NewRemoteKeySet(ctx, l.URL+"/jwks").VerifySignature(ctx, token)
	if err != nil {
		t.Fatalf("logout token does not verify with Lucid's keys: %v", err)
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var header struct{ Typ string }
	var claims map[string]any
	if json.Unmarshal(rawHeader, &header) != nil || json.Unmarshal(payload, &claims) != nil {
		t.Fatalf("logout token is not JSON: %s", payload)
	}
	return header.Typ, claims
}

// checkLogoutToken checks every claim OpenID Back-Channel Logout 1.0 §2.4
// asks for.
func checkLogoutToken(t *testing.T, l *lucid, token, clientID, sub, sid string) map[string]any {
	t.Helper()
	typ, c := logoutClaims(t, l, token)
	if typ != "logout+jwt" {
		t.Errorf("typ %q, want logout+jwt", typ)
	}
	if c["iss"] != l.URL || c["aud"] != clientID || c["sub"] != sub {
		t.Errorf("iss %v aud %v sub %v; want %s %s %s", c["iss"], c["aud"], c["sub"], l.URL, clientID, sub)
	}
	if sid != "" && c["sid"] != sid {
		t.Errorf("sid %v, want %s", c["sid"], sid)
	}
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	// Within 30 s of the server clock: a test may advance it while a delivery is in flight.
	if now := float64(l.Clock.Now().Unix()); iat < now-30 || iat > now+30 || exp <= iat || exp > iat+300 {
		t.Errorf("iat %v exp %v: want now and a short lifetime", iat, exp)
	}
	if jti, _ := c["jti"].(string); len(jti) < 16 {
		t.Errorf("jti %q", jti)
	}
	events, _ := c["events"].(map[string]any)
	ev, ok := events["http://schemas.openid.net/event/backchannel-logout"].(map[string]any)
	if len(events) != 1 || !ok || len(ev) != 0 {
		t.Errorf("events %v", c["events"])
	}
	if _, has := c["nonce"]; has {
		t.Error("a logout token must not have a nonce")
	}
	return c
}

// sidOf reads the sid of an ID token.
func sidOf(t *testing.T, l *lucid, c *store.Client, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if err := idt.Claims(&claims); err != nil || claims.SID == "" {
		t.Fatalf("ID token without sid: %v", err)
	}
	return claims.SID
}

// An application logs the person out (RP-initiated logout): every other
// client of the session gets a signed logout token on its back channel,
// with the session's sid, and a client without a backchannel_logout_uri
// gets nothing.
func TestBackchannelLogoutRPInitiated(t *testing.T) {
	l := start(t, fastOutbox)
	alice := l.user(t, demoUser)
	rc := newLogoutReceiver(t)
	mail, mailSec := l.client(t, manage.ClientSpec{Name: "Mail", Logout: store.LogoutChannels{
		BackchannelURI: rc.url("/mail/logout"), BackchannelSessionRequired: true}})
	notes, notesSec := l.client(t, manage.ClientSpec{Name: "Notes", Logout: store.LogoutChannels{BackchannelURI: rc.url("/notes/logout")}})
	plain, plainSec := l.client(t, manage.ClientSpec{Name: "Plain"})

	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(mail, mailSec))
	login(t, l, b, l.oauthConfig(notes, notesSec))
	login(t, l, b, l.oauthConfig(plain, plainSec))
	sid := sidOf(t, l, mail, tok)

	// Another person's session is not touched.
	other := l.browser(t)
	login(t, l, other, l.oauthConfig(notes, notesSec))

	idToken, _ := tok.Extra("id_token").(string)
	p := b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken))
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="signed-out"`) {
		t.Fatalf("logout: %d %.300s", p.status, p.body)
	}
	eventually(t, 5*time.Second, "logout tokens for both clients", func() bool {
		return len(rc.tokens("/mail/logout")) == 1 && len(rc.tokens("/notes/logout")) == 1
	})
	m := checkLogoutToken(t, l, rc.tokens("/mail/logout")[0], mail.ID, alice.ID, sid)
	n := checkLogoutToken(t, l, rc.tokens("/notes/logout")[0], notes.ID, alice.ID, sid)
	if m["jti"] == n["jti"] {
		t.Error("two logout tokens share a jti")
	}
	delivered := listOutbox(t, l, "delivered")
	if delivered.Counts["delivered"] != 2 || delivered.Counts["pending"] != 0 {
		t.Errorf("outbox counts %v", delivered.Counts)
	}
	time.Sleep(100 * time.Millisecond) // no third token comes
	if n := len(rc.tokens("/notes/logout")); n != 1 {
		t.Errorf("notes got %d logout tokens; the other person's session must not be logged out", n)
	}
}

// The receiver is down for the first attempts: the delivery is retried
// with backoff, each failed attempt has its story, and the token that
// finally arrives has the same jti as the ones refused.
func TestBackchannelLogoutRetries(t *testing.T) {
	l := start(t, fastOutbox, func(c *config.Config) {
		c.Outbox.BackoffBase, c.Outbox.BackoffCap = time.Minute, time.Hour
	})
	alice := l.user(t, demoUser)
	rc := newLogoutReceiver(t)
	rc.failFirst = 2
	mail, mailSec := l.client(t, manage.ClientSpec{Name: "Mail", Logout: store.LogoutChannels{BackchannelURI: rc.url("/bcl")}})
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(mail, mailSec))
	idToken, _ := tok.Extra("id_token").(string)
	b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken))

	var pending outboxListing
	eventually(t, 5*time.Second, "the first attempt refused", func() bool {
		pending = listOutbox(t, l, "pending")
		return len(pending.Items) == 1 && pending.Items[0].Attempts == 1 && pending.Items[0].LastTraceID != ""
	})
	it := pending.Items[0]
	if it.Kind != "backchannel_logout" || it.Target != rc.url("/bcl") || it.ClientID != mail.ID || !strings.Contains(it.LastError, "503") {
		t.Fatalf("pending item %+v", it)
	}
	f := outboxStory(t, l, it.LastTraceID)
	if f.Name != "backchannel_logout_rejected" || f.ClientID != mail.ID || !strings.Contains(f.Text, "HTTP 503") ||
		!strings.Contains(f.Text, "busy now try later") || f.Internal["next_attempt"] == "" {
		t.Fatalf("story of the refused attempt: %+v", f)
	}
	triggered.add(f.Name)
	// Nothing happens before the backoff has passed; then it is retried.
	time.Sleep(150 * time.Millisecond)
	if got := listOutbox(t, l, "pending"); got.Items[0].Attempts != 1 {
		t.Fatalf("retried before the backoff passed: %+v", got.Items[0])
	}
	eventually(t, 10*time.Second, "delivery after two refusals", func() bool {
		if len(rc.tokens("/bcl")) == 1 {
			return true
		}
		l.Clock.Advance(time.Second) // past the next backoff (outbox.backoff_cap is 200ms here)
		return false
	})
	checkLogoutToken(t, l, rc.tokens("/bcl")[0], mail.ID, alice.ID, "")
	eventually(t, 5*time.Second, "the item recorded as delivered", func() bool {
		return listOutbox(t, l, "delivered").Counts["delivered"] == 1
	})
	if d := listOutbox(t, l, "delivered").Items[0]; d.Attempts != 3 {
		t.Errorf("delivered after %d attempts, want 3", d.Attempts)
	}
}

// A receiver that never accepts is given up on after outbox.max_attempts;
// one that cannot be reached has a story of its own; one on a local
// address is refused at once unless outbox.allow_local.
func TestBackchannelLogoutFailures(t *testing.T) {
	t.Run("gives up", func(t *testing.T) {
		l := start(t, fastOutbox, func(c *config.Config) { c.Outbox.MaxAttempts = 2 })
		l.user(t, demoUser)
		rc := newLogoutReceiver(t)
		rc.failFirst, rc.failStatus = 100, http.StatusNotFound
		c, sec := l.client(t, manage.ClientSpec{Name: "Gone", Logout: store.LogoutChannels{BackchannelURI: rc.url("/old")}})
		f := logoutAndWaitDead(t, l, c, sec)
		if f.Name != "outbox_delivery_gave_up" || !strings.Contains(f.Text, "after 2 attempts") || !strings.Contains(f.Text, "HTTP 404") ||
			f.Internal["last_failure"] != "backchannel_logout_rejected" {
			t.Fatalf("story of the last attempt: %+v", f)
		}
		triggered.add(f.Name)
	})
	t.Run("unreachable", func(t *testing.T) {
		l := start(t, fastOutbox, func(c *config.Config) { c.Outbox.MaxAttempts = 1 })
		l.user(t, demoUser)
		c, sec := l.client(t, manage.ClientSpec{Name: "Down", Logout: store.LogoutChannels{BackchannelURI: "http://" + freeAddr(t) + "/logout"}})
		f := logoutAndWaitDead(t, l, c, sec)
		if f.Name != "outbox_delivery_gave_up" || f.Internal["last_failure"] != "backchannel_logout_unreachable" || !strings.Contains(f.Text, "connection was refused") {
			t.Fatalf("story: %+v", f)
		}
		// The attempt before the last has the entry itself.
		l2 := start(t, fastOutbox, func(c *config.Config) { c.Outbox.BackoffBase, c.Outbox.BackoffCap = time.Hour, time.Hour })
		l2.user(t, demoUser)
		c2, sec2 := l2.client(t, manage.ClientSpec{Name: "Down", Logout: store.LogoutChannels{BackchannelURI: "http://" + freeAddr(t) + "/logout"}})
		it := logoutAndWaitPending(t, l2, c2, sec2)
		f = outboxStory(t, l2, it.LastTraceID)
		if f.Name != "backchannel_logout_unreachable" || f.ClientID != c2.ID {
			t.Fatalf("story: %+v", f)
		}
		triggered.add(f.Name)
	})
	t.Run("client dropped its back channel", func(t *testing.T) {
		// The first attempt fails; before the next, the client's
		// registration loses its backchannel_logout_uri: the delivery is
		// given up on, with the reason in its story.
		l := start(t, fastOutbox, func(c *config.Config) { c.Outbox.BackoffBase, c.Outbox.BackoffCap = time.Hour, time.Hour })
		l.user(t, demoUser)
		c, sec := l.client(t, manage.ClientSpec{Name: "Changed", Logout: store.LogoutChannels{BackchannelURI: "http://" + freeAddr(t) + "/logout"}})
		logoutAndWaitPending(t, l, c, sec)
		r := jsonCall(t, l, http.MethodPatch, "/admin/clients/"+c.ID, l.cfg.AdminToken, `{"backchannel_logout_uri": ""}`)
		if r.status != http.StatusOK {
			t.Fatalf("remove the back channel: %d %s", r.status, r.body)
		}
		l.Clock.Advance(2 * time.Hour)
		var dead outboxListing
		eventually(t, 10*time.Second, "the delivery given up on", func() bool {
			dead = listOutbox(t, l, "dead")
			return len(dead.Items) == 1
		})
		f := outboxStory(t, l, dead.Items[0].LastTraceID)
		if f.Name != "outbox_delivery_failed" || !strings.Contains(f.Text, "no longer has a backchannel_logout_uri") || !strings.Contains(f.Text, "not attempted again") {
			t.Fatalf("story: %+v", f)
		}
		triggered.add(f.Name)
	})
	t.Run("local address refused", func(t *testing.T) {
		l := start(t, fastOutbox, func(c *config.Config) { c.Outbox.AllowLocal = false })
		l.user(t, demoUser)
		rc := newLogoutReceiver(t)
		c, sec := l.client(t, manage.ClientSpec{Name: "Local", Logout: store.LogoutChannels{BackchannelURI: rc.url("/logout")}})
		f := logoutAndWaitDead(t, l, c, sec)
		if f.Name != "backchannel_logout_address_refused" || !strings.Contains(f.Text, rc.url("/logout")) {
			t.Fatalf("story: %+v", f)
		}
		if n := len(rc.tokens("/logout")); n != 0 {
			t.Fatalf("the local receiver got %d tokens", n)
		}
		triggered.add(f.Name)
	})
}

// logoutAndWaitDead signs in to c, logs out, and returns the story of the
// delivery's last attempt once it is dead.
func logoutAndWaitDead(t *testing.T, l *lucid, c *store.Client, sec string) store.Failure {
	t.Helper()
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(c, sec))
	idToken, _ := tok.Extra("id_token").(string)
	b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken))
	var dead outboxListing
	eventually(t, 10*time.Second, "the delivery given up on", func() bool {
		dead = listOutbox(t, l, "dead")
		l.Clock.Advance(time.Minute) // past any backoff
		return len(dead.Items) == 1
	})
	return outboxStory(t, l, dead.Items[0].LastTraceID)
}

// logoutAndWaitPending logs out and returns the item after its first
// failed attempt.
func logoutAndWaitPending(t *testing.T, l *lucid, c *store.Client, sec string) struct {
	LastTraceID string
} {
	t.Helper()
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(c, sec))
	idToken, _ := tok.Extra("id_token").(string)
	b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken))
	var out struct{ LastTraceID string }
	eventually(t, 10*time.Second, "a failed first attempt", func() bool {
		p := listOutbox(t, l, "pending")
		if len(p.Items) == 1 && p.Items[0].LastTraceID != "" {
			out.LastTraceID = p.Items[0].LastTraceID
			return true
		}
		return false
	})
	return out
}

// An operator ends a user's sessions through the admin API, or disables
// the user: each client of those sessions gets a logout token.
func TestBackchannelLogoutByOperator(t *testing.T) {
	l := start(t, fastOutbox)
	alice := l.user(t, demoUser)
	rc := newLogoutReceiver(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Mail", Logout: store.LogoutChannels{BackchannelURI: rc.url("/bcl"), BackchannelSessionRequired: true}})
	b1, b2 := l.browser(t), l.browser(t)
	t1, _ := login(t, l, b1, l.oauthConfig(c, sec))
	t2, _ := login(t, l, b2, l.oauthConfig(c, sec))
	sids := map[string]bool{sidOf(t, l, c, t1): true, sidOf(t, l, c, t2): true}

	r := jsonCall(t, l, http.MethodDelete, "/admin/users/"+alice.ID+"/sessions", l.cfg.AdminToken, "")
	if r.status != http.StatusNoContent {
		t.Fatalf("end sessions: %d %s", r.status, r.body)
	}
	eventually(t, 5*time.Second, "a logout token per session", func() bool { return len(rc.tokens("/bcl")) == 2 })
	for _, tok := range rc.tokens("/bcl") {
		claims := checkLogoutToken(t, l, tok, c.ID, alice.ID, "")
		sid, _ := claims["sid"].(string)
		if !sids[sid] {
			t.Errorf("sid %q is not one of the sessions", sid)
		}
		delete(sids, sid)
	}
	// The sessions are gone: a silent authorization needs a sign-in.
	p := b1.get(l.oauthConfig(c, sec).AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	wantAuthzError(t, l, p.location, "login_required", "login_required", "s")

	// Disabling the user logs out the session signed in since.
	t3, _ := login(t, l, b1, l.oauthConfig(c, sec))
	sid3 := sidOf(t, l, c, t3)
	r = jsonCall(t, l, http.MethodPatch, "/admin/users/"+alice.ID, l.cfg.AdminToken, `{"disabled": true}`)
	if r.status != http.StatusOK {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	eventually(t, 5*time.Second, "a logout token for the disabled user's session", func() bool { return len(rc.tokens("/bcl")) == 3 })
	checkLogoutToken(t, l, rc.tokens("/bcl")[2], c.ID, alice.ID, sid3)
}

// Logout metadata is checked where clients are registered: discovery
// announces both channels.
func TestLogoutMetadata(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Registration.Mode = config.RegistrationOpen })
	var doc map[string]any
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported", "frontchannel_logout_supported", "frontchannel_logout_session_supported"} {
		if doc[k] != true {
			t.Errorf("discovery %s = %v, want true", k, doc[k])
		}
	}

	// RFC 7591 registration keeps the metadata and says what is wrong.
	r = jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["https://app.example/cb"],"backchannel_logout_uri":"https://app.example/bcl",
		"backchannel_logout_session_required":true,"frontchannel_logout_uri":"https://app.example/fcl","frontchannel_logout_session_required":true}`)
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var info map[string]any
	_ = json.Unmarshal(r.body, &info)
	if info["backchannel_logout_uri"] != "https://app.example/bcl" || info["backchannel_logout_session_required"] != true ||
		info["frontchannel_logout_uri"] != "https://app.example/fcl" || info["frontchannel_logout_session_required"] != true {
		t.Errorf("registered %v", info)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"redirect_uris":["https://app.example/cb"],"backchannel_logout_uri":"http://app.example/bcl"}`, "backchannel_logout_uri"},
		{`{"redirect_uris":["https://app.example/cb"],"backchannel_logout_uri":"https://app.example/bcl#x"}`, "backchannel_logout_uri"},
		{`{"redirect_uris":["https://app.example/cb"],"backchannel_logout_uri":"com.example.app:/bcl"}`, "backchannel_logout_uri"},
		{`{"redirect_uris":["https://app.example/cb"],"backchannel_logout_session_required":true}`, "backchannel_logout_session_required"},
		{`{"redirect_uris":["https://app.example/cb"],"frontchannel_logout_uri":"https://other.example/fcl"}`, "frontchannel_logout_uri"},
		{`{"redirect_uris":["https://app.example/cb"],"backchannel_logout_uri":7}`, "backchannel_logout_uri"},
	} {
		r := jsonCall(t, l, http.MethodPost, "/register", "", tc.body)
		e := wantJSONError(t, l, r, "registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
		if !strings.Contains(e.Description, tc.field) {
			t.Errorf("%s: %s does not name %s", tc.body, e.Description, tc.field)
		}
	}
	// The admin API takes the same metadata, by the same names.
	r = jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"Ops","redirect_uris":["https://ops.example/cb"],"backchannel_logout_uri":"https://ops.example/bcl"}`)
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"backchannel_logout_uri": "https://ops.example/bcl"`) {
		t.Fatalf("admin create: %d %s", r.status, r.body)
	}
	r = jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"Ops","redirect_uris":["https://ops.example/cb"],"backchannel_logout_uri":"ftp://ops.example/bcl"}`)
	wantJSONError(t, l, r, "admin_invalid_input", "invalid_request", http.StatusBadRequest)
}
