package provider

import (
	"net/http"
	"net/url"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Sign-in for Lucid's own pages that act for a client without an
// authorization request: the device verification page and the CIBA
// approvals page. Both go through the same pipeline as /authorize
// (Proved, the policy of internal/authn): a stored request carries the
// sign-in (AuthRequest.Return names the page to go back to), so the
// second-factor and setup pages work unchanged, and the session starts
// only when the policy is met. A session that is not enough for a
// client's policy (its require_second_factor, the request's acr_values)
// is stepped up the same way before the person may approve.

// ownRequest is the stored request that carries a sign-in for back, the
// page to return to, on behalf of client ("" for none in particular).
func (p *Provider) ownRequest(r *http.Request, client *store.Client, acrValues, back string) *store.AuthRequest {
	now := p.now()
	return &store.AuthRequest{
		ID: secret.Token(24), ClientID: client.ID, ACRValues: acrValues, Return: back,
		Browser: p.existingBrowser(r), CreatedAt: now, ExpiresAt: now.Add(p.life.AuthRequest),
	}
}

// signInFor hands the first factor's proof to the pipeline for one of
// Lucid's own pages: the person goes on to the second-factor (or setup)
// page if the policy asks for one, then back to back.
func (p *Provider) signInFor(w http.ResponseWriter, r *http.Request, client *store.Client, acrValues, back string, proof authn.Proof) {
	ar := p.ownRequest(r, client, acrValues, back)
	ar.Authn = &store.AuthnProgress{}
	if err := p.store.CreateAuthRequest(r.Context(), ar); err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	p.Proved(w, r, ar, client, proof)
}

// sessionEnough checks the browser's session against client's policy
// before the person acts for it on one of Lucid's own pages. Enough: it
// returns the acr met. Otherwise it has answered: on to a factor page
// (a step-up that keeps the session's sid and returns to back) or a page
// saying the policy cannot be met.
func (p *Provider) sessionEnough(w http.ResponseWriter, r *http.Request, client *store.Client, acrValues, back string, sess *store.Session) (string, bool) {
	ctx := r.Context()
	res := authn.FromAMR(sess.UserID, sess.AMR, sess.AuthTime)
	served, _ := authn.ParseACRValues(acrValues)
	pol := authn.Policy{
		Mode:           authn.Mode(p.authn.SecondFactor),
		ClientRequires: client.RequireSecondFactor,
		ACRValues:      served,
		Passkeys:       p.webauthn != nil,
		Interactive:    true,
	}
	d, err := p.decide(ctx, pol, res)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return "", false
	}
	switch d.Next {
	case authn.Done:
		return res.ACR(pol.ACRValues), true
	case authn.Unmet:
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.ACRUnmet, "acr", acrOrSetting(d.Want), "reason", d.Reason).Internal("user_id", res.UserID))
		return "", false
	}
	ar := p.ownRequest(r, client, acrValues, back)
	ar.Authn = &store.AuthnProgress{StepUp: true, Want: d.Want}
	setProgress(ar, res)
	if err := p.store.CreateAuthRequest(ctx, ar); err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return "", false
	}
	to := PathFactor
	if d.Next == authn.Enrol {
		to = PathFactorSetup
	}
	http.Redirect(w, r, to+"?interaction="+url.QueryEscape(ar.ID), http.StatusSeeOther)
	return "", false
}
