package errorpages_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/trace"
)

// site is a whole Lucid (server.New, so the pages are reached through the
// real mux and middleware) behind a loopback HTTP server.
type site struct {
	url string
	st  store.Store
	srv *server.Server
}

func start(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ts := httptest.NewUnstartedServer(nil)
	cfg := config.Default()
	cfg.Issuer = "http://" + ts.Listener.Addr().String()
	cfg.MasterKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	// Every 404 from one address is the same failure to the sampler; these
	// tests check each story, so every one is kept.
	s, err := server.New(ctx, &cfg, st, slog.New(slog.DiscardHandler), server.WithFailureSampler(nil))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &site{url: ts.URL, st: st, srv: s}
}

type page struct {
	status int
	header http.Header
	body   string
}

// noRedirect lets a test see a redirect instead of following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, u string, hdr ...string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// text is what a reader sees of a page: tags removed, entities decoded,
// white space collapsed.
func text(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestErrorPagesEveryEntry(t *testing.T) {
	s := start(t)
	for _, e := range catalog.All() {
		t.Run(string(e.Name), func(t *testing.T) {
			// The error_uri a client receives is the address that must work.
			uri := catalog.New(e.Name).URI(s.url)
			if want := s.url + "/errors/" + string(e.Name); uri != want {
				t.Fatalf("error_uri %q, want %q", uri, want)
			}
			p := get(t, uri)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", uri, p.status, p.body)
			}
			if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			got := text(p.body)
			want := []string{string(e.Name), e.Title, catalog.StatusText(e.Status), e.Spec, uri}
			if e.Error != "" {
				want = append(want, e.Error)
			}
			for _, ep := range e.Endpoints {
				want = append(want, ep.Title())
			}
			want = append(want, e.Causes...)
			want = append(want, e.ClientFix...)
			want = append(want, e.OperatorFix...)
			for _, w := range want {
				if !strings.Contains(got, squash(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			if !strings.Contains(p.body, `<h1 id="entry-title">`) || !strings.Contains(p.body, `href="`+html.EscapeString(e.SpecURL)+`"`) {
				t.Errorf("page lacks its title heading or spec link")
			}
			// Each {placeholder} of the template is shown as one.
			if n, m := strings.Count(e.Description, "{"), strings.Count(p.body, `<var class="placeholder">`); n != m {
				t.Errorf("description has %d placeholders, page shows %d", n, m)
			}
			for _, ph := range regexp.MustCompile(`\{([a-z0-9_]+)\}`).FindAllStringSubmatch(e.Description, -1) {
				if !strings.Contains(p.body, `<var class="placeholder">`+ph[1]+`</var>`) {
					t.Errorf("placeholder %s not shown", ph[1])
				}
			}
			// The codes of other providers that `lucid explain` maps here.
			for _, a := range catalog.Aliases() {
				_, es := catalog.Explain(a.Code)
				if slices.ContainsFunc(es, func(x *catalog.Entry) bool { return x.Name == e.Name }) && !strings.Contains(got, a.Code+" ("+a.Source+")") {
					t.Errorf("page lacks alias %s", a.Code)
				}
			}
		})
	}
}

func TestErrorPagesMissingEntries(t *testing.T) {
	s := start(t)
	tests := []struct {
		name     string
		path     string
		status   int
		location string         // for redirects
		related  []catalog.Name // suggested entries, for a 404
	}{
		{name: "unknown name", path: "/errors/no_such_entry", status: 404},
		{name: "RFC code suggests its entries", path: "/errors/invalid_grant", status: 404, related: []catalog.Name{catalog.CodeExpired, catalog.VerifierMismatch, catalog.RefreshRevoked}},
		{name: "foreign code suggests its entries", path: "/errors/AADSTS50011", status: 404, related: []catalog.Name{catalog.RedirectURINotRegistered}},
		{name: "condition name suggests its entries", path: "/errors/IdsLocked", status: 404, related: []catalog.Name{catalog.AccountLocked}},
		{name: "Okta condition suggests its entries", path: "/errors/invalid_client_secret", status: 404, related: []catalog.Name{catalog.ClientSecretWrong}},
		{name: "nested path", path: "/errors/code_expired/more", status: 404},
		{name: "capitals lead to the entry", path: "/errors/Authorization_Code_Expired", status: 301, location: "/errors/authorization_code_expired"},
		{name: "trailing slash leads to the index", path: "/errors/", status: 301, location: "/errors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := get(t, s.url+tt.path)
			if p.status != tt.status {
				t.Fatalf("GET %s: %d, want %d\n%s", tt.path, p.status, tt.status, p.body)
			}
			if tt.location != "" {
				if loc := p.header.Get("Location"); loc != tt.location {
					t.Errorf("Location %q, want %q", loc, tt.location)
				}
				return
			}
			got := text(p.body)
			nf, _ := catalog.Lookup(catalog.PageNotFound)
			for _, w := range []string{nf.Title, "There is no page at " + tt.path + ".", string(catalog.PageNotFound), nf.ClientFix[0]} {
				if !strings.Contains(got, w) {
					t.Errorf("404 page lacks %q", w)
				}
			}
			if p.header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", p.header.Get("Content-Type"))
			}
			// The trace id shown is the one recorded for `lucid explain`.
			tid := p.header.Get(trace.Header)
			if tid == "" || !strings.Contains(p.body, `<code id="trace-id" class="trace">`+tid+`</code>`) {
				t.Errorf("page does not show trace id %q", tid)
			}
			// Stories are written in the background.
			if err := s.srv.FlushFailures(context.Background()); err != nil {
				t.Fatal(err)
			}
			f, err := s.st.GetFailure(context.Background(), tid)
			if err != nil || f.Name != string(catalog.PageNotFound) || f.Request != "GET "+tt.path || f.Text != "There is no page at "+tt.path+"." {
				t.Errorf("recorded failure %+v, %v", f, err)
			}
			// Attributed to no endpoint of the protocol (it was sign_in),
			// and to no client: noise, in the smaller share.
			if f != nil && (f.Endpoint != string(catalog.Other) || !f.Unattributed) {
				t.Errorf("404 recorded at endpoint %q, unattributed %v; want %q, true", f.Endpoint, f.Unattributed, catalog.Other)
			}
			if !strings.Contains(p.body, `id="error-doc" class="button secondary" href="`+s.url+`/errors/page_not_found"`) {
				t.Errorf("404 page does not link to its entry")
			}
			for _, n := range tt.related {
				if !strings.Contains(p.body, `<a href="/errors/`+string(n)+`">`) {
					t.Errorf("404 page does not suggest %s", n)
				}
			}
			if tt.related == nil && strings.Contains(p.body, `id="related"`) {
				t.Errorf("404 page suggests entries for %s", tt.path)
			}
		})
	}
}

func TestErrorPagesJSON(t *testing.T) {
	s := start(t)
	p := get(t, s.url+"/errors.json")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /errors.json: %d %q", p.status, p.header.Get("Content-Type"))
	}
	if cc := p.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	var got []catalog.Entry
	if err := json.Unmarshal([]byte(p.body), &got); err != nil {
		t.Fatalf("not a JSON list of entries: %v", err)
	}
	all := catalog.All()
	if len(got) != len(all) {
		t.Fatalf("%d entries, want %d", len(got), len(all))
	}
	for i, e := range all {
		if got[i].Name != e.Name || got[i].Error != e.Error || got[i].Status != e.Status || got[i].Title != e.Title || got[i].Description != e.Description {
			t.Errorf("entry %d: got %+v, want %s", i, got[i], e.Name)
		}
	}
	// The field names are the published contract.
	var raw []map[string]any
	_ = json.Unmarshal([]byte(p.body), &raw)
	for _, k := range []string{"name", "error", "status", "title", "description", "causes", "client_fix", "operator_fix", "spec", "spec_url", "endpoints", "page"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("entries lack the %q member", k)
		}
	}
	etag := p.header.Get("ETag")
	if again := get(t, s.url+"/errors.json", "If-None-Match", etag); etag == "" || again.status != http.StatusNotModified || again.body != "" {
		t.Errorf("conditional GET with ETag %q: %d", etag, again.status)
	}
	if other := get(t, s.url+"/errors.json", "If-None-Match", `"other"`); other.status != http.StatusOK || other.body != p.body {
		t.Errorf("conditional GET with another ETag: %d", other.status)
	}
}

