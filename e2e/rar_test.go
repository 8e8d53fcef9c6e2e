package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/resource"
)

// Issue 12: rich authorization requests (RFC 9396). An API registers its
// authorization details types with a JSON Schema each; a client may ask
// for the types it is allowed; the details travel from the consent page
// to the token, introspection and the resource library.

const payAPI = "https://pay.example.com"

// paymentSchema is the payments API's type: an amount, a currency and
// whom to pay.
const paymentSchema = `{
  "type": "object",
  "required": ["instructedAmount", "creditorName"],
  "properties": {
    "type": {"const": "payment_initiation"},
    "actions": {"type": "array", "items": {"enum": ["initiate", "status", "cancel"]}},
    "creditorName": {"type": "string", "minLength": 1},
    "instructedAmount": {
      "type": "object",
      "required": ["currency", "amount"],
      "properties": {
        "currency": {"enum": ["EUR", "USD"]},
        "amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{2})?$"}
      }
    }
  }
}`

// payment is how the payments API reads its type with the resource library.
type payment struct {
	Actions          []string `json:"actions"`
	CreditorName     string   `json:"creditorName"`
	InstructedAmount struct {
		Currency string `json:"currency"`
		Amount   string `json:"amount"`
	} `json:"instructedAmount"`
}

func paymentDetail(amount, creditor string) map[string]any {
	return map[string]any{
		"type": "payment_initiation", "actions": []string{"initiate", "status"},
		"creditorName": creditor, "instructedAmount": map[string]any{"currency": "EUR", "amount": amount},
	}
}

