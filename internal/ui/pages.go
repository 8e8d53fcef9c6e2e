package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Field is one name/value pair: a hidden form input, or a row of a table.
type Field struct {
	Name  string
	Value string
}

// Scope is one requested scope as the consent page lists it.
type Scope struct {
	Name        string
	Title       string
	Description string
	// API names the API that defines the scope (APIScopeText), for the
	// page to say Title and Description in the person's language.
	API string
}

// SignInPage is the sign-in form.
type SignInPage struct {
	ClientName  string
	Action      string // form POST URL
	CSRF        string
	Interaction string
	Username    string // prefill, e.g. from login_hint
	Error       string // announced with role=alert
	// ErrorValues are the catalog error's values (catalog.Error.Values),
	// for the person-facing message in the page's language.
	ErrorValues map[string]string
	// ErrorName and Reference identify a failed attempt for the person to
	// report: the catalog entry and the trace id its story is kept under.
	ErrorName    string
	Reference    string
	Notice       string
	CancelAction string // when set, a Cancel button posts cancel=1 here
	// RedirectTo is the client's redirect URI when known. Its origin is added
	// to form-action, because a successful sign-in may be answered by a
	// redirect to the client; when empty, form-action is not restricted.
	RedirectTo string
	// ForgotURL and SignupURL link to password reset and sign-up when
	// they are on ("" hides the link).
	ForgotURL string
	SignupURL string
	// Upstreams are the other identity providers to sign in with, each a
	// button posting to its Action.
	Upstreams []UpstreamButton
	// LinkAs, when set, names the account signed in on this browser: the
	// page then also offers to link each upstream to it.
	LinkAs string
	// Passkey, when set, offers signing in with a passkey (factors.go).
	Passkey *PasskeyForm
}

// UpstreamButton is one upstream identity provider on the sign-in page.
type UpstreamButton struct {
	ID     string
	Name   string
	Action string
}

// ConsentPage asks the person to let a client act for them.
type ConsentPage struct {
	ClientName string
	ClientID   string
	UserName   string
	Scopes     []Scope
	// Details are the request's authorization details (RFC 9396), each
	// in plain words.
	Details     []Detail
	Action      string
	CSRF        string
	Interaction string
	RedirectTo  string // as in SignInPage
	// RedirectHost is where the decision sends the person: the redirect
	// URI's host (or scheme, for an app's private-use scheme), which no
	// other client can register as its own, unlike a name.
	RedirectHost string
	// Unverified marks a client that registered itself (dynamic
	// registration): its name is whatever its registrant chose.
	Unverified bool
}

// LogoutPage asks the person to confirm signing out.
type LogoutPage struct {
	ClientName string // may be empty
	Action     string
	CSRF       string
	Hidden     []Field // passed through as hidden inputs
	RedirectTo string  // the post_logout_redirect_uri, as in SignInPage
}

// LoggedOutPage confirms the session has ended.
type LoggedOutPage struct {
	ClientName string
	ReturnURL  string // may be empty
	// StillSignedIn: the person declined to sign out.
	StillSignedIn bool
	// Frames are the front-channel logout URLs of the session's clients
	// (OpenID Front-Channel Logout 1.0), each loaded in a hidden iframe;
	// the page's frame-src allows exactly their origins.
	Frames []string
}

// ErrorPage is the human form of a catalog error.
type ErrorPage struct {
	Status      int
	Title       string
	Description string
	Name        string // catalog entry name
	Code        string // RFC error code
	TraceID     string
	DocURL      string // the entry's page, /errors/{name}
	Causes      []string
	Fixes       []string
	RestartURL  string // optional
	ClientName  string // optional: the application the person came from
	// Values are the error's values, for its person-facing message.
	Values map[string]string
	// Related lists catalog entries the person may have meant, for a
	// missing catalog page; BrowseURL is the catalog's index.
	Related   []Link
	BrowseURL string
}

// FormPostPage delivers an authorization response with response_mode=form_post.
type FormPostPage struct {
	Action string
	Params []Field
}

// DemoPage is a page of the demo relying party at /demo: the start page
// when Error and Result are nil.
type DemoPage struct {
	Issuer      string
	ClientID    string
	RedirectURL string
	Scopes      []string
	LoginURL    string // starts a sign-in
	Hint        string // e.g. the demo user's credentials
	Notice      string
	Error       *DemoError
	Result      *DemoResult
}

