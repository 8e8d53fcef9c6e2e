// Package errorpages publishes the error catalog on the web: an index at
// /errors with a search box, one page per entry at /errors/{name} (the
// error_uri of every catalogued error), and the catalog as JSON at
// /errors.json. All text comes from internal/catalog; this package only
// arranges it for the pages in internal/ui.
package errorpages

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Paths of the catalog.
const (
	PathIndex = "/errors"
	PathJSON  = "/errors.json"
	pathEntry = "/errors/"
)

// maxQuery bounds the search text taken from ?q=; no real search is longer.
const maxQuery = 200

// jsonMaxAge is how long browsers and proxies may keep /errors.json. The
// catalog changes only with a new release, but a release should show soon.
const jsonMaxAge = 5 * time.Minute

// Options configure the pages.
type Options struct {
	Issuer string // base of each entry's error_uri
	Log    *slog.Logger
	// Failures reports requests for missing pages, as the protocol
	// endpoints report theirs; nil logs them through Log only.
	Failures *failure.Recorder
	Now      func() time.Time
}

// Pages serves the catalog. Everything it shows is computed once in New:
// the catalog is fixed for the life of the process.
type Pages struct {
	ui       *ui.Renderer
	issuer   string
	log      *slog.Logger
	failures *failure.Recorder
	now      func() time.Time

	groups   []ui.ErrorGroup
	aliases  []ui.ErrorAlias
	entries  map[catalog.Name]ui.ErrorEntryPage
	count    int
	json     []byte
	jsonErr  error
	jsonETag string
}

// New prepares the pages from the catalog.
func New(renderer *ui.Renderer, o Options) *Pages {
	p := &Pages{
		ui:       renderer,
		issuer:   strings.TrimSuffix(o.Issuer, "/"),
		log:      o.Log,
		failures: o.Failures,
		now:      o.Now,
		entries:  map[catalog.Name]ui.ErrorEntryPage{},
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.failures == nil {
		p.failures = &failure.Recorder{Log: p.log}
	}
	all := catalog.All()
	p.count = len(all)
	aliasesOf := aliasesByEntry()
	for _, e := range all {
		p.entries[e.Name] = p.entryPage(e, aliasesOf[e.Name])
	}
	by := catalog.ByEndpoint()
	for _, ep := range endpoints(by) {
		g := ui.ErrorGroup{ID: string(ep), Title: ep.Title(), How: ep.How()}
		for _, e := range by[ep] {
			g.Entries = append(g.Entries, ui.ErrorRow{
				Name: string(e.Name), Title: e.Title, Code: e.Error, Status: e.Status,
				URL: EntryPath(e.Name), Search: entrySearch(e, aliasesOf[e.Name]),
			})
		}
		p.groups = append(p.groups, g)
	}
	for _, a := range catalog.Aliases() {
		_, es := catalog.Explain(a.Code)
		row := ui.ErrorAlias{Code: a.Code, Source: a.Source, Meaning: a.Note()}
		words := []string{a.Code, a.Source, a.Note()}
		for _, e := range es {
			row.Entries = append(row.Entries, ui.Link{Text: string(e.Name), URL: EntryPath(e.Name)})
			words = append(words, string(e.Name))
		}
		row.Search = searchText(words...)
		p.aliases = append(p.aliases, row)
	}
	p.json, p.jsonErr = catalog.JSON()
	sum := sha256.Sum256(p.json)
	p.jsonETag = `"` + hex.EncodeToString(sum[:8]) + `"`
	return p
}

// Register mounts the pages on mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathIndex, p.handleIndex)
	mux.HandleFunc("GET "+PathJSON, p.handleJSON)
	mux.HandleFunc("GET "+pathEntry+"{name...}", p.handleEntry)
}

// EntryPath is the path of an entry's page; its error_uri is the issuer
// followed by this path.
func EntryPath(n catalog.Name) string { return pathEntry + string(n) }

// endpoints lists the endpoints that have entries: the catalog's order,
// then any others by name.
func endpoints(by map[catalog.Endpoint][]*catalog.Entry) []catalog.Endpoint {
	var out []catalog.Endpoint
	known := map[catalog.Endpoint]bool{}
	for _, ep := range catalog.Endpoints() {
		known[ep] = true
		if len(by[ep]) > 0 {
			out = append(out, ep)
		}
	}
	var rest []catalog.Endpoint
	for ep := range by {
		if !known[ep] {
			rest = append(rest, ep)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	return append(out, rest...)
}

// aliasesByEntry maps each entry to the codes from other providers and
// specifications that lead to it, as `lucid explain CODE` resolves them.
func aliasesByEntry() map[catalog.Name][]catalog.Alias {
	out := map[catalog.Name][]catalog.Alias{}
	for _, a := range catalog.Aliases() {
		_, es := catalog.Explain(a.Code)
		for _, e := range es {
			out[e.Name] = append(out[e.Name], a)
		}
	}
	return out
}

// entrySearch is what the search box matches for an entry: its name,
// codes, status, title, endpoints, description and the codes of other
// providers that lead to it.
func entrySearch(e *catalog.Entry, aliases []catalog.Alias) string {
	words := []string{string(e.Name), e.Error, strconv.Itoa(e.Status), e.Title, e.Description}
	for _, ep := range e.Endpoints {
		words = append(words, string(ep))
	}
	for _, a := range aliases {
		words = append(words, a.Code, a.Also)
	}
	return searchText(words...)
}

func searchText(words ...string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.Join(words, " ")), " "))
}

// terms splits a query the way the search script does.
func terms(q string) []string {
	return strings.Fields(strings.ToLower(q))
}

