package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The account page: the signed-in person's profile, password, factors,
// sessions, applications, linked identities and recent sign-ins. It lives
// in the provider because it is made of the provider's parts: the session
// cookie, the authentication pipeline (a person without a session signs in
// through the ordinary sign-in pages, as a request of the built-in client
// accountClientID, and comes back here), the factor code of the sign-in
// setup (enrolTOTP, storePasskey, newRecoveryCodes) and the password
// check with its lockout. Changes to the account go through
// internal/manage, as the CLI's and the admin API's do. Every form carries
// a CSRF token bound to the browser and the person.

// Paths of the account page and its forms.
const (
	PathAccount = "/account"

	pathAccountProfile  = "/account/profile"
	pathAccountPassword = "/account/password"
	pathAccountTOTP     = "/account/totp"
	pathAccountTOTPOff  = "/account/totp/remove"
	pathAccountCodes    = "/account/recovery-codes"
	pathAccountPasskeys = "/account/passkeys"
	pathAccountRename   = "/account/passkeys/rename"
	pathAccountUnkey    = "/account/passkeys/remove"
	pathAccountSessions = "/account/sessions/end"
	pathAccountWithdraw = "/account/applications/withdraw"
	pathAccountUnlink   = "/account/identities/unlink"
)

// accountClientID is the client of the account page's own sign-ins. The
// colon keeps it apart from every registered client id (manage's
// checkClientID allows only URI-unreserved characters).
const accountClientID = "lucid:account"

// accountReauth is how recent a sign-in must be to set a password on an
// account that has none (nothing to ask for instead).
const accountReauth = 10 * time.Minute

// accountSetupLife bounds a TOTP setup started on the account page.
const accountSetupLife = 10 * time.Minute

// passkeyNameMax is the longest passkey name, in characters.
const passkeyNameMax = 64

func (p *Provider) registerAccount(mux *http.ServeMux) {
	if p.manage == nil {
		return
	}
	mux.HandleFunc("GET "+PathAccount, p.handleAccount)
	mux.HandleFunc("POST "+pathAccountProfile, p.accountForm(p.accountProfile))
	mux.HandleFunc("POST "+pathAccountPassword, p.accountForm(p.accountPassword))
	mux.HandleFunc("GET "+pathAccountTOTP, p.handleAccountTOTP)
	mux.HandleFunc("POST "+pathAccountTOTP, p.accountForm(p.accountTOTPConfirm))
	mux.HandleFunc("POST "+pathAccountTOTPOff, p.accountForm(p.accountTOTPRemove))
	mux.HandleFunc("POST "+pathAccountCodes, p.accountForm(p.accountRecoveryCodes))
	mux.HandleFunc("POST "+pathAccountPasskeys, p.accountForm(p.accountPasskeyAdd))
	mux.HandleFunc("POST "+pathAccountRename, p.accountForm(p.accountPasskeyRename))
	mux.HandleFunc("POST "+pathAccountUnkey, p.accountForm(p.accountPasskeyRemove))
	mux.HandleFunc("POST "+pathAccountSessions, p.accountForm(p.accountEndSession))
	mux.HandleFunc("POST "+pathAccountWithdraw, p.accountForm(p.accountWithdraw))
	mux.HandleFunc("POST "+pathAccountUnlink, p.accountForm(p.accountUnlink))
}

// interactionClient is the client of an authorization request: the
// account page's built-in one, or a registered client.
func (p *Provider) interactionClient(ctx context.Context, id string) (*store.Client, error) {
	if id == accountClientID && p.manage != nil {
		// Its name is a message: the pages say it in their language.
		return &store.Client{ID: accountClientID, Name: ui.AccountClientName, RedirectURIs: []string{PathAccount}}, nil
	}
	return p.store.GetClient(ctx, id)
}

// accountCSRF is the interaction an account form is bound to.
func accountCSRF(userID string) string { return "account|" + userID }

// accountVisit is one signed-in request to the account page.
type accountVisit struct {
	sess    *store.Session
	user    *store.User
	browser string
}

func (p *Provider) handleAccount(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	if sess == nil {
		if q := r.URL.Query(); q.Has("error") {
			// The sign-in this page started came back refused.
			p.failPage(w, r, catalog.Account, "", catalog.New(catalog.AccountSignInIncomplete, "error", catalog.Clip(q.Get("error"), 64)).
				Internal("error_description", catalog.Clip(q.Get("error_description"), 300)))
			return
		}
		p.accountSignIn(w, r)
		return
	}
	v := accountVisit{sess: sess, user: user, browser: p.browser(w, r)}
	p.showAccount(w, r, v, r.URL.Query().Get("done"), nil)
}