// DemoError is a failed sign-in as the demo client saw it.
type DemoError struct {
	// FromLucid is true for an error response Lucid sent; false for a
	// problem the demo client found itself (state, ID token checks…).
	FromLucid   bool
	Title       string
	Error       string // RFC error code
	Description string
	Code        string // Lucid's error_code (catalog name)
	TraceID     string
	URI         string // error_uri, shown as a link; only Lucid's own pages
	Detail      string
}

// DemoResult is what a successful sign-in produced.
type DemoResult struct {
	Subject       string
	Name          string
	Email         string
	IDTokenHeader string  // pretty-printed JSON
	IDTokenClaims string  // pretty-printed JSON
	Times         []Field // time claims in readable form
	UserInfo      string  // pretty-printed JSON
	UserInfoError string
	Token         []Field // token response fields, tokens truncated
	Checks        []string
	SignOutURL    string
	AgainURL      string
}

// SignIn renders the sign-in page.
func (r *Renderer) SignIn(w http.ResponseWriter, status int, p SignInPage) {
	p.ClientName = r.clientName(w, p.ClientName)
	title := msg{id: "title.signin"}
	if p.ClientName != "" {
		title = msg{"title.signin_client", []any{"Client", p.ClientName}}
	}
	pol := r.passkeyPolicy(p.Passkey)
	pol.formAction = formTargets(p.RedirectTo)
	r.render(w, status, "signin", title, p, pol)
}

// Consent renders the consent page.
func (r *Renderer) Consent(w http.ResponseWriter, status int, p ConsentPage) {
	p.ClientName = r.clientName(w, p.ClientName)
	r.render(w, status, "consent", msg{"title.consent", []any{"Client", p.ClientName}}, p, policy{formAction: formTargets(p.RedirectTo)})
}

// LogoutConfirm renders the "sign out?" question.
func (r *Renderer) LogoutConfirm(w http.ResponseWriter, status int, p LogoutPage) {
	r.render(w, status, "logout", msg{id: "title.logout"}, p, policy{formAction: formTargets(p.RedirectTo)})
}

// LoggedOut renders the page shown after signing out.
func (r *Renderer) LoggedOut(w http.ResponseWriter, status int, p LoggedOutPage) {
	pol := policy{formAction: "'none'"}
	var frames []string
	for _, f := range p.Frames {
		src, ok := cspSource(f)
		if !ok || src == "'self'" || strings.HasSuffix(src, ":") {
			continue // only absolute http(s) URLs are framed
		}
		frames = append(frames, f)
		if !slices.Contains(pol.frameSrc, src) {
			pol.frameSrc = append(pol.frameSrc, src)
		}
	}
	p.Frames = frames
	r.render(w, status, "loggedout", msg{id: "title.loggedout"}, p, pol)
}

// Error renders the human error page.
func (r *Renderer) Error(w http.ResponseWriter, status int, p ErrorPage) {
	if p.Status == 0 {
		p.Status = status
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.ClientName = r.clientName(w, p.ClientName)
	// The catalog's texts call the server Lucid; on a person's page it is
	// the operator's product.
	if name := r.view.ProductName; name != DefaultProductName {
		brand := func(t string) string { return strings.ReplaceAll(t, DefaultProductName, name) }
		p.Title, p.Description = brand(p.Title), brand(p.Description)
		p.Causes, p.Fixes = slices.Clone(p.Causes), slices.Clone(p.Fixes)
		for i := range p.Causes {
			p.Causes[i] = brand(p.Causes[i])
		}
		for i := range p.Fixes {
			p.Fixes[i] = brand(p.Fixes[i])
		}
	}
	r.render(w, status, "error", msg{id: p.Title}, errorView{ErrorPage: p, StatusText: statusText(p.Status)}, policy{formAction: "'none'"})
}

type errorView struct {
	ErrorPage
	StatusText string
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}

// FormPost renders the auto-submitting form of response_mode=form_post
// (OAuth 2.0 Form Post Response Mode). A nonce-bound script submits it; the
// visible Continue button serves browsers without JavaScript.
func (r *Renderer) FormPost(w http.ResponseWriter, p FormPostPage) {
	pol := policy{script: true, formAction: "'none'"}
	if src, ok := cspSource(p.Action); ok {
		pol.formAction = src
	}
	r.render(w, http.StatusOK, "formpost", msg{id: "title.formpost"}, p, pol)
}

// Demo renders a page of the demo client.
func (r *Renderer) Demo(w http.ResponseWriter, status int, p DemoPage) {
	title := "Demo"
	switch {
	case p.Result != nil:
		title = "Demo: signed in"
	case p.Error != nil:
		title = "Demo: sign-in failed"
	}
	r.render(w, status, "demo", msg{id: title}, p, policy{formAction: "'none'", wide: p.Result != nil, english: true})
}