// matches is the search rule shared with static/errors.js: every term
// occurs in the row's search text.
func matches(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

func (p *Pages) entryPage(e *catalog.Entry, aliases []catalog.Alias) ui.ErrorEntryPage {
	page := ui.ErrorEntryPage{
		Name: string(e.Name), Title: e.Title, Code: e.Error, Status: e.Status,
		Description: Split(e.Description),
		Causes:      e.Causes, ClientFix: e.ClientFix, OperatorFix: e.OperatorFix,
		Spec: e.Spec, SpecURL: e.SpecURL, Page: e.Page,
		URI:      catalog.New(e.Name).URI(p.issuer),
		IndexURL: PathIndex, JSONURL: PathJSON,
	}
	for _, ep := range e.Endpoints {
		page.Endpoints = append(page.Endpoints, ui.ErrorEndpoint{Title: ep.Title(), URL: PathIndex + "#" + string(ep), How: ep.How()})
	}
	for _, a := range aliases {
		page.Aliases = append(page.Aliases, ui.ErrorAlias{Code: a.Code, Source: a.Source, Meaning: a.Note()})
	}
	return page
}

// Split cuts a description template into text and {placeholder} parts. A
// brace that does not open a well-formed placeholder stays text.
func Split(tmpl string) []ui.TemplatePart {
	var out []ui.TemplatePart
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && !out[n-1].Placeholder {
			out[n-1].Text += s
			return
		}
		out = append(out, ui.TemplatePart{Text: s})
	}
	for tmpl != "" {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			text(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			text(tmpl)
			break
		}
		key := tmpl[i+1 : i+j]
		if !placeholderKey(key) {
			text(tmpl[:i+1])
			tmpl = tmpl[i+1:]
			continue
		}
		text(tmpl[:i])
		out = append(out, ui.TemplatePart{Text: key, Placeholder: true})
		tmpl = tmpl[i+j+1:]
	}
	return out
}

// placeholderKey admits the keys catalog.New is called with: snake_case.
func placeholderKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (p *Pages) handleIndex(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxQuery {
		q = strings.ToValidUTF8(q[:maxQuery], "")
	}
	want := terms(q)
	page := ui.ErrorsIndexPage{
		Action: PathIndex, JSONURL: PathJSON, Query: q, Count: p.count,
		Groups: make([]ui.ErrorGroup, len(p.groups)), Aliases: make([]ui.ErrorAlias, len(p.aliases)),
	}
	seen := map[string]bool{}
	shown := 0
	for i, g := range p.groups {
		rows := make([]ui.ErrorRow, len(g.Entries))
		g.Hidden = true
		for j, row := range g.Entries {
			row.Hidden = !matches(row.Search, want)
			if !row.Hidden {
				g.Hidden = false
				seen[row.Name] = true
				shown++
			}
			rows[j] = row
		}
		g.Entries = rows
		page.Groups[i] = g
	}
	page.AliasesHidden = true
	for i, a := range p.aliases {
		a.Hidden = !matches(a.Search, want)
		if !a.Hidden {
			page.AliasesHidden = false
			shown++
		}
		page.Aliases[i] = a
	}
	page.Matches = len(seen)
	page.Empty = shown == 0
	p.ui.ErrorsIndex(w, http.StatusOK, page)
}

func (p *Pages) handleEntry(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "" {
		http.Redirect(w, r, PathIndex, http.StatusMovedPermanently)
		return
	}
	if page, ok := p.entries[catalog.Name(name)]; ok {
		p.ui.ErrorsEntry(w, http.StatusOK, page)
		return
	}
	// Names are lower case; a link typed with capitals finds its entry.
	if lower := strings.ToLower(name); lower != name {
		if _, ok := p.entries[catalog.Name(lower)]; ok {
			http.Redirect(w, r, EntryPath(catalog.Name(lower)), http.StatusMovedPermanently)
			return
		}
	}
	p.notFound(w, r, name)
}

// NotFound answers a path nothing else serves with the page_not_found
// page, so a mistyped URL still gets a trace id and a way on.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) { p.notFound(w, r, "") }

// notFound answers an unknown entry with the page_not_found page, and
// points to the entries a pasted code (an RFC error, another provider's
// code) stands for.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, name string) {
	ctx := r.Context()
	e := catalog.New(catalog.PageNotFound, "path", r.URL.Path)
	traceID := trace.ID(ctx)
	p.failures.Record(r, catalog.Other, "", e, p.now())
	page := ui.ErrorPage{
		Status: e.Status(), Title: e.Entry.Title, Description: e.Text(),
		Name: string(e.Name()), Code: e.Code(), TraceID: traceID,
		DocURL: e.URI(p.issuer), Causes: e.Entry.Causes, Fixes: e.Entry.ClientFix,
		BrowseURL: PathIndex,
	}
	if len(name) <= maxQuery {
		_, related := catalog.Explain(name)
		for _, re := range related {
			page.Related = append(page.Related, ui.Link{Text: string(re.Name), URL: EntryPath(re.Name), Note: re.Title})
		}
	}
	p.ui.Error(w, e.Status(), page)
}

func (p *Pages) handleJSON(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if p.jsonErr != nil {
		p.log.ErrorContext(r.Context(), "rendering the catalog as JSON", "trace_id", trace.ID(r.Context()), "err", p.jsonErr)
		catalog.New(catalog.ServerError).Wrap(p.jsonErr).WriteJSON(w, p.issuer, trace.ID(r.Context()), p.now())
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(jsonMaxAge/time.Second)))
	h.Set("ETag", p.jsonETag)
	// Public reference data: dashboards and tools on other origins may read it.
	h.Set("Access-Control-Allow-Origin", "*")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, p.jsonETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(p.json)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.json)
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
