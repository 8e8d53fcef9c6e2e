package clientauth

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// ClaimedClient names the client a request's credentials claim to be: the
// Basic user name, else the client_id parameter, else the sub of a client
// assertion whose iss agrees. It is for the operator's record of a failed
// authentication (`lucid explain` shows it as the client), so that a
// failure with Basic or an assertion is not filed under no client at all.
// Nothing here is verified: the failure recorder files an id that names no
// registered client among the unattributed failures, as it does for an
// unknown client_id parameter.
func ClaimedClient(r *http.Request, form url.Values) string {
	if h := r.Header.Values("Authorization"); len(h) == 1 {
		if scheme, rest := splitAuthorization(h[0]); strings.EqualFold(scheme, "Basic") {
			if c, reason := parseBasic(rest); reason == "" {
				return c.ID
			}
		}
	}
	if id := form.Get("client_id"); id != "" {
		return id
	}
	as := form.Get("client_assertion")
	if as == "" || len(as) > maxAssertionLen {
		return ""
	}
	parts := strings.Split(as, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Sub == "" || claims.Iss != claims.Sub {
		return ""
	}
	return claims.Sub
}
