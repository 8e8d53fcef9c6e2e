package e2e

import (
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// TestMetrics: failures are counted by catalog entry, requests by route
// pattern (never by raw path), and the endpoint needs the admin token.
func TestMetrics(t *testing.T) {
	l := start(t)
	wantJSONError(t, l, postToken(t, l, url.Values{}, nil), "grant_type_missing", "invalid_request", 400)
	send(t, http.MethodGet, l.URL+"/errors/no-such-entry-42", nil, nil)
	wantJSONError(t, l, send(t, http.MethodGet, l.URL+"/admin/clients", nil, nil), "admin_unauthorized", "invalid_token", 401)

	r := send(t, http.MethodGet, l.URL+"/admin/metrics", nil, func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+l.cfg.AdminToken)
	})
	body := string(r.body)
	if r.status != 200 {
		t.Fatalf("metrics: %d %.300s", r.status, body)
	}
	for _, want := range []string{
		`lucid_failures_total{endpoint="token",error="invalid_request",name="grant_type_missing"} 1`,
		`lucid_http_requests_total{code="400",method="POST",route="/token"} 1`,
		`lucid_http_request_duration_seconds_bucket{route="/token",le=`,
		`lucid_failures_total{endpoint="other",error="not_found",name="page_not_found"} 1`,
		`lucid_failures_total{endpoint="admin",error="invalid_token",name="admin_unauthorized"} 1`,
		`go_goroutines`,
		// The build serving (go test records no revision).
		`lucid_build_info{goversion="` + runtime.Version() + `",revision="",version=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "no-such-entry-42") {
		t.Error("a raw path became a label value")
	}
	wantJSONError(t, l, send(t, http.MethodGet, l.URL+"/admin/metrics", nil, nil), "admin_unauthorized", "invalid_token", 401)
}
