package resource_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/lucid-auth/lucid/resource"
)

// An API branches on why a token was refused with errors.Is, and reads
// the catalog entry with errors.As.
func ExampleError() {
	lucid := newIssuer() // stands in for Lucid
	defer lucid.Close()
	ctx := context.Background()
	v, err := resource.New(ctx, lucid.URL, "https://orders.example.com")
	if err != nil {
		panic(err)
	}
	expired := lucid.token(lucid.claims("https://orders.example.com", time.Now(), "exp", time.Now().Add(-time.Minute).Unix()))

	_, err = v.Verify(ctx, expired)
	switch {
	case errors.Is(err, resource.ErrUnavailable):
		fmt.Println("retry later")
	case errors.Is(err, resource.ErrTokenExpired):
		fmt.Println("expired: refresh the token")
	}
	var e *resource.Error
	if errors.As(err, &e) {
		fmt.Println(e.Name, e.Code, e.Status)
	}
	// Output:
	// expired: refresh the token
	// access_token_expired invalid_token 401
}

// Require answers refused requests per RFC 6750 and logs each under the
// trace id of its answer: that id's story is in the API's log.
func ExampleVerifier_Require() {
	lucid := newIssuer()
	defer lucid.Close()
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey, "trace_id":
			return slog.Attr{} // vary from run to run
		}
		return a
	}}))
	v, err := resource.New(context.Background(), lucid.URL, "https://orders.example.com", resource.WithLogger(log))
	if err != nil {
		panic(err)
	}
	orders := v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := resource.ClaimsFrom(r.Context())
		fmt.Fprintln(w, "orders of", claims.Subject)
	}))

	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.Header.Set("Authorization", "Bearer ")
	w := httptest.NewRecorder()
	orders.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("X-Trace-Id") != "")
	// Output:
	// level=INFO msg="request failed" endpoint=resource client_id="" request="GET /orders" error_code=bearer_token_empty error=invalid_request status=400 description="The Authorization header names the Bearer scheme but no token follows it; send Authorization: Bearer <token>."
	// 400 true
}
