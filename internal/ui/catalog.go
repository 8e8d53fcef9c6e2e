package ui

import "net/http"

// Link is a hyperlink with an optional note after it.
type Link struct {
	Text string
	URL  string
	Note string
}

// ErrorsIndexPage is the error catalog's index at /errors. The search box
// filters rows in the browser (the errors.js asset); the server renders the
// same filter for ?q=, so a browser without JavaScript gets it too.
type ErrorsIndexPage struct {
	Action  string // where the search form sends q, the index itself
	JSONURL string // the catalog as JSON
	Query   string
	Count   int // entries in the catalog
	Matches int // entries that match Query; Count when Query is empty
	Groups  []ErrorGroup
	// Aliases are codes from other providers and specifications.
	Aliases       []ErrorAlias
	AliasesHidden bool // no alias matches the search
	Empty         bool // nothing at all matches the search
}

// ErrorGroup is the entries that can occur at one endpoint.
type ErrorGroup struct {
	ID      string // anchor, the endpoint's name
	Title   string
	How     string // how errors there reach the caller
	Entries []ErrorRow
	Hidden  bool // no row matches the search
}

// ErrorRow is one entry in the index.
type ErrorRow struct {
	Name   string
	Title  string
	Code   string // RFC error code; may be empty
	Status int
	URL    string
	Search string // lower-case text the search terms are matched against
	Hidden bool
}

// ErrorAlias is a code from another provider or a specification and the
// entries it corresponds to.
type ErrorAlias struct {
	Code    string
	Source  string
	Meaning string
	Entries []Link
	Search  string
	Hidden  bool
}

// TemplatePart is a piece of a description template: literal text, or the
// name of a placeholder filled in from the failing request.
type TemplatePart struct {
	Text        string
	Placeholder bool
}

// ErrorEndpoint is an endpoint where an entry can occur.
type ErrorEndpoint struct {
	Title string
	URL   string // its group on the index
	How   string
}

// ErrorEntryPage is one catalog entry at /errors/{name}.
type ErrorEntryPage struct {
	Name        string
	Title       string
	Code        string // RFC error code; may be empty
	Status      int
	Description []TemplatePart
	Causes      []string
	ClientFix   []string
	OperatorFix []string
	Spec        string
	SpecURL     string
	Endpoints   []ErrorEndpoint
	Page        bool   // shown to the person rather than sent to the client
	URI         string // the error_uri clients receive
	Aliases     []ErrorAlias
	IndexURL    string
	JSONURL     string
}

// ErrorsIndex renders the catalog's index with its search script.
func (r *Renderer) ErrorsIndex(w http.ResponseWriter, status int, p ErrorsIndexPage) {
	r.render(w, status, "errors_index", msg{id: "Error catalog"}, p, policy{asset: r.searchURL, formAction: "'self'", wide: true, english: true})
}

// ErrorsEntry renders one catalog entry.
func (r *Renderer) ErrorsEntry(w http.ResponseWriter, status int, p ErrorEntryPage) {
	v := errorEntryView{ErrorEntryPage: p, StatusText: statusText(p.Status)}
	for _, part := range p.Description {
		v.HasPlaceholders = v.HasPlaceholders || part.Placeholder
	}
	r.render(w, status, "errors_entry", msg{id: p.Title + " (" + p.Name + ")"}, v, policy{formAction: "'none'", doc: true, english: true})
}

type errorEntryView struct {
	ErrorEntryPage
	StatusText      string
	HasPlaceholders bool
}
