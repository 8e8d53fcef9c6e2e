package demo

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/ui"
)

func TestFlowCookie(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	f := flow{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Expires: now.Add(flowLifetime).Unix()}
	sealed := sealFlow(key, f)
	payload, sig, _ := strings.Cut(sealed, ".")
	other := flow{State: f.State, Nonce: "attacker-nonce", Verifier: "attacker-verifier", Expires: f.Expires}
	otherPayload, _, _ := strings.Cut(sealFlow([]byte("another key, another key, another"), other), ".")

	for _, tc := range []struct {
		name   string
		sealed string
		key    []byte
		state  string
		now    time.Time
		want   error
	}{
		{"round trip", sealed, key, f.State, now, nil},
		{"just before expiry", sealed, key, f.State, now.Add(flowLifetime - time.Second), nil},
		{"at expiry", sealed, key, f.State, now.Add(flowLifetime), errFlowExpired},
		{"other state", sealed, key, randomToken(), now, errFlowState},
		{"other key", sealed, []byte("a different key of thirty-two b!"), f.State, now, errFlowSignature},
		{"payload swapped", otherPayload + "." + sig, key, f.State, now, errFlowSignature},
		{"signature truncated", payload + "." + sig[:10], key, f.State, now, errFlowSignature},
		{"no signature", payload, key, f.State, now, errFlowMalformed},
		{"signature not base64", payload + ".!!!", key, f.State, now, errFlowMalformed},
		{"empty", "", key, f.State, now, errFlowMalformed},
		{"signed garbage", "bm90IGpzb24." + base64.RawURLEncoding.EncodeToString(flowMAC(key, "bm90IGpzb24")), key, f.State, now, errFlowMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := openFlow(tc.key, tc.sealed, tc.state, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && got != f {
				t.Fatalf("got %+v, want %+v", got, f)
			}
		})
	}
}

