package recovery

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The forgotten-password pages. /forgot answers every request the same
// way, whether an account matched or not, and takes the same steps up to
// whether a mail is enqueued: no password is hashed on either path, and
// the per-account limit, when reached, sends nothing but answers alike.

func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request, interaction string) ui.RecoveryPage {
	id, back := backTo(interaction)
	return ui.RecoveryPage{Step: ui.RecoveryForgot, Action: keepLocales(PathForgot, r), CSRF: h.csrf(h.browser(w, r), "forgot"), Interaction: id, BackURL: back}
}

func (h *Handler) handleForgotPage(w http.ResponseWriter, r *http.Request) {
	if !h.ResetOn() {
		h.failPage(w, r, catalog.New(catalog.PasswordResetUnavailable))
		return
	}
	h.o.UI.Recovery(w, http.StatusOK, h.forgotPage(w, r, r.URL.Query().Get("interaction")))
}

func (h *Handler) handleForgot(w http.ResponseWriter, r *http.Request) {
	if !h.ResetOn() {
		h.failPage(w, r, catalog.New(catalog.PasswordResetUnavailable))
		return
	}
	if !h.readForm(w, r, "forgot") {
		return
	}
	ctx := r.Context()
	page := h.forgotPage(w, r, r.PostForm.Get("interaction"))
	identifier := strings.TrimSpace(r.PostForm.Get("identifier"))
	if e := h.throttled(w, r, h.resets, catalog.PasswordResetThrottled); e != nil {
		page.Identifier = identifier
		h.formError(w, r, page, e, false)
		return
	}
	u, err := h.o.Store.GetUserByUsername(ctx, identifier)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u = nil
	case err != nil:
		h.failPage(w, r, failure.FromStore(err))
		return
	}
	// Why nothing was sent is for the operator's log only.
	why := ""
	switch {
	case u == nil:
		why = "no such account"
	case u.Disabled:
		why = "the account is disabled"
	case u.Email == "":
		why = "the account has no e-mail address"
	case h.accounts != nil && !h.accounts.Allow(u.ID, h.o.Now()):
		why = "the account's hourly allowance of reset mails is used up (recovery.account_per_hour)"
	}
	if why == "" {
		if err := h.o.Links.SendReset(ctx, u); err != nil {
			h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
			return
		}
		h.o.Log.InfoContext(ctx, "recovery: password reset link sent", "trace_id", trace.ID(ctx), "user_id", u.ID)
	} else {
		attrs := []any{"trace_id", trace.ID(ctx), "reason", why}
		if u != nil {
			attrs = append(attrs, "user_id", u.ID)
		}
		h.o.Log.InfoContext(ctx, "recovery: no password reset link sent", attrs...)
	}
	page.Step, page.Valid = ui.RecoveryForgotSent, mail.Duration(h.o.Lifetimes.PasswordReset)
	h.o.UI.Recovery(w, http.StatusOK, page)
}

func (h *Handler) resetPage(raw string, u *store.User) ui.RecoveryPage {
	return ui.RecoveryPage{Step: ui.RecoveryReset, Action: PathReset, Token: raw, Username: u.Username, MinLength: h.o.Service.PasswordPolicy.Min()}
}

func (h *Handler) handleResetPage(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("token")
	_, u, e := h.token(r.Context(), raw, store.PurposePasswordReset)
	if e != nil {
		h.failPage(w, r, e)
		return
	}
	h.o.UI.Recovery(w, http.StatusOK, h.resetPage(raw, u))
}

// handleReset sets the new password: the link is judged, the password
// checked and hashed, then the link spent (one conditional write), then
// the password stored and every session and refresh-token family of the
// user ended. A failure after the link is spent costs the person a new
// link, never a second use of this one.
func (h *Handler) handleReset(w http.ResponseWriter, r *http.Request) {
	if !h.readForm(w, r, "") {
		return
	}
	ctx := r.Context()
	raw := r.PostForm.Get("token")
	t, u, e := h.token(ctx, raw, store.PurposePasswordReset)
	if e != nil {
		h.failPage(w, r, e)
		return
	}
	page := h.resetPage(raw, u)
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("confirm") {
		h.formError(w, r, page, catalog.New(catalog.PasswordMismatch).Internal("user_id", u.ID), false)
		return
	}
	if e := h.o.Service.CheckNewPassword(pw, u.Username, u.Email); e != nil {
		h.formError(w, r, page, e.Internal("user_id", u.ID), false)
		return
	}
	hash, err := h.o.Service.Hash(pw)
	if err != nil {
		h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	if e := h.spend(ctx, t, store.PurposePasswordReset); e != nil {
		h.failPage(w, r, e.Internal("user_id", u.ID))
		return
	}
	if err := h.o.Service.ResetPassword(ctx, u.ID, hash, t.Email); err != nil {
		h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err).Internal("user_id", u.ID, "step", "store the password and end the sessions"))
		return
	}
	h.o.Log.InfoContext(ctx, "recovery: password reset; every session and refresh token of the user ended", "trace_id", trace.ID(ctx), "user_id", u.ID)
	h.o.UI.Recovery(w, http.StatusOK, ui.RecoveryPage{Step: ui.RecoveryResetDone, Username: u.Username})
}

// keepLocales carries the page's ui_locales (from the sign-in page's link)
// onto its form's action, so that the answer and the mail it queues stay
// in the person's language.
func keepLocales(path string, r *http.Request) string {
	if l := r.URL.Query().Get("ui_locales"); l != "" {
		return path + "?ui_locales=" + url.QueryEscape(l)
	}
	return path
}
