package provider

import (
	"net/http"
	"net/url"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/logout"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/ui"
)

// handleLogout is the end_session_endpoint (OIDC RP-Initiated Logout 1.0).
// The person confirms unless the client proves, with an id_token_hint for
// the signed-in user, that it speaks for this session.
func (p *Provider) handleLogout(w http.ResponseWriter, r *http.Request) {
	params, ok := p.queryOrForm(w, r, catalog.EndSession)
	if !ok {
		return
	}
	ctx := r.Context()
	target, e := p.logoutTarget(r, params)
	if e != nil {
		p.failPage(w, r, catalog.EndSession, params.Get("client_id"), e)
		return
	}
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.EndSession, target.clientID(), failure.FromStore(err))
		return
	}
	confirmed := false
	if r.Method == http.MethodPost && params.Has("confirm") {
		browser := p.existingBrowser(r)
		if browser == "" || !p.csrfValid(browser, "logout", params.Get("csrf")) {
			p.failPage(w, r, catalog.EndSession, target.clientID(), catalog.New(catalog.CSRFTokenInvalid))
			return
		}
		if params.Get("confirm") != "yes" {
			p.afterLogout(w, r, target, params.Get("state"), false)
			return
		}
		confirmed = true
	}
	if sess != nil && !confirmed && !(target.hintSub != "" && target.hintSub == user.ID) {
		hidden := []ui.Field{}
		for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state"} {
			if v := params.Get(k); v != "" {
				hidden = append(hidden, ui.Field{Name: k, Value: v})
			}
		}
		name := ""
		if target.client != nil {
			name = clientName(target.client)
		}
		p.ui.LogoutConfirm(w, http.StatusOK, ui.LogoutPage{
			ClientName: name,
			Action:     PathLogout,
			CSRF:       p.csrfToken(p.browser(w, r), "logout"),
			Hidden:     hidden,
		})
		return
	}
	// The session's clients hear of its end: back-channel logouts are
	// enqueued before the session is deleted (a crash in between costs a
	// notification too many, never one too few), front-channel ones are
	// iframes of the page that follows.
	var parts []logout.Participant
	if sess != nil {
		var err error
		if parts, err = logout.Participants(ctx, p.store, sess.UserID, []string{sess.ID}); err == nil {
			err = logout.Notify(ctx, p.store, p.now(), parts)
		}
		if err != nil {
			p.failPage(w, r, catalog.EndSession, target.clientID(), failure.FromStore(err))
			return
		}
		p.wakeOutbox()
	}
	if err := p.endSession(ctx, w, r); err != nil {
		p.failPage(w, r, catalog.EndSession, target.clientID(), failure.FromStore(err))
		return
	}
	p.afterLogout(w, r, target, params.Get("state"), true, logout.Frames(p.issuer, parts)...)
}

type logoutTarget struct {
	client      *store.Client
	redirectURI string
	hintSub     string
}

func (t logoutTarget) clientID() string {
	if t.client == nil {
		return ""
	}
	return t.client.ID
}

// logoutTarget validates the hint, the client and the post-logout URI.
func (p *Provider) logoutTarget(r *http.Request, params url.Values) (logoutTarget, *catalog.Error) {
	var t logoutTarget
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state"} {
		if len(params[k]) > 1 {
			return t, catalog.New(catalog.ParameterDuplicated, "parameter", k)
		}
	}
	clientID := params.Get("client_id")
	if hint := params.Get("id_token_hint"); hint != "" {
		c, reason := p.parseIDTokenHint(hint)
		if reason != "" {
			return t, catalog.New(catalog.LogoutHintInvalid, "reason", reason)
		}
		auds := c.Audience
		if clientID != "" && !contains(auds, clientID) {
			return t, catalog.New(catalog.LogoutClientMismatch, "client_id", clientID)
		}
		if clientID == "" && len(auds) > 0 {
			clientID = auds[0]
		}
		t.hintSub = c.Subject
	}
	if clientID != "" {
		client, err := p.store.GetClient(r.Context(), clientID)
		if err == nil {
			t.client = client
		} else if !isNotFound(err) {
			return t, failure.FromStore(err)
		}
	}
	if uri := params.Get("post_logout_redirect_uri"); uri != "" {
		if t.client == nil || !contains(t.client.PostLogoutRedirectURIs, uri) {
			id := clientID
			if id == "" {
				id = "(none given: send client_id or id_token_hint)"
			}
			return t, catalog.New(catalog.PostLogoutURINotRegistered, "uri", uri, "client_id", id)
		}
		t.redirectURI = uri
	}
	return t, nil
}

// afterLogout returns the person to the client, or shows where they stand.
// With front-channel logout frames the page is shown either way, so that
// the browser loads them; the way back to the client is then a link.
func (p *Provider) afterLogout(w http.ResponseWriter, r *http.Request, t logoutTarget, state string, signedOut bool, frames ...string) {
	back := ""
	if t.redirectURI != "" {
		u, _ := url.Parse(t.redirectURI)
		if state != "" {
			q := u.Query()
			q.Set("state", state)
			u.RawQuery = q.Encode()
		}
		back = u.String()
		if len(frames) == 0 {
			http.Redirect(w, r, back, http.StatusFound)
			return
		}
	}
	name := ""
	if t.client != nil {
		name = clientName(t.client)
	}
	p.ui.LoggedOut(w, http.StatusOK, ui.LoggedOutPage{ClientName: name, StillSignedIn: !signedOut, ReturnURL: back, Frames: frames})
}
