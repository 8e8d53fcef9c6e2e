package provider

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/ui"
	"github.com/lucid-auth/lucid/internal/upstream"
)

// Sign-in through upstream identity providers (internal/upstream). The
// sign-in page posts to /upstream/{id}/start, which sends the browser to
// the upstream with a state that names the authorization request and a
// random part; only the state's hash is stored on the request, and its
// nonce and PKCE verifier are derived from it with the master key. The
// upstream sends the browser back to /upstream/{id}/callback; the state
// is spent there by one conditional update of the request, so an answer
// is used once, by the browser that started it.

// Upstream paths.
const (
	PathUpstreamStart    = "/upstream/{id}/start"
	PathUpstreamCallback = "/upstream/{id}/callback"
)

func upstreamStartPath(id string) string { return "/upstream/" + url.PathEscape(id) + "/start" }

// upstreamButtons lists the enabled upstreams for the sign-in page.
func (p *Provider) upstreamButtons() []ui.UpstreamButton {
	var out []ui.UpstreamButton
	for _, c := range p.upstreams.All() {
		out = append(out, ui.UpstreamButton{ID: c.ID(), Name: c.Name(), Action: upstreamStartPath(c.ID())})
	}
	return out
}

// upstreamSecrets derives a sign-in's nonce and PKCE verifier from its
// state: nothing secret is stored, and only the holder of the state (the
// browser, then the upstream's redirect) and Lucid can compute them.
func (p *Provider) upstreamSecrets(state string) upstream.Start {
	return upstream.Start{State: state, Nonce: p.secrets.Tag("upstream nonce", state), Verifier: p.secrets.Tag("upstream pkce", state)}
}

func (p *Provider) handleUpstreamStart(w http.ResponseWriter, r *http.Request) {
	conn, ok := p.upstreams.Get(r.PathValue("id"))
	if !ok {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.UpstreamUnknown, "upstream", catalog.Clip(r.PathValue("id"), 40)))
		return
	}
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	link := ""
	if r.PostForm.Get("link") != "" {
		sess, _, err := p.currentSession(r.Context(), r)
		if err != nil {
			p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
			return
		}
		if sess == nil {
			p.upstreamFailed(w, r, ar, client, catalog.New(catalog.UpstreamLinkNoSession, "upstream", conn.Name()).Internal("at", "start"))
			return
		}
		link = sess.ID
	}
	p.startUpstream(w, r, ar, client, conn, link)
}

// startUpstream records the pending sign-in on the request and sends the
// browser to the upstream.
func (p *Provider) startUpstream(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, conn *upstream.Connector, linkSession string) {
	ctx := r.Context()
	state := ar.ID + "." + secret.Token(24)
	st := p.upstreamSecrets(state)
	dest, e := conn.AuthURL(ctx, st, upstream.Extras{Prompt: ar.Prompt, MaxAge: ar.MaxAge, LoginHint: ar.LoginHint})
	if e != nil {
		p.upstreamFailed(w, r, ar, client, e)
		return
	}
	if _, err := p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		a.Upstream = &store.UpstreamPending{ID: conn.ID(), StateHash: secret.Hash(state), LinkSession: linkSession}
		return nil
	}); err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	http.Redirect(w, r, dest, http.StatusFound)
}

// routeByHint sends a request whose login_hint is an address at a domain
// an upstream claims (its `domains`) straight to that upstream.
func (p *Provider) routeByHint(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client) bool {
	if ar.LoginHint == "" || ar.Upstream != nil {
		return false
	}
	conn, ok := p.upstreams.ForEmail(ar.LoginHint)
	if !ok {
		return false
	}
	p.startUpstream(w, r, ar, client, conn, "")
	return true
}

var errStateSpent = errors.New("no upstream sign-in with this state is pending")

