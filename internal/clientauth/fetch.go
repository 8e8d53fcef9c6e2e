package clientauth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// The one way Lucid fetches a JWK set it did not make: a client's jwks_uri
// (which anyone may register when registration is open) or a trusted
// issuer's. A URL someone else chose must not become a way to reach what
// only Lucid can reach (RFC 9700 §4.17 on SSRF), so:
//   - https only, unless local fetches are allowed (development);
//   - the address is checked when the connection is made, after DNS
//     resolution, for the first request and every redirect, so neither a
//     redirect nor a DNS answer that changes (rebinding) gets past it;
//   - no proxy from the environment: a proxy would connect on Lucid's
//     behalf to an address this check never sees;
//   - the time and the size of the answer are capped.

// maxRedirects bounds the redirects a key set fetch follows.
const maxRedirects = 3

// ErrLocalAddress is a fetch refused because its host resolved to an
// address on Lucid's side of the network.
var ErrLocalAddress = errors.New("the address is loopback, private, link-local or otherwise not public")

// ErrInsecureScheme is a fetch (or a redirect) to a URL that is not https.
var ErrInsecureScheme = errors.New("the URL does not use https")

// localPrefixes are address ranges beyond net/netip's predicates that are
// never a client's public web server: "this network", carrier-grade NAT
// (where some clouds keep their metadata service), IETF protocol
// assignments, benchmarking, reserved and deprecated site-local space.
var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fec0::/10"),
}

// nat64 and sixToFour embed an IPv4 address that is judged on its own.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// LocalAddress reports whether a key set fetch must not connect to ip:
// loopback, private (RFC 1918, unique-local fc00::/7), link-local,
// unspecified, multicast or one of localPrefixes, also when written as an
// IPv4-mapped, NAT64 or 6to4 IPv6 address.
func LocalAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return LocalAddress(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return LocalAddress(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range localPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckKeySetURL judges a jwks_uri before anything is fetched, so that a
// registrant hears at once about a URL that can never work: it must be
// https and must not name a local host by its address or as localhost.
// Names that resolve to a local address are caught at connection time.
// allowLocal (development) accepts http and local hosts.
func CheckKeySetURL(raw string, allowLocal bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("it is not an absolute URL")
	}
	if allowLocal {
		return nil
	}
	if u.Scheme != "https" {
		return ErrInsecureScheme
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrLocalAddress
	}
	if ip, err := netip.ParseAddr(host); err == nil && LocalAddress(ip) {
		return ErrLocalAddress
	}
	return nil
}

// addrRefusedError is the dial refusal, naming the address for the operator.
type addrRefusedError struct{ addr string }

func (e *addrRefusedError) Error() string {
	return "refused to connect to " + e.addr + ": " + ErrLocalAddress.Error()
}
func (e *addrRefusedError) Unwrap() error { return ErrLocalAddress }

// newFetchClient is the HTTP client of key set fetches. refuse judges each
// address a connection is about to be made to (nil allows every address);
// insecure allows http.
func newFetchClient(timeout time.Duration, refuse func(netip.Addr) bool, insecure bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if refuse != nil {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || refuse(ap.Addr()) {
				return &addrRefusedError{addr: address}
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "https" && !insecure {
				return fmt.Errorf("redirected to %s: %w", req.URL.Redacted(), ErrInsecureScheme)
			}
			return nil
		},
	}
}

// checkFetchScheme refuses a non-https URL unless insecure fetches are allowed.
func checkFetchScheme(u *url.URL, insecure bool) error {
	if u.Scheme == "https" || insecure && u.Scheme == "http" {
		return nil
	}
	return ErrInsecureScheme
}

// NewOutboundClient is the HTTP client of every other request Lucid makes
// to a URL someone else registered (a back-channel logout POST, later
// CIBA pings and webhooks), with the same guards as key set fetches:
// addresses judged at connect time, no proxy from the environment, capped
// time. It follows no redirect: a redirected POST would change method or
// repeat a body, and a registered URL is meant to be the endpoint itself;
// the caller gets the 3xx. allowLocal (development) allows http and local
// addresses. CheckOutboundURL judges a URL before the request.
func NewOutboundClient(timeout time.Duration, allowLocal bool) *http.Client {
	var refuse func(netip.Addr) bool
	if !allowLocal {
		refuse = LocalAddress
	}
	c := newFetchClient(timeout, refuse, allowLocal)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// CheckOutboundURL refuses, before any connection, a URL an outbound
// client must not be pointed at: not http(s), or http without allowLocal.
func CheckOutboundURL(u *url.URL, allowLocal bool) error { return checkFetchScheme(u, allowLocal) }

// NewFetchClient is the HTTP client of the other GETs and POSTs Lucid
// makes to servers an operator configured (upstream identity providers:
// discovery, token, user info), with the same guards as key set fetches:
// https only and no local address unless allowLocal, addresses judged at
// connect time, at most maxRedirects redirects (each judged again), no
// proxy from the environment, capped time.
func NewFetchClient(timeout time.Duration, allowLocal bool) *http.Client {
	var refuse func(netip.Addr) bool
	if !allowLocal {
		refuse = LocalAddress
	}
	return newFetchClient(timeout, refuse, allowLocal)
}
