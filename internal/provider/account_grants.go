package provider

import (
	"context"
	"errors"
	"net/http"
	"sort"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The sessions, applications and linked identities of the account page.
// Signing a session out, withdrawing an application and unlinking an
// identity are manage's operations, the ones an operator uses: back-channel
// logout for the session's clients, the consent deleted and the client's
// refresh-token families for the person revoked.

// accountGrants fills the sessions, applications and identities.
func (p *Provider) accountGrants(ctx context.Context, page *ui.AccountPage, v accountVisit) error {
	u := v.user
	now := p.now()
	sessions, err := p.store.ListSessionsFor(ctx, u.ID)
	if err != nil {
		return err
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].CreatedAt.After(sessions[j].CreatedAt) })
	for _, s := range sessions {
		if !now.Before(s.ExpiresAt) {
			continue
		}
		page.Sessions = append(page.Sessions, ui.AccountSession{
			ID: s.ID, Created: accountTime(s.CreatedAt), AuthTime: accountTime(s.AuthTime), Expires: accountTime(s.ExpiresAt),
			AMR: methodsOf(s.AMR), Current: s.ID == v.sess.ID,
		})
	}
	consents, err := p.store.ListConsents(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, c := range consents {
		name := c.ClientID
		if cl, err := p.store.GetClient(ctx, c.ClientID); err == nil {
			name = clientName(cl)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		app := ui.AccountApplication{ClientID: c.ClientID, Name: name, Since: accountTime(c.GrantedAt)}
		for _, s := range c.Scopes {
			title, desc := ui.ScopeText(s)
			app.Scopes = append(app.Scopes, ui.Scope{Name: s, Title: title, Description: desc})
		}
		page.Applications = append(page.Applications, app)
	}
	links, err := p.store.ListIdentityLinks(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, l := range links {
		name := l.UpstreamID
		if c, ok := p.upstreams.Get(l.UpstreamID); ok {
			name = c.Name()
		}
		page.Identities = append(page.Identities, ui.AccountIdentity{
			UpstreamID: l.UpstreamID, UpstreamName: name, Subject: l.Subject, Email: l.Email,
			Since: accountTime(l.CreatedAt), LastUsed: accountTime(l.LastUsedAt),
		})
	}
	return p.accountActivity(ctx, page, u.ID)
}

// accountEndSession signs one of the person's sessions out.
func (p *Provider) accountEndSession(w http.ResponseWriter, r *http.Request, v accountVisit) {
	id := r.PostForm.Get("session")
	switch err := p.manage.EndSession(r.Context(), v.user.ID, id); {
	case errors.Is(err, store.ErrNotFound):
		p.accountRefused(w, r, v, catalog.New(catalog.AccountSessionUnknown).Internal("session_id", catalog.Clip(id, 64)))
		return
	case err != nil:
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	accountDone(w, r, "session", "sessions")
}

// accountWithdraw withdraws an application's access: its consent, and
// every refresh-token family it holds for the person.
func (p *Provider) accountWithdraw(w http.ResponseWriter, r *http.Request, v accountVisit) {
	clientID := r.PostForm.Get("client")
	err := p.manage.WithdrawConsent(r.Context(), v.user.ID, clientID)
	var ce *catalog.Error
	switch {
	case errors.As(err, &ce) && ce.Name() == catalog.AdminNotFound:
		p.accountRefused(w, r, v, catalog.New(catalog.AccountApplicationUnknown, "client_id", catalog.Clip(clientID, 64)))
		return
	case err != nil:
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	accountDone(w, r, "withdrawn", "applications")
}

// accountUnlink unlinks an upstream identity, unless it is the only way
// left to sign in: an account without a password of its own (an upstream
// sign-in's account) keeps its last link while it has no passkey.
func (p *Provider) accountUnlink(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	upstreamID, subject := r.PostForm.Get("upstream"), r.PostForm.Get("subject")
	name := upstreamID
	if c, ok := p.upstreams.Get(upstreamID); ok {
		name = c.Name()
	}
	links, err := p.store.ListIdentityLinks(ctx, v.user.ID)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	found := false
	for _, l := range links {
		found = found || l.UpstreamID == upstreamID && l.Subject == subject
	}
	if !found {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountIdentityUnknown, "upstream", catalog.Clip(name, 64)))
		return
	}
	if v.user.PasswordUnset && len(links) == 1 {
		keys := 0
		if p.webauthn != nil {
			l, err := p.store.ListPasskeys(ctx, v.user.ID)
			if err != nil {
				p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
				return
			}
			keys = len(l)
		}
		if keys == 0 {
			p.accountRefused(w, r, v, catalog.New(catalog.AccountIdentityLastSignIn, "upstream", name))
			return
		}
	}
	err = p.manage.Unlink(ctx, v.user.ID, upstreamID, subject)
	var ce *catalog.Error
	switch {
	case errors.As(err, &ce) && ce.Name() == catalog.AdminNotFound:
		p.accountRefused(w, r, v, catalog.New(catalog.AccountIdentityUnknown, "upstream", catalog.Clip(name, 64)))
		return
	case err != nil:
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	accountDone(w, r, "unlinked", "identities")
}

// accountActivity fills the recent sign-ins.
func (p *Provider) accountActivity(ctx context.Context, page *ui.AccountPage, userID string) error {
	events, err := p.store.ListSignIns(ctx, userID, signInsKept)
	if err != nil {
		return err
	}
	for _, e := range events {
		page.Activity = append(page.Activity, ui.AccountEvent{
			Time: accountTime(e.At), Network: e.Network, Via: e.Via, AMR: e.AMR, OK: e.OK, Failure: e.Failure,
		})
	}
	return nil
}

// signInsKept is how many sign-ins of each person are kept and shown.
const signInsKept = 20

// recordSignIn notes a sign-in attempt of a known account for its
// account page: a success with the amr proven, or a failure with its
// entry. via is where it came from (a client's or an upstream's name).
// A store failure is logged, never the sign-in's.
func (p *Provider) recordSignIn(r *http.Request, userID, via string, amr []string, failed *catalog.Error) {
	if userID == "" {
		return
	}
	e := &store.SignInEvent{UserID: userID, At: p.now(), Via: catalog.Clip(via, 100), AMR: amr, OK: failed == nil}
	if network, ok := throttle.Network(r.RemoteAddr); ok {
		e.Network = network.String()
		if network.IsSingleIP() {
			e.Network = network.Addr().String()
		}
	}
	if failed != nil {
		e.Failure = string(failed.Name())
	}
	if err := p.store.RecordSignIn(r.Context(), e, signInsKept); err != nil {
		p.log.WarnContext(r.Context(), "could not record a sign-in for the account page", "err", err)
	}
}

// failedUser is the account a failed sign-in attempt was of, from the
// failure's record; "" for an unknown name.
func failedUser(e *catalog.Error) string {
	for _, kv := range e.InternalValues() {
		if kv[0] == "user_id" {
			return kv[1]
		}
	}
	return ""
}

// signInVia is how a sign-in for client is listed: the client's name, or
// nothing for the account page's own.
func signInVia(c *store.Client) string {
	if c.ID == accountClientID {
		return ""
	}
	return clientName(c)
}