func (p *Provider) handleUpstreamCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	conn, ok := p.upstreams.Get(id)
	if !ok {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.UpstreamUnknown, "upstream", catalog.Clip(id, 40)))
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	arID, _, found := strings.Cut(state, ".")
	if !found || arID == "" {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.UpstreamStateInvalid, "upstream", conn.ID(), "reason", "the state is missing or malformed"))
		return
	}
	ar, client, _, ok := p.interaction(w, r, arID)
	if !ok {
		return
	}
	// Spend the state: one conditional update, so a replayed answer finds
	// nothing pending.
	var pending store.UpstreamPending
	_, err := p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		if a.Upstream == nil || a.Upstream.ID != conn.ID() || subtle.ConstantTimeCompare([]byte(a.Upstream.StateHash), []byte(secret.Hash(state))) != 1 {
			return errStateSpent
		}
		pending, a.Upstream = *a.Upstream, nil
		return nil
	})
	switch {
	case errors.Is(err, errStateSpent):
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.UpstreamStateInvalid, "upstream", conn.ID(),
			"reason", "it is not the state of the sign-in this browser has under way, or was used already"))
		return
	case err != nil:
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	if code := q.Get("error"); code != "" {
		desc := catalog.Clip(q.Get("error_description"), 300)
		name := catalog.UpstreamAuthorizationError
		// The upstream's access_denied is the person's (or its policy's)
		// refusal, named as the catalog names its own.
		if denied, _ := catalog.Lookup(catalog.UpstreamAccessDenied); code == denied.Error {
			name = catalog.UpstreamAccessDenied
		}
		shown := desc
		if shown == "" {
			shown = "no description"
		}
		e := catalog.New(name, "upstream", conn.Name(), "upstream_error", catalog.Clip(code, 60), "upstream_description", shown).
			Internal("upstream_id", conn.ID(), "upstream_error", code, "upstream_error_description", desc, "upstream_error_uri", q.Get("error_uri"))
		if aad, a, ok := catalog.EntraCode(desc); ok {
			e.Internal("aadsts", aad, "aadsts_meaning", a.Summary())
		}
		p.upstreamFailed(w, r, ar, client, e)
		return
	}
	code := q.Get("code")
	if code == "" {
		p.upstreamFailed(w, r, ar, client, catalog.New(catalog.UpstreamCallbackInvalid, "upstream", conn.Name()))
		return
	}
	st := p.upstreamSecrets(state)
	ident, e := conn.Exchange(ctx, code, st.Verifier, st.Nonce)
	if e == nil {
		e = conn.Check(ident)
	}
	if e != nil {
		p.upstreamFailed(w, r, ar, client, e)
		return
	}
	user, sess, e := p.completeUpstreamSignIn(ctx, w, r, conn, ident, pending.LinkSession)
	if e != nil {
		if e.Status() >= 500 && e.Name() == catalog.StorageUnavailable {
			p.failPage(w, r, catalog.SignIn, client.ID, e)
			return
		}
		p.upstreamFailed(w, r, ar, client, e)
		return
	}
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		a.UserID, a.SessionID, a.AuthTime, a.AMR = user.ID, sess.ID, sess.AuthTime, sess.AMR
		return nil
	})
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	p.consentStep(w, r, ar, client, user, true)
}

// upstreamFailed shows a failed upstream sign-in on the sign-in page,
// where the person can choose another way, with the reference to report.
// The story is kept in full (the person was given its trace id) while the
// network is within its allowance of failed sign-ins, which it uses.
func (p *Provider) upstreamFailed(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, e *catalog.Error) {
	network, counted := throttle.Network(r.RemoteAddr)
	full := false
	if counted && p.signIns != nil {
		_, wait := p.signIns.Take(network, p.now())
		full = wait == 0
	}
	if full {
		p.failures.RecordInFull(r, catalog.SignIn, client.ID, e, p.now())
	} else {
		p.record(r, catalog.SignIn, client.ID, e)
	}
	p.showSignIn(w, r, ar, client, ar.Browser, "", e)
}

var usernameChars = regexp.MustCompile(`[^a-z0-9._@-]+`)

// completeUpstreamSignIn turns a verified upstream identity into a Lucid
// session: its account (linkedAccount), then the session.
//
// The session's amr is what the upstream reported in its own amr claim,
// passed through; Lucid adds none of its own, since RFC 8176 registers no
// value for "signed in at another provider" and Lucid did not see how.
func (p *Provider) completeUpstreamSignIn(ctx context.Context, w http.ResponseWriter, r *http.Request, conn *upstream.Connector, id *upstream.Identity, linkSession string) (*store.User, *store.Session, *catalog.Error) {
	user, e := p.linkedAccount(ctx, r, conn, id, linkSession)
	if e != nil {
		return nil, nil, e
	}
	sess, err := p.startSession(ctx, w, user, id.AMR)
	if err != nil {
		return nil, nil, failure.FromStore(err)
	}
	p.recordSignIn(r, user.ID, conn.Name(), sess.AMR, nil)
	return user, sess, nil
}

// identitySource is where a verified identity comes from: an upstream
// provider (upstream.Connector) or a directory (ldap.Directory). Links,
// blocks and accounts made just in time are keyed by its id and issuer.
type identitySource interface {
	ID() string
	Name() string
	Issuer() string
	Provisioning() bool
}

