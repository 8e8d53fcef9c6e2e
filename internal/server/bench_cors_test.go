package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/manage"
)

// BenchmarkClientCredentialsFromPage is BenchmarkClientCredentialsBasic
// sent by a page of an allowed origin: the origin check and the CORS
// headers are all it adds.
func BenchmarkClientCredentialsFromPage(b *testing.B) {
	const origin = "https://app.example.com"
	e := newBench(b)
	c, sec := e.m2mClient(b, manage.ClientSpec{WebOrigins: []string{"https://other.example.com", origin}})
	auth := basicAuth(c.ID, sec)
	const body = "grant_type=client_credentials&scope=orders%3Aread"
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
			r.Header.Set("Content-Type", formType)
			r.Header.Set("Authorization", auth)
			r.Header.Set("Origin", origin)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if !ok(b, "client_credentials from a page", w, `"access_token"`) || w.Header().Get("Access-Control-Allow-Origin") != origin {
				return
			}
		}
	})
}
