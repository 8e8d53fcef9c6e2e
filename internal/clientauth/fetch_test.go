package clientauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestLocalAddress(t *testing.T) {
	cases := []struct {
		ip    string
		local bool
	}{
		{"127.0.0.1", true}, {"127.5.6.7", true}, {"::1", true},
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fd00::1", true}, {"fc00::1", true},
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true}, {"100.64.0.1", true}, {"100.100.100.200", true},
		{"224.0.0.1", true}, {"ff02::1", true}, {"255.255.255.255", true}, {"198.18.0.1", true}, {"fec0::1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, {"64:ff9b::a9fe:a9fe", true}, {"2002:7f00:1::", true},
		{"93.184.215.14", false}, {"8.8.8.8", false}, {"172.32.0.1", false}, {"100.128.0.1", false},
		{"2606:4700::1111", false}, {"::ffff:8.8.8.8", false}, {"64:ff9b::808:808", false}, {"2002:808:808::", false},
	}
	for _, tc := range cases {
		if got := LocalAddress(netip.MustParseAddr(tc.ip)); got != tc.local {
			t.Errorf("LocalAddress(%s) = %v, want %v", tc.ip, got, tc.local)
		}
	}
}

func TestCheckKeySetURL(t *testing.T) {
	cases := []struct {
		url        string
		allowLocal bool
		want       error // nil: accepted
	}{
		{"https://keys.example.com/jwks", false, nil},
		{"https://93.184.215.14/jwks", false, nil},
		{"http://keys.example.com/jwks", false, ErrInsecureScheme},
		{"https://localhost/jwks", false, ErrLocalAddress},
		{"https://LOCALHOST./jwks", false, ErrLocalAddress},
		{"https://a.localhost/jwks", false, ErrLocalAddress},
		{"https://127.0.0.1:8443/jwks", false, ErrLocalAddress},
		{"https://[::1]/jwks", false, ErrLocalAddress},
		{"https://169.254.169.254/latest/meta-data", false, ErrLocalAddress},
		{"https://[fd12::1]/jwks", false, ErrLocalAddress},
		{"http://127.0.0.1:8001/jwks", true, nil},
	}
	for _, tc := range cases {
		err := CheckKeySetURL(tc.url, tc.allowLocal)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("CheckKeySetURL(%s, %v) = %v, want %v", tc.url, tc.allowLocal, err, tc.want)
		}
	}
}

// fetchWith is an Authenticator whose fetcher refuses the addresses
// refuse names, so that loopback can stand for both sides of the line.
func fetchWith(refuse func(netip.Addr) bool, insecure bool, timeout time.Duration) *Authenticator {
	a := New(nil, nil, "https://lucid.example", "https://lucid.example/token", WithLocalKeySets(insecure))
	a.fetchTimeout = timeout
	a.http = newFetchClient(timeout, refuse, insecure)
	return a
}

const oneKeySet = `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tie_pwAwHWSmQTBCNxdWXX_R2ENg","kid":"a"}]}`

// Every connection is judged where it is made, so a redirect from an
// allowed host to a refused one fails, as does a host whose name resolves
// to a refused address (localhost here; DNS rebinding is the same case).
func TestFetchChecksEveryConnection(t *testing.T) {
	// 127.0.0.2 is loopback too (Linux routes 127/8 to lo); here it plays
	// an internal host: the fetcher refuses it and allows 127.0.0.1.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	internalHits := 0
	internal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits++
		_, _ = w.Write([]byte(oneKeySet))
	})}}
	internal.Start()
	t.Cleanup(internal.Close)
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/keys":
			_, _ = w.Write([]byte(oneKeySet))
		case "/redirect":
			http.Redirect(w, r, internal.URL+"/keys", http.StatusFound)
		case "/big":
			_, _ = w.Write([]byte(`{"keys":[` + strings.Repeat(" ", maxJWKSBytes) + `]}`))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	t.Cleanup(public.Close)
	only1 := func(ip netip.Addr) bool { return ip != netip.MustParseAddr("127.0.0.1") }
	a := fetchWith(only1, true, time.Second)
	ctx := context.Background()

	if _, ferr := a.fetchJWKS(ctx, public.URL+"/keys"); ferr != nil {
		t.Fatalf("control: %v", ferr)
	}
	cases := []struct {
		path, reason string
		cause        error
	}{
		{"/redirect", "its host is on a local network", ErrLocalAddress},
		{"/big", "the response is larger than", nil},
		{"/slow", "it did not answer within", context.DeadlineExceeded},
	}
	for _, tc := range cases {
		_, ferr := a.fetchJWKS(ctx, public.URL+tc.path)
		if ferr == nil || !strings.HasPrefix(ferr.reason, tc.reason) || tc.cause != nil && !errors.Is(ferr.cause, tc.cause) {
			t.Errorf("%s: got %v, want %q (%v)", tc.path, ferr, tc.reason, tc.cause)
		}
	}
	// A name is judged by the address it resolves to when connecting.
	localhost := strings.Replace(public.URL, "127.0.0.1", "localhost", 1)
	if _, ferr := fetchWith(LocalAddress, true, time.Second).fetchJWKS(ctx, localhost+"/keys"); ferr == nil || !errors.Is(ferr.cause, ErrLocalAddress) {
		t.Errorf("a name resolving to a refused address: got %v", ferr)
	}
	if internalHits != 0 {
		t.Errorf("the refused host was reached %d times", internalHits)
	}

	// The default fetcher: https only, no loopback at all.
	strict := New(nil, nil, "https://lucid.example", "https://lucid.example/token")
	if _, ferr := strict.fetchJWKS(ctx, public.URL+"/keys"); ferr == nil || !errors.Is(ferr.cause, ErrInsecureScheme) {
		t.Errorf("http without allow_local: got %v", ferr)
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(oneKeySet)) }))
	t.Cleanup(tlsSrv.Close)
	if _, ferr := strict.fetchJWKS(ctx, tlsSrv.URL+"/keys"); ferr == nil || !errors.Is(ferr.cause, ErrLocalAddress) {
		t.Errorf("https on loopback without allow_local: got %v", ferr)
	}
}

// A redirect from https to http is refused unless local fetches are allowed.
func TestFetchRefusesRedirectToHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(oneKeySet)) }))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/keys", http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	a := fetchWith(nil, false, time.Second)
	// Trust the test server's certificate, keep the fetcher's redirect rule.
	a.http.Transport.(*http.Transport).TLSClientConfig = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	_, ferr := a.fetchJWKS(context.Background(), tlsSrv.URL+"/keys")
	if ferr == nil || !errors.Is(ferr.cause, ErrInsecureScheme) {
		t.Fatalf("got %v, want a refused redirect to http", ferr)
	}
}
