package provider

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// The device authorization grant (RFC 8628): a device without a browser
// (a TV, a command-line tool) asks here for a device code and a user
// code, shows the user code, and polls the token endpoint
// (token_device.go) while the person enters it on the verification page
// (device_page.go) with any browser.

// Paths of the device flow, relative to the issuer.
const (
	PathDeviceAuthorization = "/device_authorization"
	PathDevice              = "/device"
	PathDeviceLogin         = "/device/login"
	PathDeviceDecide        = "/device/decide"
)

// userCodeAlphabet has no vowels, so no code spells a word, and none of
// the letters people confuse with digits (I, O) or each other (U/V, Y).
// Eight letters of twenty give 20^8 ≈ 2.6·10^10 codes (RFC 8628 §6.1).
const (
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
	userCodeLength   = 8
)

// newUserCode returns a random user code in canonical form (no dash).
func newUserCode() string {
	b := make([]byte, 0, userCodeLength)
	var buf [16]byte
	for len(b) < userCodeLength {
		_, _ = rand.Read(buf[:])
		for _, c := range buf {
			// 240 is the largest multiple of 20 below 256: no bias.
			if c < 240 && len(b) < userCodeLength {
				b = append(b, userCodeAlphabet[c%20])
			}
		}
	}
	return string(b)
}

// displayUserCode groups a canonical user code in fours: BDWP-HQPK.
func displayUserCode(c string) string {
	if len(c) != userCodeLength {
		return c
	}
	return c[:4] + "-" + c[4:]
}

// canonicalUserCode reads a user code as a person typed it: any case,
// with or without the dash, spaces around or between the groups. letters
// counts what is left after those are dropped; ok is false when that is
// not a code of the alphabet's length.
func canonicalUserCode(s string) (code string, letters int, ok bool) {
	var b strings.Builder
	valid := true
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 0x80 && strings.IndexByte(userCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			valid = false
			b.WriteRune(r)
		}
		letters++
	}
	code = b.String()
	return code, letters, valid && letters == userCodeLength
}

// userCodeHash keys a canonical user code with the master key: the codes
// are few enough to try them all against a stolen database's hashes.
func (p *Provider) userCodeHash(code string) string {
	return p.secrets.Tag("device user code", code)
}

// deviceAuthResponse is RFC 8628 §3.2.
type deviceAuthResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// handleDeviceAuthorization is the device authorization endpoint (RFC
// 8628 §3.1): the client authenticates as at the token endpoint (a public
// client with client_id alone), must be registered for the grant, and its
// scope and resource parameters are checked as the authorization endpoint
// checks them. The device code is stored by its SHA-256, the user code by
// its keyed hash.
func (p *Provider) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	params, ok := p.postForm(w, r, catalog.DeviceAuthorization)
	if !ok {
		return
	}
	ctx := r.Context()
	client, _, e := p.clients.Authenticate(ctx, r, r.PostForm)
	if e != nil {
		p.fail(w, r, catalog.DeviceAuthorization, claimedClient(r), e)
		return
	}
	if !contains(client.GrantTypes, string(granttype.DeviceCode)) {
		allowed := slices.Clone(client.GrantTypes)
		slices.Sort(allowed)
		p.fail(w, r, catalog.DeviceAuthorization, client.ID, catalog.New(catalog.DeviceGrantNotAllowed, "client_id", client.ID, "allowed", orNone(strings.Join(allowed, ", "))))
		return
	}
	var resources []string
	for _, res := range r.PostForm["resource"] {
		if !slices.Contains(resources, res) {
			resources = append(resources, res)
		}
	}
	if len(resources) > 0 {
		if _, e := p.resourceAudience(ctx, client, resources, false); e != nil {
			p.fail(w, r, catalog.DeviceAuthorization, client.ID, e)
			return
		}
	}
	requested := scopes(params["scope"])
	if e := p.checkAuthScopes(ctx, requested, client, resources, false); e != nil {
		p.fail(w, r, catalog.DeviceAuthorization, client.ID, e)
		return
	}
	now := p.now()
	var device, user string
	for attempt := 0; ; attempt++ {
		device, user = secret.Token(32), newUserCode()
		err := p.store.CreateDeviceCode(ctx, &store.DeviceCode{
			Hash: secret.Hash(device), UserCodeHash: p.userCodeHash(user), ClientID: client.ID,
			Scopes: requested, Resources: resources, Interval: p.device.Interval,
			CreatedAt: now, ExpiresAt: now.Add(p.device.CodeLifetime),
		})
		// A user code already waiting (one chance in millions when many
		// wait) is drawn again.
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			p.fail(w, r, catalog.DeviceAuthorization, client.ID, failure.FromStore(err))
			return
		}
		break
	}
	shown := displayUserCode(user)
	resp := deviceAuthResponse{
		DeviceCode:              device,
		UserCode:                shown,
		VerificationURI:         p.issuer + PathDevice,
		VerificationURIComplete: p.issuer + PathDevice + "?user_code=" + url.QueryEscape(shown),
		ExpiresIn:               int64(p.device.CodeLifetime / time.Second),
		Interval:                int64(p.device.Interval / time.Second),
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		p.log.WarnContext(ctx, "writing device authorization response", "trace_id", trace.ID(ctx), "err", err)
	}
}