// row is one row of the index as the server rendered it.
type row struct {
	name   string // entry rows only
	hidden bool
}

var rowRE = regexp.MustCompile(`<tr class="(entry|alias)-row"(?: data-name="([^"]*)")? data-search="[^"]*"( hidden)?>`)

func rows(body string) (entries, aliases []row) {
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		r := row{name: m[2], hidden: m[3] != ""}
		if m[1] == "entry" {
			entries = append(entries, r)
		} else {
			aliases = append(aliases, r)
		}
	}
	return entries, aliases
}

func shown(rs []row) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		if !r.hidden {
			out[r.name] = true
		}
	}
	return out
}

func TestErrorPagesIndex(t *testing.T) {
	s := start(t)
	p := get(t, s.url+"/errors")
	if p.status != http.StatusOK {
		t.Fatalf("GET /errors: %d", p.status)
	}
	all := catalog.All()
	for _, e := range all {
		if !strings.Contains(p.body, `<a href="/errors/`+string(e.Name)+`"><code>`+string(e.Name)+`</code></a>`) {
			t.Errorf("index does not link to %s", e.Name)
		}
	}
	// Grouped by endpoint, in the catalog's order, each entry under each of
	// its endpoints.
	by := catalog.ByEndpoint()
	var order []int
	entryRows := 0
	for _, ep := range catalog.Endpoints() {
		if len(by[ep]) == 0 {
			continue
		}
		entryRows += len(by[ep])
		i := strings.Index(p.body, `<section class="error-group" id="`+string(ep)+`"`)
		if i < 0 {
			t.Errorf("no group for %s", ep)
			continue
		}
		order = append(order, i)
		if !strings.Contains(text(p.body), ep.Title()) {
			t.Errorf("no heading %q", ep.Title())
		}
	}
	if !slices.IsSorted(order) {
		t.Errorf("groups out of order: %v", order)
	}
	entries, aliases := rows(p.body)
	if len(entries) != entryRows || len(shown(entries)) != len(all) || len(aliases) != len(catalog.Aliases()) {
		t.Errorf("%d entry rows (%d names shown), %d alias rows; want %d, %d, %d", len(entries), len(shown(entries)), len(aliases), entryRows, len(all), len(catalog.Aliases()))
	}

	// The search script is an asset allowed by the policy; nothing inline.
	csp := p.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "nonce-") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	src := regexp.MustCompile(`<script src="([^"]+)" defer></script>`).FindStringSubmatch(p.body)
	if src == nil || strings.Count(p.body, "<script") != 1 {
		t.Fatalf("want one script element with a src")
	}
	js := get(t, s.url+html.UnescapeString(src[1]))
	if js.status != http.StatusOK || js.header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(js.body, `getElementById("error-search")`) {
		t.Errorf("GET %s: %d %q", src[1], js.status, js.header.Get("Content-Type"))
	}
}

