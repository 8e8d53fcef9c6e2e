package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkPARPush is the pushed authorization request endpoint
// (RFC 9126) with client_secret_basic: client authentication, the
// authorization endpoint's checks, and one insert per push.
func BenchmarkPARPush(b *testing.B) {
	e := newBench(b)
	c, sec, _ := e.codeClient(b, "ES256")
	auth := basicAuth(c.ID, sec)
	sum := sha256.Sum256([]byte(benchVerifier))
	body := url.Values{
		"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {benchCB},
		"scope": {"openid profile"}, "state": {"bench-state"}, "nonce": {"bench-nonce"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}.Encode()
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			w := e.post("/par", auth, body)
			if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"request_uri":"urn:ietf:params:oauth:request_uri:`) {
				b.Errorf("push: HTTP %d: %.300s", w.Code, w.Body.String())
				return
			}
		}
	})
}
