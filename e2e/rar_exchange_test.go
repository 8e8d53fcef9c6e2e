package e2e

// Issue 12: authorization_details in token exchange (RFC 8693 with RFC
// 9396 §6). The exchanged token carries the subject token's details, or
// the subset the request names, each exactly as the subject token has
// it; anything else is refused with the reason, and nothing is issued.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestRARTokenExchange(t *testing.T) {
	l, c, sec := rarLucid(t)
	ctx := context.Background()
	gw, gwSec := m2m(t, l, manage.ClientSpec{
		Name: "Payment gateway", GrantTypes: []string{string(granttype.TokenExchange)}, Scopes: []string{"openid", "payments"},
		DetailTypes:   []string{"payment_initiation", "account_information"},
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Audiences: []string{payAPI}, SubjectClients: []string{c.ID}},
	})
	pay := paymentDetail("42.00", "Merchant C")
	acct := map[string]any{"type": "account_information", "actions": []string{"read"}}
	both := detailsJSON(t, pay, acct)

	cfg := l.oauthConfig(c, sec, "openid")
	verifier := oauth2.GenerateVerifier()
	back := l.browser(t).authorize(cfg.AuthCodeURL("x", oauth2.S256ChallengeOption(verifier), rarOption(both)))
	subject, err := cfg.Exchange(ctx, codeFrom(t, back, "x"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	exchange := func(kv ...string) *reply {
		return postToken(t, l, exchangeForm(subject.AccessToken, append([]string{"audience", payAPI}, kv...)...), basicAuth(gw.ID, gwSec))
	}
	type issued struct {
		AccessToken string          `json:"access_token"`
		Details     json.RawMessage `json:"authorization_details"`
	}
	read := func(r *reply) issued {
		t.Helper()
		var out issued
		if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil || out.AccessToken == "" {
			t.Fatalf("exchange: %d %s", r.status, r.body)
		}
		return out
	}

	// Without authorization_details: every detail of the subject token.
	all := read(exchange())
	sameDetails(t, all.Details, both)
	sameDetails(t, jwtClaims(t, all.AccessToken)["authorization_details"], both)

	// Narrowed to one detail, exactly as the subject token has it: in the
	// response, the token and introspection.
	only := detailsJSON(t, pay)
	narrowed := read(exchange("authorization_details", only))
	sameDetails(t, narrowed.Details, only)
	sameDetails(t, jwtClaims(t, narrowed.AccessToken)["authorization_details"], only)
	info := send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {narrowed.AccessToken}}.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(gw.ID, gwSec)
	})
	var in struct {
		Active  bool            `json:"active"`
		Details json.RawMessage `json:"authorization_details"`
	}
	if json.Unmarshal(info.body, &in) != nil || !in.Active {
		t.Fatalf("introspection: %s", info.body)
	}
	sameDetails(t, in.Details, only)

	// Wider or changed: refused, saying why.
	for _, tc := range []struct {
		name, details, reason string
	}{
		{"changed amount", detailsJSON(t, paymentDetail("4200.00", "Merchant C")), "differ from it in their fields"},
		{"another type", detailsJSON(t, map[string]any{"type": "account_information", "actions": []string{"write"}}, pay), "differ from it in their fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantJSONError(t, l, exchange("authorization_details", tc.details), "authorization_details_not_in_subject_token", "invalid_authorization_details", http.StatusBadRequest)
			if !strings.Contains(e.Description, tc.reason) {
				t.Errorf("description %q lacks %q", e.Description, tc.reason)
			}
		})
	}
	// A subject token without details grants none.
	plainVerifier := oauth2.GenerateVerifier()
	plainBack := l.browser(t).authorize(cfg.AuthCodeURL("p", oauth2.S256ChallengeOption(plainVerifier)))
	plain, err := cfg.Exchange(ctx, codeFrom(t, plainBack, "p"), oauth2.VerifierOption(plainVerifier))
	if err != nil {
		t.Fatal(err)
	}
	r := postToken(t, l, exchangeForm(plain.AccessToken, "audience", payAPI, "authorization_details", only), basicAuth(gw.ID, gwSec))
	e := wantJSONError(t, l, r, "authorization_details_not_in_subject_token", "invalid_authorization_details", http.StatusBadRequest)
	if !strings.Contains(e.Description, "carries no authorization details") {
		t.Errorf("description %q", e.Description)
	}
	// Details do not apply to an exchanged refresh token.
	r = exchange("requested_token_type", ttRefresh, "authorization_details", only, "audience", "")
	wantJSONError(t, l, r, "authorization_details_token_type_unsupported", "invalid_request", http.StatusBadRequest)
}