// linkedAccount is the account of a verified identity of conn: the
// subject's block, then its link (or a new link to the account of
// linkSession, or a new account just in time), with its groups brought
// up to date. Upstream sign-ins and directory sign-ins both go through it.
func (p *Provider) linkedAccount(ctx context.Context, r *http.Request, conn identitySource, id *upstream.Identity, linkSession string) (*store.User, *catalog.Error) {
	who := []any{"upstream_id", conn.ID(), "subject", catalog.Clip(id.Subject, 100)}
	if _, err := p.store.GetSubjectBlock(ctx, conn.ID(), id.Subject); err == nil {
		return nil, catalog.New(catalog.UpstreamSubjectBlocked, "upstream", conn.Name()).Internal(who...)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, failure.FromStore(err)
	}
	link, err := p.store.GetIdentityLink(ctx, conn.ID(), conn.Issuer(), id.Subject)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, failure.FromStore(err)
	}
	var user *store.User
	switch {
	case linkSession != "":
		// Linking: only to the account that is signed in on this browser
		// now, by the session that started the linking.
		sess, u, err := p.currentSession(ctx, r)
		if err != nil {
			return nil, failure.FromStore(err)
		}
		if sess == nil || sess.ID != linkSession {
			return nil, catalog.New(catalog.UpstreamLinkNoSession, "upstream", conn.Name()).Internal(who...).Internal("at", "callback")
		}
		if link != nil && link.UserID != u.ID {
			return nil, catalog.New(catalog.UpstreamLinkTaken, "upstream", conn.Name()).Internal(who...).Internal("linked_to", link.UserID, "signed_in", u.ID)
		}
		if link == nil {
			err := p.store.LinkIdentity(ctx, &store.IdentityLink{UpstreamID: conn.ID(), Issuer: conn.Issuer(), Subject: id.Subject,
				UserID: u.ID, Email: id.Email, CreatedAt: p.now()})
			if errors.Is(err, store.ErrConflict) {
				return nil, catalog.New(catalog.UpstreamLinkTaken, "upstream", conn.Name()).Internal(who...).Internal("reason", "linked meanwhile")
			}
			if err != nil {
				return nil, failure.FromStore(err)
			}
		}
		user = u
	case link != nil:
		u, err := p.store.GetUser(ctx, link.UserID)
		if err != nil {
			return nil, failure.FromStore(err)
		}
		if u.Disabled {
			return nil, catalog.New(catalog.UpstreamAccountDisabled, "upstream", conn.Name()).Internal(who...).Internal("user_id", u.ID)
		}
		user = u
	case !conn.Provisioning():
		return nil, catalog.New(catalog.UpstreamSignUpDisabled, "upstream", conn.Name()).Internal(who...)
	default:
		u, e := p.provisionUser(ctx, conn, id)
		if e != nil {
			return nil, e.Internal(who...)
		}
		user = u
	}
	if !sameGroups(user.Groups, id.Mapped) {
		u, err := p.store.UpdateUser(ctx, user.ID, func(u *store.User) error {
			u.Groups, u.UpdatedAt = id.Mapped, p.now()
			return nil
		})
		if err != nil {
			return nil, failure.FromStore(err)
		}
		user = u
	}
	if err := p.store.TouchIdentityLink(ctx, conn.ID(), conn.Issuer(), id.Subject, p.now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.log.WarnContext(ctx, "could not record the use of an identity link", "err", err)
	}
	return user, nil
}

// provisionUser creates the account of an identity seen for the first
// time, with its link, in one write. Its e-mail is kept only when the
// upstream verified it, and an e-mail another account has is never a
// reason to join the two.
func (p *Provider) provisionUser(ctx context.Context, conn identitySource, id *upstream.Identity) (*store.User, *catalog.Error) {
	now := p.now()
	email := ""
	if id.EmailVerified {
		email = id.Email
	}
	base := usernameChars.ReplaceAllString(strings.ToLower(id.Username), "")
	if base == "" {
		base = conn.ID()
	}
	for attempt := range 3 {
		name := base
		if attempt > 0 {
			name = base + "-" + strings.ToLower(secret.Token(4))
		}
		u := &store.User{ID: secret.ID(16), Username: name, Email: email, EmailVerified: email != "", Name: id.Name,
			Groups: id.Mapped, PasswordHash: password.Dummy(), PasswordUnset: true, CreatedAt: now, UpdatedAt: now}
		link := &store.IdentityLink{UpstreamID: conn.ID(), Issuer: conn.Issuer(), Subject: id.Subject, UserID: u.ID, Email: id.Email, CreatedAt: now}
		err := p.store.ProvisionUser(ctx, u, link)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, failure.FromStore(err)
		}
		// Which key was taken? A concurrent first sign-in of the same
		// identity wins and is used; a taken e-mail is refused; a taken
		// username is tried again with a suffix.
		if l, err := p.store.GetIdentityLink(ctx, conn.ID(), conn.Issuer(), id.Subject); err == nil {
			existing, err := p.store.GetUser(ctx, l.UserID)
			if err != nil {
				return nil, failure.FromStore(err)
			}
			return existing, nil
		}
		if email != "" {
			if other, err := p.store.GetUserByUsername(ctx, email); err == nil && strings.EqualFold(other.Email, email) {
				return nil, catalog.New(catalog.UpstreamEmailTaken, "upstream", conn.Name()).Internal("existing_user", other.ID)
			}
		}
	}
	return nil, catalog.New(catalog.ServerError).Internal("reason", "no free username for a provisioned account")
}

func sameGroups(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
