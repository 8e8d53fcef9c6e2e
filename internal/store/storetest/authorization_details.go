package storetest

// Conformance of rich authorization requests (RFC 9396): the details on a
// pending request, a code, a token family, an opaque access token and a
// consent, the types a client may use and the types an API registers with
// their schemas all come back as stored, in every backend. The provider
// compares details byte for byte, so the JSON must come back unchanged.

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func testAuthorizationDetails(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Canonical form as the provider writes it: keys sorted, numbers as
	// the client wrote them, non-ASCII kept.
	details := json.RawMessage(`[{"actions":["initiate"],"creditorName":"Müller & Söhne","instructedAmount":{"amount":"123.50","currency":"EUR"},"rate":1.10,"type":"payment_initiation"}]`)
	same := func(what string, got json.RawMessage) {
		t.Helper()
		var b bytes.Buffer
		if err := json.Compact(&b, got); err != nil || !jsonEqual(b.Bytes(), details) {
			t.Fatalf("%s: authorization_details %s, want %s", what, got, details)
		}
	}

	c := newClient("rar-client")
	c.AuthorizationDetailsTypes = []string{"payment_initiation", "account_information"}
	must(t, s.CreateClient(ctx, c), "create client")
	if got, err := s.GetClient(ctx, c.ID); err != nil || len(got.AuthorizationDetailsTypes) != 2 || got.AuthorizationDetailsTypes[1] != "account_information" {
		t.Fatalf("client: %v, authorization_details_types %v", err, got.AuthorizationDetailsTypes)
	}

	api := newAPI("https://pay.example")
	api.DetailTypes = []store.DetailType{{Type: "payment_initiation", Description: "Pay {instructedAmount.amount}", Schema: json.RawMessage(`{"required":["instructedAmount"],"type":"object"}`)}}
	must(t, s.CreateAPI(ctx, api), "create api")
	gotAPI, err := s.GetAPI(ctx, api.ID)
	if err != nil || len(gotAPI.DetailTypes) != 1 || gotAPI.DetailTypes[0].Description != "Pay {instructedAmount.amount}" ||
		!jsonEqual(gotAPI.DetailTypes[0].Schema, api.DetailTypes[0].Schema) {
		t.Fatalf("api: %v, types %+v", err, gotAPI.DetailTypes)
	}

	ar := newAuthRequest("ar-rar", t0.Add(time.Hour))
	ar.AuthorizationDetails = details
	must(t, s.CreateAuthRequest(ctx, ar), "create auth request")
	gotAR, err := s.GetAuthRequest(ctx, ar.ID)
	must(t, err, "get auth request")
	same("auth request", gotAR.AuthorizationDetails)

	code := newAuthCode("code-rar", t0.Add(time.Hour))
	code.AuthorizationDetails = details
	must(t, s.CreateAuthCode(ctx, code), "create code")
	fam := newFamily("fam-rar", "user-1", "client-1")
	fam.AuthorizationDetails = details
	at := newAccessToken("at-rar", t0.Add(time.Hour))
	at.AuthorizationDetails = details
	if _, err := s.RedeemAuthCode(ctx, code.Hash, fam, store.Issued{Access: at}, t0); err != nil {
		t.Fatal(err)
	}
	gotCode, err := s.GetAuthCode(ctx, code.Hash)
	must(t, err, "get code")
	same("code", gotCode.AuthorizationDetails)
	gotFam, err := s.GetTokenFamily(ctx, fam.ID)
	must(t, err, "get family")
	same("family", gotFam.AuthorizationDetails)
	gotAT, err := s.GetAccessToken(ctx, at.Hash)
	must(t, err, "get access token")
	same("access token", gotAT.AuthorizationDetails)

	// A consent replaced with more details keeps the new list; one without
	// details has none.
	must(t, s.SaveConsent(ctx, &store.Consent{UserID: "user-1", ClientID: c.ID, Scopes: []string{"openid"}, GrantedAt: t0}), "save consent")
	if got, err := s.GetConsent(ctx, "user-1", c.ID); err != nil || len(got.AuthorizationDetails) != 0 {
		t.Fatalf("consent without details: %v, %s", err, got.AuthorizationDetails)
	}
	must(t, s.SaveConsent(ctx, &store.Consent{UserID: "user-1", ClientID: c.ID, Scopes: []string{"openid"}, GrantedAt: t0, AuthorizationDetails: details}), "replace consent")
	gotConsent, err := s.GetConsent(ctx, "user-1", c.ID)
	must(t, err, "get consent")
	same("consent", gotConsent.AuthorizationDetails)
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