func TestValidState(t *testing.T) {
	for s, want := range map[string]bool{
		randomToken():                 true,
		"":                            false,
		"short":                       false,
		strings.Repeat("a", 21) + "=": false,
		strings.Repeat("a", 21) + ";": false,
		strings.Repeat("a", 23):       false,
	} {
		if got := validState(s); got != want {
			t.Errorf("validState(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPrettyJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"iss":"https://id.example","aud":["demo"],"exp":1}`, "{\n  \"iss\": \"https://id.example\",\n  \"aud\": [\n    \"demo\"\n  ],\n  \"exp\": 1\n}"},
		{` {"b":1,"a":2} `, "{\n  \"b\": 1,\n  \"a\": 2\n}"},
		{`not json`, `not json`},
	} {
		if got := prettyJSON([]byte(tc.in)); got != tc.want {
			t.Errorf("prettyJSON(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJWTSegment(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	header := `{"alg":"ES256","kid":"k1","typ":"JWT"}`
	tok := enc([]byte(header)) + "." + enc([]byte(`{"sub":"u1"}`)) + ".c2ln"
	for _, tc := range []struct {
		name, token string
		part        int
		want        string
		wantErr     bool
	}{
		{"header", tok, 0, header, false},
		{"payload", tok, 1, `{"sub":"u1"}`, false},
		{"padded", enc([]byte(header)) + "==.e30.c2ln", 0, header, false},
		{"two parts", "a.b", 0, "", true},
		{"five parts (JWE)", "a.b.c.d.e", 0, "", true},
		{"not base64", "***.e30.c2ln", 0, "", true},
		{"not JSON", enc([]byte("hello")) + ".e30.c2ln", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jwtSegment(tc.token, tc.part)
			if (err != nil) != tc.wantErr || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("x", 16) + strings.Repeat("m", 100) + "ENDEND"
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short-token", "short-token"},
		{strings.Repeat("a", 30), strings.Repeat("a", 30)},
		{long, strings.Repeat("x", 16) + "…ENDEND (122 characters)"},
	} {
		if got := shorten(tc.in); got != tc.want {
			t.Errorf("shorten(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTimeClaims(t *testing.T) {
	got := timeClaims([]byte(`{"exp":1800000600,"iat":1800000000,"auth_time":1799999990.5,"sub":"u","nbf":"soon"}`))
	want := []ui.Field{
		{Name: "iat", Value: "2027-01-15 08:00:00 UTC"},
		{Name: "auth_time", Value: "2027-01-15 07:59:50 UTC"},
		{Name: "exp", Value: "2027-01-15 08:10:00 UTC"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, got[i], want[i])
		}
	}
	if got := timeClaims([]byte(`[1,2]`)); got != nil {
		t.Errorf("non-object claims: %v", got)
	}
}

func TestTokenFields(t *testing.T) {
	access := strings.Repeat("A", 400)
	id := strings.Repeat("I", 600)
	tok := (&oauth2.Token{AccessToken: access, TokenType: "Bearer", RefreshToken: strings.Repeat("R", 43), ExpiresIn: 300}).
		WithExtra(map[string]any{"scope": "openid profile email offline_access", "id_token": id})
	got := map[string]string{}
	var order []string
	for _, f := range tokenFields(tok) {
		got[f.Name] = f.Value
		order = append(order, f.Name)
	}
	if strings.Join(order, ",") != "token_type,expires_in,scope,access_token,refresh_token,id_token" {
		t.Errorf("fields %v", order)
	}
	if got["expires_in"] != "300 seconds" || got["scope"] != "openid profile email offline_access" {
		t.Errorf("fields %v", got)
	}
	for name, full := range map[string]string{"access_token": access, "id_token": id} {
		if strings.Contains(got[name], full) || !strings.HasSuffix(got[name], "characters)") {
			t.Errorf("%s not shortened: %q", name, got[name])
		}
	}
	if f := tokenFields(&oauth2.Token{AccessToken: "at"}); len(f) != 1 || f[0].Name != "access_token" {
		t.Errorf("minimal token: %v", f)
	}
}

func TestErrorURIOnlyLinksLucidsCatalog(t *testing.T) {
	const issuer = "http://127.0.0.1:8080"
	for _, tc := range []struct {
		uri    string
		linked bool
	}{
		{issuer + "/errors/consent_denied", true},
		{"", false},
		{"https://evil.example/errors/consent_denied", false},
		{issuer + ".evil.example/errors/x", false},
		{issuer + "/errors/../admin", false},
		{issuer + "/errors/x?next=https://evil.example", false},
		{"javascript:alert(1)", false},
	} {
		e := callbackError(url.Values{"error": {"access_denied"}, "error_uri": {tc.uri}}, issuer)
		if (e.URI != "") != tc.linked {
			t.Errorf("%q linked = %v, want %v", tc.uri, e.URI != "", tc.linked)
		}
		if !tc.linked && tc.uri != "" && !strings.Contains(e.Detail, tc.uri) {
			t.Errorf("%q: unlinked URI not mentioned: %q", tc.uri, e.Detail)
		}
	}
}

func TestExchangeError(t *testing.T) {
	const issuer = "http://127.0.0.1:8080"
	re := &oauth2.RetrieveError{
		ErrorCode:        "invalid_grant",
		ErrorDescription: "authorization_code_reused: The authorization code was already redeemed.",
		ErrorURI:         issuer + "/errors/authorization_code_reused",
		Body:             []byte(`{"error":"invalid_grant","error_code":"authorization_code_reused","trace_id":"abc123"}`),
	}
	e := exchangeError(re, issuer)
	if !e.FromLucid || e.Error != "invalid_grant" || e.Code != "authorization_code_reused" || e.TraceID != "abc123" || e.URI != re.ErrorURI {
		t.Errorf("from Lucid: %+v", e)
	}
	e = exchangeError(errors.New("dial tcp: connection refused"), issuer)
	if e.FromLucid || !strings.Contains(e.Description, "connection refused") {
		t.Errorf("network failure: %+v", e)
	}
}

// closedIssuer is a loopback address nothing listens on.
func closedIssuer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func newDemo(t *testing.T, issuer string) *Demo {
	t.Helper()
	r, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Issuer: issuer + "/", ClientID: "demo", RedirectURL: issuer + PathCallback, Renderer: r, Hint: "Sign in as demo."})
}

// TestRoutesWithoutProvider covers what the demo answers before it needs
// Lucid: pages, refusals, and the callback checks that come first. Nothing
// here fakes a provider; where discovery runs it meets a closed port.
func TestRoutesWithoutProvider(t *testing.T) {
	issuer := closedIssuer(t)
	d := newDemo(t, issuer)
	f := flow{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Expires: time.Now().Add(time.Minute).Unix()}
	flowCookie := &http.Cookie{Name: flowCookieName(f.State), Value: sealFlow(d.key, f)}

	for _, tc := range []struct {
		name, method, target string
		cookie               *http.Cookie
		status               int
		want                 []string
		clearsCookie         bool
	}{
		{name: "start", method: "GET", target: "/demo", status: 200,
			want: []string{`id="demo-start"`, `href="/demo/login"`, "Sign in as demo.", "<code>" + issuer + "</code>", "openid profile email offline_access"}},
		{name: "after sign-out", method: "GET", target: "/demo?state=x", status: 200, want: []string{"You signed out of Lucid."}},
		{name: "unknown page", method: "GET", target: "/demo/nope", status: 404, want: []string{"page_not_found", "/demo/nope", `href="` + issuer + `/errors/page_not_found"`}},
		{name: "post", method: "POST", target: "/demo/login", status: 405, want: []string{"method_not_allowed", "accepts GET, not POST"}},
		{name: "head on callback", method: "HEAD", target: "/demo/callback", status: 405},
		{name: "callback without state", method: "GET", target: "/demo/callback?code=c", status: 400,
			want: []string{"The state check failed", "no sign-in was started in this browser"}},
		{name: "callback with forged state", method: "GET", target: "/demo/callback?code=c&state=" + randomToken(), cookie: flowCookie, status: 400,
			want: []string{"The state check failed"}},
		{name: "callback with Lucid error", method: "GET", cookie: flowCookie, status: 400, clearsCookie: true,
			target: "/demo/callback?" + url.Values{"state": {f.State}, "error": {"access_denied"}, "error_description": {"consent_denied: <b>no</b>"}, "error_uri": {issuer + "/errors/consent_denied"}, "error_code": {"consent_denied"}, "trace_id": {"t-9"}}.Encode(),
			want:   []string{"Lucid sent this error back", "consent_denied: &lt;b&gt;no&lt;/b&gt;", `href="` + issuer + `/errors/consent_denied"`, ">t-9<", `id="demo-start"`}},
		{name: "forged Lucid error", method: "GET", status: 400,
			target: "/demo/callback?" + url.Values{"error": {"access_denied"}, "error_uri": {"https://evil.example/x"}}.Encode(),
			want:   []string{"could not match this response to a sign-in it started", "not linked: https://evil.example/x"}},
		{name: "login with Lucid unreachable", method: "GET", target: "/demo/login", status: 502,
			want: []string{"could not read Lucid", "/.well-known/openid-configuration"}},
		{name: "callback with Lucid unreachable", method: "GET", cookie: &http.Cookie{Name: flowCookieName(f.State), Value: sealFlow(d.key, f)}, status: 502, clearsCookie: true,
			target: "/demo/callback?state=" + f.State + "&code=c", want: []string{"could not read Lucid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.cookie != nil {
				req.AddCookie(tc.cookie)
			}
			rec := httptest.NewRecorder()
			d.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if tc.clearsCookie {
				set := rec.Result().Cookies()
				if len(set) != 1 || set[0].Name != flowCookieName(f.State) || set[0].MaxAge >= 0 {
					t.Errorf("flow cookie not cleared: %v", set)
				}
			}
			if strings.Contains(body, "<b>") {
				t.Errorf("unescaped markup")
			}
		})
	}
	if d.rp != nil {
		t.Fatalf("a failed discovery was remembered")
	}
}