// TestErrorPagesIndexSearch checks the search rule the server applies for ?q= (the
// browser test checks the script applies the same one as you type).
func TestErrorPagesIndexSearch(t *testing.T) {
	s := start(t)
	total := len(catalog.All())
	names := func(ns ...catalog.Name) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = string(n)
		}
		return out
	}
	explained := func(code string) []string {
		_, es := catalog.Explain(code)
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = string(e.Name)
		}
		return out
	}
	tests := []struct {
		q       string
		show    []string // entries that must be shown
		hide    []string // entries that must be hidden
		count   int      // entries shown; -1: not checked
		aliases bool     // some alias row is shown
		empty   bool     // the "no entry matches" notice is shown
	}{
		{q: "", count: total, aliases: true},
		{q: "code_verifier_mismatch", show: names(catalog.VerifierMismatch), hide: names(catalog.SignInFailed, catalog.CodeExpired), count: -1, aliases: true},
		{q: "AADSTS70008", show: explained("AADSTS70008"), hide: names(catalog.SignInFailed, catalog.VerifierMismatch), count: -1, aliases: true},
		{q: "aadsts50011", show: explained("AADSTS50011"), hide: names(catalog.CodeExpired), count: -1, aliases: true},
		{q: "IdsLocked", show: names(catalog.AccountLocked), hide: names(catalog.CodeExpired, catalog.SignInFailed), count: -1, aliases: true},
		{q: "BlockedByConditionalAccess", hide: names(catalog.SignInFailed), count: 0, aliases: true},
		{q: "  Authorization   CODE expired ", show: names(catalog.CodeExpired), hide: names(catalog.RefreshExpired, catalog.SignInFailed), count: -1, aliases: true},
		{q: "429", show: names(catalog.AccountLocked), hide: names(catalog.SignInFailed), count: -1},
		{q: "zzzz-nothing", count: 0, empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			p := get(t, s.url+"/errors?q="+strings.ReplaceAll(tt.q, " ", "+"))
			if p.status != http.StatusOK {
				t.Fatalf("%d", p.status)
			}
			entries, aliases := rows(p.body)
			got := shown(entries)
			for _, n := range tt.show {
				if !got[n] {
					t.Errorf("%s is hidden", n)
				}
			}
			for _, n := range tt.hide {
				if got[n] {
					t.Errorf("%s is shown", n)
				}
			}
			if tt.count >= 0 && len(got) != tt.count {
				t.Errorf("%d entries shown, want %d", len(got), tt.count)
			}
			if a := len(shown(aliases)) > 0; a != tt.aliases {
				t.Errorf("aliases shown: %v, want %v", a, tt.aliases)
			}
			if e := !strings.Contains(p.body, `<p id="no-matches" class="notice" hidden>`); e != tt.empty {
				t.Errorf("empty notice shown: %v, want %v", e, tt.empty)
			}
			count := regexp.MustCompile(`data-total="(\d+)">([^<]*)</p>`).FindStringSubmatch(p.body)
			wantCount := fmt.Sprintf("%d of %d entries match", len(got), total)
			if tt.q == "" {
				wantCount = fmt.Sprintf("%d entries", total)
			}
			if count == nil || count[1] != strconv.Itoa(total) || count[2] != wantCount {
				t.Errorf("match count %q, want %q", count, wantCount)
			}
			// Groups with nothing to show are hidden with their heading.
			for _, ep := range catalog.Endpoints() {
				var any bool
				for _, e := range catalog.ByEndpoint()[ep] {
					any = any || got[string(e.Name)]
				}
				hidden := strings.Contains(p.body, `<section class="error-group" id="`+string(ep)+`" data-group aria-labelledby="`+string(ep)+`-title" hidden>`)
				if len(catalog.ByEndpoint()[ep]) > 0 && hidden == any {
					t.Errorf("group %s hidden %v with entries shown %v", ep, hidden, any)
				}
			}
			if strings.TrimSpace(tt.q) != "" && !strings.Contains(p.body, `type="search" value="`+html.EscapeString(strings.TrimSpace(tt.q))+`"`) {
				t.Errorf("search box not prefilled with %q", tt.q)
			}
		})
	}
}
