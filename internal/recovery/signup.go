package recovery

import (
	"errors"
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Self-registration (signup.enabled). What it tells a stranger about who
// has an account:
//   - A taken username is said (signup_username_taken): a person choosing
//     a username must learn that it is taken, and usernames are not
//     secret (they are typed into the sign-in form of every login).
//   - A taken e-mail address is not: the answer is the same "check your
//     e-mail" page as for a new account, the same password hash is
//     computed, and the address's owner gets a mail saying that an account
//     exists and how to reset its password. Only the mailbox's owner learns
//     that the address has an account.

func (h *Handler) signupPage(w http.ResponseWriter, r *http.Request, interaction string) ui.RecoveryPage {
	id, back := backTo(interaction)
	return ui.RecoveryPage{Step: ui.RecoverySignup, Action: keepLocales(PathSignup, r), CSRF: h.csrf(h.browser(w, r), "signup"), Interaction: id, BackURL: back,
		MinLength: h.o.Service.PasswordPolicy.Min()}
}

func (h *Handler) handleSignupPage(w http.ResponseWriter, r *http.Request) {
	if !h.SignupOn() {
		h.failPage(w, r, catalog.New(catalog.SignupDisabled))
		return
	}
	h.o.UI.Recovery(w, http.StatusOK, h.signupPage(w, r, r.URL.Query().Get("interaction")))
}

func (h *Handler) handleSignup(w http.ResponseWriter, r *http.Request) {
	if !h.SignupOn() {
		h.failPage(w, r, catalog.New(catalog.SignupDisabled))
		return
	}
	if !h.readForm(w, r, "signup") {
		return
	}
	ctx := r.Context()
	f := r.PostForm
	page := h.signupPage(w, r, f.Get("interaction"))
	page.Username, page.Email, page.Name = strings.TrimSpace(f.Get("username")), strings.TrimSpace(f.Get("email")), strings.TrimSpace(f.Get("name"))
	pw := f.Get("password")
	if e := h.throttled(w, r, h.signups, catalog.SignupThrottled); e != nil {
		h.formError(w, r, page, e, false)
		return
	}
	if page.Email == "" {
		h.formError(w, r, page, catalog.New(catalog.SignupInvalid, "field", "e-mail address", "reason", "it is needed to confirm the account"), h.signups != nil)
		return
	}
	if err := manage.CheckNewUser(page.Username, page.Email, page.Name); err != nil {
		h.formError(w, r, page, signupInvalid(err), h.signups != nil)
		return
	}
	if pw != f.Get("confirm") {
		h.formError(w, r, page, catalog.New(catalog.PasswordMismatch), h.signups != nil)
		return
	}
	if e := h.o.Service.CheckNewPassword(pw, page.Username, page.Email); e != nil {
		h.formError(w, r, page, e, h.signups != nil)
		return
	}
	if _, err := h.o.Store.GetUserByUsername(ctx, page.Username); err == nil {
		h.formError(w, r, page, catalog.New(catalog.SignupUsernameTaken, "username", page.Username), h.signups != nil)
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		h.failPage(w, r, failure.FromStore(err))
		return
	}
	owner, err := h.o.Store.GetUserByUsername(ctx, page.Email)
	switch {
	case err == nil:
		h.addressTaken(w, r, page, owner, pw)
		return
	case !errors.Is(err, store.ErrNotFound):
		h.failPage(w, r, failure.FromStore(err))
		return
	}
	// CreateUser hashes the password and, the address being unverified,
	// sends the verification link (manage.Service.EmailChanged).
	u, err := h.o.Service.CreateUser(ctx, manage.UserSpec{Username: page.Username, Email: page.Email, Name: page.Name, Password: pw})
	var ce *catalog.Error
	switch {
	case errors.As(err, &ce) && ce.Name() == catalog.AdminConflict && ce.Value("field") == "username":
		h.formError(w, r, page, catalog.New(catalog.SignupUsernameTaken, "username", page.Username), h.signups != nil)
		return
	case errors.As(err, &ce) && ce.Name() == catalog.AdminConflict:
		// Lost a race for the address: answered as any taken address.
		h.sent(w, r, page)
		return
	case err != nil:
		h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	h.o.Log.InfoContext(ctx, "recovery: account created by sign-up", "trace_id", trace.ID(ctx), "user_id", u.ID)
	h.sent(w, r, page)
}

// addressTaken answers a sign-up with an address that has an account as
// a new account is answered, after the same hash; the owner is told.
func (h *Handler) addressTaken(w http.ResponseWriter, r *http.Request, page ui.RecoveryPage, owner *store.User, pw string) {
	ctx := r.Context()
	if _, err := h.o.Service.Hash(pw); err != nil {
		h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	if !owner.Disabled && (h.accounts == nil || h.accounts.Allow(owner.ID, h.o.Now())) {
		if err := h.o.Links.SendSignupExists(ctx, owner); err != nil {
			h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
			return
		}
	}
	h.o.Log.InfoContext(ctx, "recovery: sign-up with an address that has an account; its owner was told", "trace_id", trace.ID(ctx), "user_id", owner.ID)
	h.sent(w, r, page)
}

func (h *Handler) sent(w http.ResponseWriter, r *http.Request, page ui.RecoveryPage) {
	page.Step, page.Valid = ui.RecoverySignupSent, mail.Duration(h.o.Lifetimes.EmailVerification)
	h.o.UI.Recovery(w, http.StatusOK, page)
}

// signupInvalid turns manage's admin_invalid_input into the person's
// entry, with the same field and rule.
func signupInvalid(err error) *catalog.Error {
	var ce *catalog.Error
	if errors.As(err, &ce) && ce.Name() == catalog.AdminInvalid {
		field := map[string]string{"email": "e-mail address", "name": "name", "username": "username"}[ce.Value("field")]
		if field == "" {
			field = ce.Value("field")
		}
		return catalog.New(catalog.SignupInvalid, "field", field, "reason", ce.Value("reason"))
	}
	return catalog.New(catalog.ServerError).Wrap(err)
}