func detailsJSON(t *testing.T, ds ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rarLucid is a Lucid with the payments API (payment_initiation with a
// description, account_information without, audit_export allowed to no
// client) and a client allowed the first two.
func rarLucid(t *testing.T) (*lucid, *store.Client, string) {
	t.Helper()
	l := start(t)
	l.user(t, demoUser)
	_, err := l.Svc.CreateAPI(context.Background(), manage.APISpec{ID: payAPI, Name: "Payments", Scopes: []string{"payments"},
		DetailTypes: []store.DetailType{
			{Type: "payment_initiation", Description: "Pay {instructedAmount.amount} {instructedAmount.currency} to {creditorName}", Schema: json.RawMessage(paymentSchema)},
			{Type: "account_information", Schema: json.RawMessage(`{"type":"object","required":["actions"]}`)},
			{Type: "audit_export", Schema: json.RawMessage(`{"type":"object"}`)},
		}})
	if err != nil {
		t.Fatal(err)
	}
	c, sec := l.client(t, manage.ClientSpec{Name: "Shop", DetailTypes: []string{"payment_initiation", "account_information"},
		GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, Audiences: []string{payAPI}})
	return l, c, sec
}

func rarOption(details string) oauth2.AuthCodeOption {
	return oauth2.SetAuthURLParam("authorization_details", details)
}

// sameDetails compares two JSON arrays of details as values.
func sameDetails(t *testing.T, got any, want string) {
	t.Helper()
	var g, w any
	b, _ := json.Marshal(got)
	if raw, ok := got.(json.RawMessage); ok {
		b = raw
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("details %s: %v", b, err)
	}
	_ = json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("authorization_details %s, want %s", b, want)
	}
}

func TestRARDiscovery(t *testing.T) {
	l, _, _ := rarLucid(t)
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	var doc struct {
		Types []string `json:"authorization_details_types_supported"`
		Iss   string   `json:"issuer"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.Iss != l.URL {
		t.Fatalf("discovery: %v %.200s", err, r.body)
	}
	if want := []string{"account_information", "audit_export", "payment_initiation"}; !slices.Equal(doc.Types, want) {
		t.Fatalf("authorization_details_types_supported %v, want %v", doc.Types, want)
	}
	// A type registered later reaches discovery once the API list reloads.
	if _, err := l.Svc.CreateAPI(context.Background(), manage.APISpec{ID: "https://fx.example.com", DetailTypes: []store.DetailType{{Type: "fx_quote", Schema: json.RawMessage(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	// Asking for the new type reloads the list (as a new scope does), once
	// the list is older than the provider's apiMissReload (100ms).
	time.Sleep(150 * time.Millisecond)
	c, _ := l.client(t, manage.ClientSpec{Name: "FX", DetailTypes: []string{"fx_quote"}})
	cfg := l.oauthConfig(c, "", "openid")
	p := l.browser(t).get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), rarOption(`[{"type":"fx_quote"}]`)))
	if !p.isSignIn() {
		t.Fatalf("a just-registered type was refused: %d %v", p.status, p.location)
	}
	r = send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	_ = json.Unmarshal(r.body, &doc)
	if !slices.Contains(doc.Types, "fx_quote") {
		t.Fatalf("discovery after a new type: %v", doc.Types)
	}
}

// TestRARCodeFlow: details asked with x/oauth2, shown on the consent page
// in plain words, in the token response, the JWT access token, the
// introspection answer and the resource library; narrowed at the token
// endpoint; consent remembered per detail.
func TestRARCodeFlow(t *testing.T) {
	l, c, sec := rarLucid(t)
	ctx := context.Background()
	cfg := l.oauthConfig(c, sec, "openid", "offline_access")
	pay := paymentDetail("123.50", "Merchant A")
	acct := map[string]any{"type": "account_information", "actions": []string{"list_accounts"}, "locations": []string{payAPI + "/accounts"}}
	details := detailsJSON(t, pay, acct)

	b := l.browser(t)
	verifier := oauth2.GenerateVerifier()
	p := b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), rarOption(details)))
	p = b.signIn(p, demoUser, demoPassword)
	if !p.isConsent() {
		t.Fatalf("want the consent page, got %d", p.status)
	}
	for _, want := range []string{
		"Pay 123.50 EUR to Merchant A",                                                                               // the type's description, filled in
		"Payments (" + payAPI + ")",                                                                                  // the API that serves it
		"Make a request of type account_information", "actions: list_accounts", "locations: " + payAPI + "/accounts", // the readable fallback
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	p = b.consent(p, "allow")
	code := codeFrom(t, p.location, "st")

	// A token request may not change a detail: the code stays usable.
	changed := detailsJSON(t, paymentDetail("999.00", "Merchant A"))
	_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("authorization_details", changed))
	wantOAuthError(t, err, "authorization_details_not_granted", "invalid_authorization_details", http.StatusBadRequest)

	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	sameDetails(t, tok.Extra("authorization_details"), details)
	claims := jwtClaims(t, tok.AccessToken)
	sameDetails(t, claims["authorization_details"], details)
	if aud, _ := json.Marshal(claims["aud"]); !strings.Contains(string(aud), payAPI) {
		t.Errorf("aud %s lacks the API whose details the token carries", claims["aud"])
	}

	// The payments API reads its type with the resource library.
	v, err := resource.New(ctx, l.URL, payAPI)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := v.Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("resource verify: %v", err)
	}
	pays, err := resource.Details[payment](rc, "payment_initiation")
	if err != nil || len(pays) != 1 || pays[0].InstructedAmount.Amount != "123.50" || pays[0].CreditorName != "Merchant A" || !slices.Equal(pays[0].Actions, []string{"initiate", "status"}) {
		t.Fatalf("resource.Details: %+v %v", pays, err)
	}
	if got := rc.DetailTypes(); !slices.Equal(got, []string{"payment_initiation", "account_information"}) {
		t.Errorf("DetailTypes %v", got)
	}
	if none, err := resource.Details[payment](rc, "no_such_type"); err != nil || len(none) != 0 {
		t.Errorf("a type the token lacks: %v %v", none, err)
	}

	// Introspection says the same (RFC 9396 §9.2).
	r := send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(c.ID, sec)
	})
	var info struct {
		Active  bool            `json:"active"`
		Details json.RawMessage `json:"authorization_details"`
	}
	if err := json.Unmarshal(r.body, &info); err != nil || !info.Active {
		t.Fatalf("introspection: %s", r.body)
	}
	sameDetails(t, info.Details, details)

	// A refresh may narrow to a subset, exactly as authorized.
	only := detailsJSON(t, acct)
	r = postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "authorization_details": {only}}, basicAuth(c.ID, sec))
	var narrowed struct {
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
		Details      json.RawMessage `json:"authorization_details"`
	}
	if err := json.Unmarshal(r.body, &narrowed); err != nil || r.status != http.StatusOK {
		t.Fatalf("narrowing refresh: %d %s", r.status, r.body)
	}
	sameDetails(t, narrowed.Details, only)
	sameDetails(t, jwtClaims(t, narrowed.AccessToken)["authorization_details"], only)
	// The grant keeps every detail: the next refresh gets them all back.
	r = postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrowed.RefreshToken}, "authorization_details": {changed}}, basicAuth(c.ID, sec))
	wantJSONError(t, l, r, "authorization_details_not_granted", "invalid_authorization_details", http.StatusBadRequest)
	r = postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrowed.RefreshToken}}, basicAuth(c.ID, sec))
	if err := json.Unmarshal(r.body, &narrowed); err != nil || r.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	sameDetails(t, narrowed.Details, details)

	// Consent is remembered per detail: the same details skip it…
	p = b.get(cfg.AuthCodeURL("again", oauth2.S256ChallengeOption(verifier), rarOption(details)))
	if p.location == nil || p.isConsent() {
		t.Fatalf("same details asked for consent again: %d", p.status)
	}
	codeFrom(t, p.location, "again")
	// …so does a subset of them…
	p = b.get(cfg.AuthCodeURL("subset", oauth2.S256ChallengeOption(verifier), rarOption(only)))
	if p.location == nil {
		t.Fatalf("a subset of approved details asked for consent again: %d", p.status)
	}
	// …but another amount is another detail, and asks.
	p = b.get(cfg.AuthCodeURL("other", oauth2.S256ChallengeOption(verifier), rarOption(changed)))
	if !p.isConsent() || !strings.Contains(p.body, "Pay 999.00 EUR to Merchant A") {
		t.Fatalf("a new detail did not ask for consent: %d %v", p.status, p.location)
	}
	codeFrom(t, b.consent(p, "allow").location, "other")
	// Both are remembered now.
	p = b.get(cfg.AuthCodeURL("both", oauth2.S256ChallengeOption(verifier), rarOption(detailsJSON(t, pay, paymentDetail("999.00", "Merchant A")))))
	if p.location == nil {
		t.Fatalf("details approved in two consents asked again: %d", p.status)
	}
	// prompt=none with a detail never approved: consent_required.
	p = b.get(cfg.AuthCodeURL("none", oauth2.S256ChallengeOption(verifier), rarOption(detailsJSON(t, paymentDetail("1.00", "Merchant B"))), oauth2.SetAuthURLParam("prompt", "none")))
	wantAuthzError(t, l, p.location, "consent_required", "consent_required", "none")

	// Other grants do not take authorization_details.
	r = postToken(t, l, url.Values{"grant_type": {"client_credentials"}, "resource": {payAPI}, "authorization_details": {only}}, basicAuth(c.ID, sec))
	wantJSONError(t, l, r, "authorization_details_grant_unsupported", "invalid_request", http.StatusBadRequest)
}

// TestRARCodeNarrowing: a code exchange may ask for a subset.
func TestRARCodeNarrowing(t *testing.T) {
	l, c, sec := rarLucid(t)
	cfg := l.oauthConfig(c, sec, "openid")
	pay := paymentDetail("10.00", "Shop B")
	acct := map[string]any{"type": "account_information", "actions": []string{"read"}}
	verifier := oauth2.GenerateVerifier()
	back := l.browser(t).authorize(cfg.AuthCodeURL("n", oauth2.S256ChallengeOption(verifier), rarOption(detailsJSON(t, pay, acct))))
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, back, "n"), oauth2.VerifierOption(verifier),
		oauth2.SetAuthURLParam("authorization_details", detailsJSON(t, pay)))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	sameDetails(t, tok.Extra("authorization_details"), detailsJSON(t, pay))
}

// TestRARPushedAndRequestObject: details in a pushed request, and as a
// JSON array claim of a request object.
func TestRARPushedAndRequestObject(t *testing.T) {
	l, c, sec := rarLucid(t)
	cfg := l.oauthConfig(c, sec, "openid")
	pay := detailsJSON(t, paymentDetail("5.00", "Kiosk"))

	// Pushed: judged at the push, then carried to the token.
	verifier := oauth2.GenerateVerifier()
	bad := pushParams(t, cfg, "p", oauth2.S256ChallengeOption(verifier), rarOption(`[{"type":"payment_initiation","creditorName":"Kiosk"}]`))
	wantJSONError(t, l, push(t, l, bad, basicAuth(c.ID, sec)), "authorization_details_schema_violation", "invalid_authorization_details", http.StatusBadRequest)
	uri := pushed(t, l, push(t, l, pushParams(t, cfg, "p", oauth2.S256ChallengeOption(verifier), rarOption(pay)), basicAuth(c.ID, sec)))
	b := l.browser(t)
	p := b.signIn(b.get(parAuthURL(l, c.ID, uri)), demoUser, demoPassword)
	if !strings.Contains(p.body, "Pay 5.00 EUR to Kiosk") {
		t.Fatalf("consent of a pushed request lacks its detail")
	}
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, b.consent(p, "allow").location, "p"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	sameDetails(t, tok.Extra("authorization_details"), pay)

	// A request object carries the details as a JSON array claim.
	open, openSec := l.client(t, manage.ClientSpec{Name: "Unsigned JAR", RequestObjectAlg: "none", DetailTypes: []string{"payment_initiation"}})
	v2 := oauth2.GenerateVerifier()
	var arr []any
	_ = json.Unmarshal([]byte(pay), &arr)
	obj := signRequestObject(t, "none", nil, "", "", edited(jarClaims(l, open.ID, v2), "iss", nil, "authorization_details", arr))
	back := l.browser(t).authorize(jarURL(l, open.ID, obj, nil))
	tok, err = l.oauthConfig(open, openSec).Exchange(context.Background(), codeFrom(t, back, "from-the-object"), oauth2.VerifierOption(v2))
	if err != nil {
		t.Fatalf("exchange after a request object: %v", err)
	}
	sameDetails(t, tok.Extra("authorization_details"), pay)
}

// TestRARAuthorizationErrors: every way authorization_details fails at
// the authorization endpoint goes back to the client, like invalid_scope,
// and names what is wrong.
func TestRARAuthorizationErrors(t *testing.T) {
	l, c, sec := rarLucid(t)
	cfg := l.oauthConfig(c, sec, "openid")
	many := make([]map[string]any, 17)
	for i := range many {
		many[i] = map[string]any{"type": "account_information", "actions": []string{"read"}}
	}
	cases := []struct {
		name, details, entry, says string
	}{
		{"not JSON", `[{"type":`, "authorization_details_not_json", "not valid JSON"},
		{"an object, not an array", `{"type":"payment_initiation"}`, "authorization_details_not_array", "it is a JSON object"},
		{"empty array", `[]`, "authorization_details_not_array", "empty array"},
		{"strings in the array", `["payment_initiation"]`, "authorization_details_not_array", "element 1 is a string"},
		{"too many", detailsJSON(t, many...), "authorization_details_too_large", "holds 17 details"},
		{"no type", `[{"actions":["read"]}]`, "authorization_details_type_missing", "no type field"},
		{"numeric type", `[{"type":7}]`, "authorization_details_type_missing", "a number"},
		{"actions as a string", `[{"type":"account_information","actions":"read"}]`, "authorization_details_field_invalid", "actions field that is not an array of strings"},
		{"unknown type", `[{"type":"payment_initation"}]`, "authorization_details_type_unknown", "payment_initation"},
		{"type of no client", `[{"type":"audit_export"}]`, "authorization_details_type_not_allowed", "audit_export"},
		{"schema: missing field", `[{"type":"payment_initiation","creditorName":"A"}]`, "authorization_details_schema_violation", "missing property 'instructedAmount'"},
		{"schema: wrong value", detailsJSON(t, map[string]any{"type": "payment_initiation", "creditorName": "A", "instructedAmount": map[string]any{"currency": "GBP", "amount": "1.00"}}),
			"authorization_details_schema_violation", "at /instructedAmount/currency"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := l.browser(t).get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), rarOption(tc.details)))
			if p.location == nil {
				t.Fatalf("no redirect: %d %.300s", p.status, p.body)
			}
			wantAuthzError(t, l, p.location, tc.entry, "invalid_authorization_details", "st")
			if d := p.location.Query().Get("error_description"); !strings.Contains(d, tc.says) {
				t.Errorf("description %q does not say %q", d, tc.says)
			}
		})
	}
}

// TestRARManagement: the admin API registers types with schemas and
// refuses a schema that does not compile or reaches outside itself.
func TestRARManagement(t *testing.T) {
	l := start(t)
	tok := l.cfg.AdminToken
	r := jsonCall(t, l, http.MethodPost, "/admin/apis", tok, `{"id":"https://a.example","authorization_details_types":[{"type":"t1","description":"Do {what}","schema":{"type":"object","required":["what"]}}]}`)
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"t1"`) {
		t.Fatalf("create api with a type: %d %s", r.status, r.body)
	}
	for name, body := range map[string]string{
		"schema does not compile": `{"id":"https://b.example","authorization_details_types":[{"type":"t2","schema":{"type":"nonsense"}}]}`,
		"schema loads a file":     `{"id":"https://b.example","authorization_details_types":[{"type":"t2","schema":{"$ref":"file:///etc/passwd"}}]}`,
		"type of another API":     `{"id":"https://b.example","authorization_details_types":[{"type":"t1","schema":{}}]}`,
		"placeholder not closed":  `{"id":"https://b.example","authorization_details_types":[{"type":"t2","description":"Do {what","schema":{}}]}`,
		"type name with a space":  `{"id":"https://b.example","authorization_details_types":[{"type":"t 2","schema":{}}]}`,
		"schema missing":          `{"id":"https://b.example","authorization_details_types":[{"type":"t2"}]}`,
	} {
		r := jsonCall(t, l, http.MethodPost, "/admin/apis", tok, body)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "admin_invalid_input") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	r = jsonCall(t, l, http.MethodPost, "/admin/clients", tok, `{"client_name":"c","redirect_uris":["`+clientCB+`"],"authorization_details_types":["t1"]}`)
	var view struct {
		Types []string `json:"authorization_details_types"`
	}
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &view) != nil || !slices.Equal(view.Types, []string{"t1"}) {
		t.Fatalf("client with a type: %d %s", r.status, r.body)
	}
}

// TestBrowserRARConsent: headless Chromium sees a payment detail in plain
// words on the consent page, approves it, and the client gets a token
// carrying it.
func TestBrowserRARConsent(t *testing.T) {
	ctx := chrome(t)
	l, _, _ := rarLucid(t)
	codes := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case codes <- r.URL.Query().Get("code"):
		default:
		}
		_, _ = io.WriteString(w, `<!doctype html><title>Shop</title><p id="back">Back at the shop</p>`)
	}))
	t.Cleanup(app.Close)
	c, sec := l.client(t, manage.ClientSpec{Name: "Shop", RedirectURIs: []string{app.URL + "/cb"}, DetailTypes: []string{"payment_initiation"}})
	cfg := l.oauthConfig(c, sec, "openid")
	verifier := oauth2.GenerateVerifier()
	details := detailsJSON(t, paymentDetail("42.00", "Corner Bakery"))

	var sentence, fields string
	err := chromedp.Do(ctx,
		chromedp.Navigate(cfg.AuthCodeURL("b", oauth2.S256ChallengeOption(verifier), rarOption(details))),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS(".detail-sentence")),
		into(&sentence, chromedp.Text(chromedp.CSS(".detail-sentence"))),
		into(&fields, chromedp.Text(chromedp.CSS("ul.details"))),
		shot(t, "rar-consent"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#back")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if sentence != "Pay 42.00 EUR to Corner Bakery" {
		t.Errorf("detail sentence %q", sentence)
	}
	for _, want := range []string{"Payments (" + payAPI + ")", "actions: initiate, status", "creditorName: Corner Bakery"} {
		if !strings.Contains(fields, want) {
			t.Errorf("consent details lack %q: %q", want, fields)
		}
	}
	tok, err := cfg.Exchange(context.Background(), <-codes, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	sameDetails(t, tok.Extra("authorization_details"), details)
}