// accountSignIn starts a sign-in for the account page: an authorization
// request of the built-in client, through the ordinary sign-in pages and
// the policy's factors, that ends back here.
func (p *Provider) accountSignIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := p.now()
	ar := &store.AuthRequest{
		ID: secret.Token(24), ClientID: accountClientID, RedirectURI: PathAccount, ResponseMode: "query",
		Scopes: []string{"openid"}, Browser: p.browser(w, r), CreatedAt: now, ExpiresAt: now.Add(p.life.AuthRequest),
	}
	if err := p.store.CreateAuthRequest(ctx, ar); err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	http.Redirect(w, r, PathLogin+"?interaction="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// accountForm wraps a form handler of the account page: the form read,
// the session (without one, the person signs in and starts over at the
// page) and the CSRF token checked.
func (p *Provider) accountForm(h func(http.ResponseWriter, *http.Request, accountVisit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if e := readForm(w, r); e != nil {
			p.failPage(w, r, catalog.Account, "", e)
			return
		}
		ctx := r.Context()
		sess, user, err := p.currentSession(ctx, r)
		if err != nil {
			p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
			return
		}
		if sess == nil {
			http.Redirect(w, r, PathAccount, http.StatusSeeOther)
			return
		}
		browser := p.existingBrowser(r)
		if browser == "" || !p.csrfValid(browser, accountCSRF(user.ID), r.PostForm.Get("csrf")) {
			p.failPage(w, r, catalog.Account, "", catalog.New(catalog.CSRFTokenInvalid).Internal("user_id", user.ID))
			return
		}
		h(w, r, accountVisit{sess: sess, user: user, browser: browser})
	}
}

// accountDone answers a change with the page, its notice and section.
func accountDone(w http.ResponseWriter, r *http.Request, done, section string) {
	http.Redirect(w, r, PathAccount+"?done="+url.QueryEscape(done)+"#"+section, http.StatusSeeOther)
}

// accountRefused records e and shows the page again with it; a server
// failure gets the error page.
func (p *Provider) accountRefused(w http.ResponseWriter, r *http.Request, v accountVisit, e *catalog.Error) {
	if e.Status() >= 500 {
		p.failPage(w, r, catalog.Account, "", e)
		return
	}
	// The person is shown the trace id to report: its story is kept.
	p.failures.RecordInFull(r, catalog.Account, "", e.Internal("user_id", v.user.ID), p.now())
	e.SetRetryAfter(w.Header())
	p.showAccount(w, r, v, "", e)
}

// accountTime is how the page shows a moment.
func accountTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// showAccount renders the page, after a refused change with e.
func (p *Provider) showAccount(w http.ResponseWriter, r *http.Request, v accountVisit, done string, e *catalog.Error) {
	ctx := r.Context()
	u := v.user
	page := ui.AccountPage{
		CSRF: p.csrfToken(v.browser, accountCSRF(u.ID)), Done: done,
		Username: u.Username, Name: u.Name, Email: u.Email, EmailVerified: u.EmailVerified, Mail: p.mail,
		PasswordUnset: u.PasswordUnset, MinLength: p.manage.PasswordPolicy.Min(), ReauthMinutes: int(accountReauth / time.Minute),
		PasskeysOn: p.webauthn != nil,
	}
	if err := p.accountFactors(ctx, &page, v); err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	if err := p.accountGrants(ctx, &page, v); err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(ctx)
	}
	p.ui.Account(w, status, page)
}

// accountProfile saves the name and address. A new address is
// unverified, and gets a verification link when mail is configured
// (manage's EmailChanged, the recovery links).
func (p *Provider) accountProfile(w http.ResponseWriter, r *http.Request, v accountVisit) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	email := strings.TrimSpace(r.PostForm.Get("email"))
	patch := manage.UserPatch{Name: &name}
	changed := !strings.EqualFold(email, v.user.Email)
	if changed {
		patch.Email = &email
	}
	if _, err := p.manage.UpdateUser(r.Context(), v.user.ID, patch); err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) && (ce.Name() == catalog.AdminInvalid || ce.Name() == catalog.AdminConflict) {
			reason := ce.Value("reason")
			if ce.Name() == catalog.AdminConflict {
				reason = p.ui.Text(w, "account.profile.taken")
			}
			p.accountRefused(w, r, v, catalog.New(catalog.AccountProfileInvalid, "field", accountField(w, p.ui, ce.Value("field")), "reason", reason))
			return
		}
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	if changed && email != "" {
		accountDone(w, r, "email", "profile")
		return
	}
	accountDone(w, r, "profile", "profile")
}

// accountField names a profile field in the page's language, as the
// person saw its label.
func accountField(w http.ResponseWriter, u *ui.Renderer, field string) string {
	switch field {
	case "name", "email":
		return u.Text(w, "account.field."+field)
	}
	return strings.ReplaceAll(field, "_", " ")
}

// accountPassword changes the password after re-authentication: the
// current password (its failures count toward the lockout, as sign-ins
// do), or, for an account without one, a sign-in within accountReauth.
// Afterwards the person's other sessions end (manage.ChangeOwnPassword).
func (p *Provider) accountPassword(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	u := v.user
	if u.PasswordUnset {
		if age := p.now().Sub(v.sess.AuthTime); age > accountReauth {
			p.accountRefused(w, r, v, catalog.New(catalog.AccountReauthRequired, "window", accountReauth).Internal("sign_in_age", age.Round(time.Second).String()))
			return
		}
	} else {
		if _, e := p.checkPassword(ctx, u.Username, r.PostForm.Get("current")); e != nil {
			if e.Name() == catalog.SignInFailed {
				e = catalog.New(catalog.AccountPasswordWrong)
			}
			p.accountRefused(w, r, v, e)
			return
		}
	}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("confirm") {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountPasswordMismatch))
		return
	}
	if e := p.manage.CheckNewPassword(pw, u.Username, u.Email); e != nil {
		p.accountRefused(w, r, v, e)
		return
	}
	hash, err := p.manage.Hash(pw)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.SignInBusy).Wrap(err))
		return
	}
	if err := p.manage.ChangeOwnPassword(ctx, u.ID, hash, v.sess.ID); err != nil {
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	accountDone(w, r, "password", "password")
}

// methodsOf is a session's amr as the page lists it.
func methodsOf(amr []string) []string {
	if len(amr) == 0 {
		return []string{authn.MethodPassword}
	}
	return amr
}
