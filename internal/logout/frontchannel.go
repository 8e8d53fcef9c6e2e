package logout

import (
	"net/url"
	"slices"
)

// Frames are the front-channel logout URLs to load on the logged-out
// page, one per client with a frontchannel_logout_uri: with the iss and
// sid query parameters added when the client requires them (Front-Channel
// Logout 1.0 §2), each URL once.
func Frames(issuer string, parts []Participant) []string {
	var out []string
	for _, p := range parts {
		c := p.Client
		if c.FrontchannelURI == "" {
			continue
		}
		u, err := url.Parse(c.FrontchannelURI)
		if err != nil {
			continue
		}
		if c.FrontchannelSessionRequired {
			q := u.Query()
			q.Set("iss", issuer)
			q.Set("sid", p.SessionID)
			u.RawQuery = q.Encode()
		}
		if s := u.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
