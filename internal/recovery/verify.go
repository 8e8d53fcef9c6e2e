package recovery

import (
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The address verification pages: the link shows the address and a
// Confirm button; only the button's POST spends the link and sets
// email_verified, so a mail scanner that follows the link verifies
// nothing. A link proves the address it was sent to, so it is refused,
// unspent, once the account's address has changed.

func (h *Handler) verified(w http.ResponseWriter, r *http.Request) (*store.UserToken, *store.User, string, bool) {
	raw := r.URL.Query().Get("token")
	if r.Method == http.MethodPost {
		raw = r.PostForm.Get("token")
	}
	t, u, e := h.token(r.Context(), raw, store.PurposeVerifyEmail)
	if e == nil && !strings.EqualFold(u.Email, t.Email) {
		e = catalog.New(catalog.EmailVerificationStale).Internal("user_id", u.ID)
	}
	if e != nil {
		h.failPage(w, r, e)
		return nil, nil, "", false
	}
	return t, u, raw, true
}

func (h *Handler) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	_, u, raw, ok := h.verified(w, r)
	if !ok {
		return
	}
	h.o.UI.Recovery(w, http.StatusOK, ui.RecoveryPage{Step: ui.RecoveryVerify, Action: PathVerify, Token: raw, Username: u.Username, Email: u.Email})
}

func (h *Handler) handleVerify(w http.ResponseWriter, r *http.Request) {
	if !h.readForm(w, r, "") {
		return
	}
	ctx := r.Context()
	t, u, _, ok := h.verified(w, r)
	if !ok {
		return
	}
	if e := h.spend(ctx, t, store.PurposeVerifyEmail); e != nil {
		h.failPage(w, r, e.Internal("user_id", u.ID))
		return
	}
	u, ok, err := h.o.Service.VerifyEmail(ctx, u.ID, t.Email)
	switch {
	case err != nil:
		h.failPage(w, r, catalog.New(catalog.ServerError).Wrap(err))
		return
	case !ok:
		// The address changed between the check and the write.
		h.failPage(w, r, catalog.New(catalog.EmailVerificationStale).Internal("user_id", u.ID))
		return
	}
	h.o.Log.InfoContext(ctx, "recovery: e-mail address verified", "trace_id", trace.ID(ctx), "user_id", u.ID)
	h.o.UI.Recovery(w, http.StatusOK, ui.RecoveryPage{Step: ui.RecoveryVerifyDone, Username: u.Username, Email: u.Email})
}
