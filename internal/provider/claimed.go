package provider

import (
	"net/http"

	"github.com/lucid-auth/lucid/internal/clientauth"
)

// claimedClient is the client a failed client authentication is filed
// under for `lucid explain`: the one its credentials name (Basic user
// name, client_id, or an assertion's sub), not only a client_id parameter.
func claimedClient(r *http.Request) string {
	return clientauth.ClaimedClient(r, r.PostForm)
}
