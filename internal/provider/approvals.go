package provider

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The pending approvals page: a signed-in person sees the backchannel
// authentication requests (CIBA) that name them, with the client, the
// scopes in plain words and the binding message, and approves or denies
// each. A person who is not signed in signs in here, with the same checks
// as the sign-in page (network bucket, lockout, hashing pool). Forms carry
// a CSRF token bound to the browser (and, once signed in, to the person).

// Paths of the approvals page and its sign-in form.
const (
	PathApprovals      = "/approvals"
	PathApprovalsLogin = "/approvals/login"
)

// approvalsCSRF is the interaction a form of the page is bound to.
func approvalsCSRF(userID string) string { return "approvals|" + userID }

func (p *Provider) handleApprovals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return
	}
	browser := p.browser(w, r)
	if sess == nil {
		p.showApprovalsSignIn(w, r, browser, "", nil)
		return
	}
	list, err := p.store.ListBackchannelRequests(ctx, user.ID, p.now(), maxPending)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return
	}
	page := ui.ApprovalsPage{UserName: displayName(user), Action: PathApprovals, CSRF: p.csrfToken(browser, approvalsCSRF(user.ID))}
	switch r.URL.Query().Get("done") {
	case "approve":
		page.Notice = "Approved. The application can now continue."
	case "deny":
		page.Notice = "Denied. The application was told you declined."
	}
	now := p.now()
	for _, br := range list {
		name, id := br.ClientID, br.ClientID
		if c, err := p.store.GetClient(ctx, br.ClientID); err == nil {
			name = clientName(c)
		}
		scopes := make([]ui.Scope, 0, len(br.Scopes))
		for _, s := range br.Scopes {
			title, desc := ui.ScopeText(s)
			scopes = append(scopes, ui.Scope{Name: s, Title: title, Description: desc})
		}
		page.Requests = append(page.Requests, ui.Approval{
			ID: br.ID, ClientName: name, ClientID: id, BindingMessage: br.BindingMessage, ACRValues: br.ACRValues,
			Scopes: scopes, ExpiresIn: br.ExpiresAt.Sub(now).Round(time.Second).String(),
		})
	}
	p.ui.Approvals(w, http.StatusOK, page)
}

func displayName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

func (p *Provider) showApprovalsSignIn(w http.ResponseWriter, r *http.Request, browser, username string, e *catalog.Error) {
	page := ui.SignInPage{
		Action:      PathApprovalsLogin,
		CSRF:        p.csrfToken(browser, approvalsCSRF("")),
		Interaction: "approvals",
		Username:    username,
		Notice:      "Sign in to see the requests waiting for your approval.",
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Notice = ""
		page.Error, page.ErrorName = e.Text(), string(e.Name())
	}
	p.ui.SignIn(w, status, page)
}

// handleApprovalsLogin signs the person in for the approvals page.
func (p *Provider) handleApprovalsLogin(w http.ResponseWriter, r *http.Request) {
	if e := readForm(w, r); e != nil {
		p.failPage(w, r, catalog.SignIn, "", e)
		return
	}
	browser := p.existingBrowser(r)
	if browser == "" {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.SessionCookieAbsent))
		return
	}
	if !p.csrfValid(browser, approvalsCSRF(""), r.PostForm.Get("csrf")) {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.CSRFTokenInvalid))
		return
	}
	ctx := r.Context()
	username := strings.TrimSpace(r.PostForm.Get("username"))
	undo, wait := func() {}, time.Duration(0)
	network, counted := throttle.Network(r.RemoteAddr)
	if counted && p.signIns != nil {
		undo, wait = p.signIns.Take(network, p.now())
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		e := catalog.New(catalog.SignInThrottled, "retry_after", wait, "limit", p.signIns.PerHour()).Internal("network", network.String())
		p.record(r, catalog.SignIn, "", e)
		p.showApprovalsSignIn(w, r, browser, username, e)
		return
	}
	user, e := p.checkPassword(ctx, username, r.PostForm.Get("password"))
	if e == nil || e.Status() >= 500 {
		undo()
	}
	if e != nil {
		if e.Status() >= 500 && e.Name() != catalog.SignInBusy {
			p.failPage(w, r, catalog.SignIn, "", e)
			return
		}
		p.record(r, catalog.SignIn, "", e)
		e.SetRetryAfter(w.Header())
		p.showApprovalsSignIn(w, r, browser, username, e)
		return
	}
	if _, err := p.startSession(ctx, w, user, []string{"pwd"}); err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return
	}
	p.recordSignIn(r, user.ID, "", []string{"pwd"}, nil)
	http.Redirect(w, r, PathApprovals, http.StatusSeeOther)
}

// handleApprovalsDecision records the person's decision on one request.
func (p *Provider) handleApprovalsDecision(w http.ResponseWriter, r *http.Request) {
	if e := readForm(w, r); e != nil {
		p.failPage(w, r, catalog.SignIn, "", e)
		return
	}
	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return
	}
	if sess == nil {
		// Signed out meanwhile: sign in again, then decide.
		http.Redirect(w, r, PathApprovals, http.StatusSeeOther)
		return
	}
	browser := p.existingBrowser(r)
	if browser == "" || !p.csrfValid(browser, approvalsCSRF(user.ID), r.PostForm.Get("csrf")) {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.CSRFTokenInvalid))
		return
	}
	decision := r.PostForm.Get("decision")
	status := map[string]string{DecisionApprove: store.BackchannelApproved, DecisionDeny: store.BackchannelDenied}[decision]
	if status == "" {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.ParameterMalformed, "parameter", "decision", "expected", "approve or deny"))
		return
	}
	now := p.now()
	d := store.BackchannelDecision{Status: status, At: now, AuthTime: sess.AuthTime, AMR: sess.AMR, By: "page"}
	id := r.PostForm.Get("request")
	br, err := p.decideBackchannel(ctx, id, user.ID, d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.CIBAApprovalUnknown).Internal("request_id", catalog.Clip(id, 64), "user_id", user.ID))
		return
	case errors.Is(err, store.ErrAlreadyUsed):
		p.failPage(w, r, catalog.SignIn, br.ClientID, notPending(br, now))
		return
	case err != nil:
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return
	}
	http.Redirect(w, r, PathApprovals+"?done="+decision, http.StatusSeeOther)
}
