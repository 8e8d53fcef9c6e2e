package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Two cookies: the browser cookie binds authorization requests and form
// tokens to one browser; the session cookie says who signed in. Under https
// they carry the __Host- prefix, which the browser enforces (Secure, Path=/,
// no Domain).
func (p *Provider) cookieName(base string) string {
	if p.secure {
		return "__Host-" + base
	}
	return base
}

const (
	browserCookie = "lucid_browser"
	sessionCookie = "lucid_session"
)

func (p *Provider) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	seconds := int(maxAge / time.Second)
	if maxAge < 0 {
		seconds = -1 // delete now
	}
	http.SetCookie(w, &http.Cookie{
		Name:     p.cookieName(name),
		Value:    value,
		Path:     "/",
		MaxAge:   seconds,
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func (p *Provider) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(p.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// browser returns the hash of this browser's cookie, setting a new cookie
// when there is none. The hash, not the value, is what gets stored.
func (p *Provider) browser(w http.ResponseWriter, r *http.Request) string {
	v := p.cookie(r, browserCookie)
	if v == "" {
		v = secret.Token(32)
		p.setCookie(w, browserCookie, v, 30*24*time.Hour)
	}
	return secret.Hash(v)
}

// existingBrowser is the hash of the browser cookie, or "" when absent.
func (p *Provider) existingBrowser(r *http.Request) string {
	v := p.cookie(r, browserCookie)
	if v == "" {
		return ""
	}
	return secret.Hash(v)
}

// csrfToken binds a form to this browser and one interaction.
func (p *Provider) csrfToken(browser, interaction string) string {
	return p.secrets.Tag("csrf", browser+"|"+interaction)
}

func (p *Provider) csrfValid(browser, interaction, token string) bool {
	return token != "" && p.secrets.TagMatches("csrf", browser+"|"+interaction, token)
}

// currentSession returns the signed-in session and its user, or nils when
// there is none, it expired, or the user can no longer sign in.
func (p *Provider) currentSession(ctx context.Context, r *http.Request) (*store.Session, *store.User, error) {
	v := p.cookie(r, sessionCookie)
	if v == "" {
		return nil, nil, nil
	}
	s, err := p.store.GetSession(ctx, secret.Hash(v))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !p.now().Before(s.ExpiresAt) {
		return nil, nil, nil
	}
	u, err := p.store.GetUser(ctx, s.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, nil
	}
	return s, u, nil
}

// startSession signs the user in on this browser.
func (p *Provider) startSession(ctx context.Context, w http.ResponseWriter, u *store.User, amr []string) (*store.Session, error) {
	now := p.now()
	v := secret.Token(32)
	s := &store.Session{
		Hash:      secret.Hash(v),
		ID:        secret.Token(16),
		UserID:    u.ID,
		AuthTime:  now.Truncate(time.Second),
		AMR:       amr,
		CreatedAt: now,
		ExpiresAt: now.Add(p.life.Session),
	}
	if err := p.store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	p.setCookie(w, sessionCookie, v, p.life.Session)
	return s, nil
}

// endSession signs this browser out.
func (p *Provider) endSession(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if v := p.cookie(r, sessionCookie); v != "" {
		if err := p.store.DeleteSession(ctx, secret.Hash(v)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	p.setCookie(w, sessionCookie, "", -1)
	return nil
}

// SignedIn is the browser's Lucid session and its user (nils when none,
// expired, or the user is disabled). The web console, a first-party page
// of this server, relies on it instead of a session of its own.
func (p *Provider) SignedIn(ctx context.Context, r *http.Request) (*store.Session, *store.User, error) {
	return p.currentSession(ctx, r)
}
