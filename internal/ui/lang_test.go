package ui

import (
	"bytes"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// endUserPages renders every step of every page a person sees (not the
// demo client nor the error catalog, which are for developers), with
// every optional part present, so that every message is used.
func endUserPages() map[string]func(r *Renderer, w http.ResponseWriter) {
	pk := func(kind string, label string) *PasskeyForm {
		return &PasskeyForm{Action: "/login/passkey", CSRF: "c", Interaction: "i", Kind: kind, Options: "{}", Label: label}
	}
	scopes := []Scope{{Name: "openid"}, {Name: "profile"}, {Name: "email"}, {Name: "address"}, {Name: "phone"}, {Name: "groups"}, {Name: "offline_access"}}
	for i := range scopes {
		scopes[i].Title, scopes[i].Description = ScopeText(scopes[i].Name)
	}
	apiTitle, apiDesc := APIScopeText("notes:read", "Notes API (https://api.notes.example)")
	scopes = append(scopes, Scope{Name: "notes:read", Title: apiTitle, Description: apiDesc, API: "Notes API (https://api.notes.example)"})
	pages := map[string]func(r *Renderer, w http.ResponseWriter){
		"signin": func(r *Renderer, w http.ResponseWriter) {
			r.SignIn(w, 401, SignInPage{ClientName: "Notes", Action: "/login", CSRF: "c", Interaction: "i", Error: "x", ErrorName: "sign_in_failed", Reference: "ref",
				Notice: "notice.approvals.sign_in", CancelAction: "/login", ForgotURL: "/forgot", SignupURL: "/signup",
				Upstreams: []UpstreamButton{{ID: "gh", Name: "GitHub", Action: "/up"}}, LinkAs: "alice", Passkey: pk("get", "passkey.sign_in")})
		},
		"signin-bare": func(r *Renderer, w http.ResponseWriter) {
			r.SignIn(w, 200, SignInPage{Action: "/login", CSRF: "c", Interaction: "i"})
		},
		"consent": func(r *Renderer, w http.ResponseWriter) {
			r.Consent(w, 200, ConsentPage{ClientName: "Notes", ClientID: "notes", UserName: "alice", Scopes: scopes, RedirectHost: "notes.example",
				Unverified: true, Details: []Detail{{Type: "payment", Sentence: "Pay", API: "Bank", Fields: []string{"amount: 1"}}}, Action: "/consent"})
		},
		"consent-bare": func(r *Renderer, w http.ResponseWriter) {
			r.Consent(w, 200, ConsentPage{ClientName: "Notes", Action: "/consent"})
		},
		"logout": func(r *Renderer, w http.ResponseWriter) {
			r.LogoutConfirm(w, 200, LogoutPage{ClientName: "Notes", Action: "/logout"})
		},
		"logout-bare": func(r *Renderer, w http.ResponseWriter) { r.LogoutConfirm(w, 200, LogoutPage{Action: "/logout"}) },
		"loggedout": func(r *Renderer, w http.ResponseWriter) {
			r.LoggedOut(w, 200, LoggedOutPage{ClientName: "Notes", ReturnURL: "https://notes.example/", Frames: []string{"https://notes.example/fc"}})
		},
		"loggedout-still": func(r *Renderer, w http.ResponseWriter) {
			r.LoggedOut(w, 200, LoggedOutPage{StillSignedIn: true, ClientName: "Notes"})
		},
		"loggedout-bare": func(r *Renderer, w http.ResponseWriter) {
			r.LoggedOut(w, 200, LoggedOutPage{ReturnURL: "https://notes.example/"})
		},
		"loggedout-close": func(r *Renderer, w http.ResponseWriter) { r.LoggedOut(w, 200, LoggedOutPage{}) },
		"error": func(r *Renderer, w http.ResponseWriter) {
			r.Error(w, 400, ErrorPage{Title: "Unknown application", Description: "d", Name: "password_reset_link_unknown", Code: "invalid_request", TraceID: "t",
				DocURL: "/errors/x", RestartURL: "/", BrowseURL: "/errors", ClientName: "Notes", Causes: []string{"Lucid refused the request."}, Fixes: []string{"Ask Lucid's operator."}, Related: []Link{{Text: "a", URL: "/errors/a"}}})
		},
		"error-catalog-text": func(r *Renderer, w http.ResponseWriter) {
			r.Error(w, 400, ErrorPage{Title: "Lucid cannot go on", Description: "Lucid does not know this application.", Name: "authorize_client_unknown"})
		},
		"formpost": func(r *Renderer, w http.ResponseWriter) {
			r.FormPost(w, FormPostPage{Action: "https://notes.example/cb", Params: []Field{{Name: "code", Value: "x"}}})
		},
		"approvals": func(r *Renderer, w http.ResponseWriter) {
			r.Approvals(w, 200, ApprovalsPage{UserName: "alice", Action: "/approvals", Notice: "notice.approvals.approved",
				Requests: []Approval{{ID: "r1", ClientName: "Notes", ClientID: "notes", BindingMessage: "X1", ACRValues: "mfa", Scopes: scopes, ExpiresIn: "5m"}}})
		},
		"approvals-empty": func(r *Renderer, w http.ResponseWriter) {
			r.Approvals(w, 200, ApprovalsPage{UserName: "alice", Notice: "notice.approvals.denied"})
		},
		"device-enter": func(r *Renderer, w http.ResponseWriter) {
			r.Device(w, 400, DevicePage{Step: DeviceEnter, Action: "/device", Error: "x", ErrorName: "device_user_code_unknown", ErrorValues: map[string]string{"user_code": "BDWP-HQPK"}, Reference: "ref"})
		},
		"device-confirm": func(r *Renderer, w http.ResponseWriter) {
			r.Device(w, 200, DevicePage{Step: DeviceConfirm, Action: "/device", ClientName: "TV", ClientID: "tv", UserName: "alice", UserCode: "BDWP-HQPK", Unverified: true, Scopes: scopes})
		},
		"device-confirm-bare": func(r *Renderer, w http.ResponseWriter) {
			r.Device(w, 200, DevicePage{Step: DeviceConfirm, ClientName: "TV"})
		},
		"device-done": func(r *Renderer, w http.ResponseWriter) {
			r.Device(w, 200, DevicePage{Step: DeviceDone, ClientName: "TV", Approved: true})
		},
		"device-denied": func(r *Renderer, w http.ResponseWriter) {
			r.Device(w, 200, DevicePage{Step: DeviceDone, ClientName: "TV"})
		},
		"factor": func(r *Renderer, w http.ResponseWriter) {
			r.Factor(w, 401, FactorPage{ClientName: "Notes", UserName: "alice", TOTP: true, Recovery: true, Passkey: pk("get", "passkey.use"), Method: "recovery",
				Error: "x", ErrorName: "account_locked", ErrorValues: map[string]string{"until": "12:00"}, Reference: "ref"})
		},
		"factor-phr": func(r *Renderer, w http.ResponseWriter) {
			r.Factor(w, 200, FactorPage{PhishingResistant: true, Passkey: pk("get", "passkey.use")})
		},
		"setup": func(r *Renderer, w http.ResponseWriter) {
			r.FactorSetup(w, 401, FactorSetupPage{ClientName: "Notes", UserName: "alice", Secret: "ABCD", QR: "data:image/png;base64,AA==", Passkey: pk("create", "passkey.create"),
				Error: "x", ErrorName: "second_factor_code_wrong", Reference: "ref"})
		},
		"setup-bare": func(r *Renderer, w http.ResponseWriter) { r.FactorSetup(w, 200, FactorSetupPage{Secret: "ABCD"}) },
		"recovery-codes": func(r *Renderer, w http.ResponseWriter) {
			r.RecoveryCodes(w, 200, RecoveryCodesPage{Codes: []string{"AAAA-BBBB"}})
		},
		"account": func(r *Renderer, w http.ResponseWriter) {
			r.Account(w, 409, accountPage(scopes, pk("create", "account.passkeys.add")))
		},
		"account-bare": func(r *Renderer, w http.ResponseWriter) {
			r.Account(w, 200, AccountPage{Username: "alice", Done: "profile", MinLength: 1, ReauthMinutes: 1, Sessions: []AccountSession{{ID: "s", Current: true}}})
		},
		"account-totp": func(r *Renderer, w http.ResponseWriter) {
			r.AccountTOTP(w, 401, AccountTOTPPage{CSRF: "c", Pending: "p", QR: "data:image/png;base64,AA==", Secret: "ABCD",
				Error: "x", ErrorName: "second_factor_code_wrong", Reference: "ref"})
		},
		"account-codes": func(r *Renderer, w http.ResponseWriter) {
			r.AccountCodes(w, 200, AccountCodesPage{Codes: []string{"AAAA-BBBB"}})
		},
		"signin-account": func(r *Renderer, w http.ResponseWriter) {
			r.SignIn(w, 200, SignInPage{ClientName: AccountClientName, Action: "/login", CSRF: "c", Interaction: "i"})
		},
	}
	for done := range strings.SplitSeq("email password totp totp_removed passkey passkey_renamed passkey_removed session withdrawn unlinked other", " ") {
		pages["account-done-"+done] = func(r *Renderer, w http.ResponseWriter) {
			r.Account(w, 200, AccountPage{Username: "alice", Done: done, Email: "a@example.com", PasswordUnset: true, MinLength: 12, ReauthMinutes: 10})
		}
	}
	// Every person-facing entry of the account page, with its values.
	for name, values := range map[string]map[string]string{
		"account_current_password_wrong":         nil,
		"account_reauthentication_required":      {"window": "10m0s"},
		"account_password_confirmation_mismatch": nil,
		"account_profile_invalid":                {"field": "e-mail address", "reason": "another account uses it"},
		"account_last_second_factor":             {"factor": "your authenticator app"},
		"account_totp_exists":                    nil,
		"account_totp_setup_expired":             nil,
		"account_passkey_unknown":                nil,
		"account_passkey_name_invalid":           {"max": "64"},
		"account_session_unknown":                nil,
		"account_application_unknown":            {"client_id": "notes"},
		"account_identity_unknown":               {"upstream": "GitHub"},
		"account_identity_last_sign_in":          {"upstream": "GitHub"},
	} {
		pages["account-"+name] = func(r *Renderer, w http.ResponseWriter) {
			r.Account(w, 400, AccountPage{Username: "alice", Error: "x", ErrorName: name, ErrorValues: values, Reference: "ref"})
		}
	}
	pages["account-sign-in-incomplete"] = func(r *Renderer, w http.ResponseWriter) {
		r.Error(w, 400, ErrorPage{Title: "You are not signed in to your account", Description: "x", Name: "account_sign_in_incomplete", Values: map[string]string{"error": "access_denied"}})
	}
	for _, step := range []string{RecoveryForgot, RecoveryForgotSent, RecoveryReset, RecoveryResetDone, RecoveryVerify, RecoveryVerifyDone, RecoverySignup, RecoverySignupSent} {
		pages["recovery-"+step] = func(r *Renderer, w http.ResponseWriter) {
			r.Recovery(w, 400, RecoveryPage{Step: step, Action: "/x", BackURL: "/login", Username: "alice", Email: "a@example.com", MinLength: 12, Valid: "30 minutes",
				Error: "x", ErrorName: "signup_rate_limited", ErrorValues: map[string]string{"limit": "5", "retry_after": "10m"}, Reference: "ref"})
		}
	}
	pages["recovery-signup-sent-bare"] = func(r *Renderer, w http.ResponseWriter) {
		r.Recovery(w, 200, RecoveryPage{Step: RecoverySignupSent, Email: "a@example.com"})
	}
	return pages
}

// accountPage is the account page with every part present.
func accountPage(scopes []Scope, passkey *PasskeyForm) AccountPage {
	return AccountPage{
		CSRF: "c", Done: "email", Error: "x", ErrorName: "account_last_second_factor", ErrorValues: map[string]string{"factor": "the passkey Laptop"}, Reference: "ref",
		Username: "alice", Name: "Alice", Email: "a@example.com", Mail: true, MinLength: 12, ReauthMinutes: 10,
		TOTP: "1 Dec 2026, 10:00 UTC", RecoveryCodes: 3, PasskeysOn: true, Passkey: passkey,
		Passkeys:     []AccountPasskey{{ID: "k1", Name: "Laptop", Created: "1 Dec 2026, 10:00 UTC", LastUsed: "2 Dec 2026, 10:00 UTC"}, {ID: "k2", Name: "Key", Created: "1 Dec 2026, 10:00 UTC"}},
		Sessions:     []AccountSession{{ID: "s1", Created: "1 Dec 2026, 10:00 UTC", AuthTime: "1 Dec 2026, 10:00 UTC", AMR: []string{"pwd", "otp"}, Current: true}, {ID: "s2", Created: "1 Dec 2026, 09:00 UTC", AMR: []string{"pwd"}}},
		Applications: []AccountApplication{{ClientID: "notes", Name: "Notes", Since: "1 Dec 2026, 10:00 UTC", Scopes: scopes}},
		Identities:   []AccountIdentity{{UpstreamID: "gh", UpstreamName: "GitHub", Subject: "1", Email: "a@example.com", Since: "1 Dec 2026, 10:00 UTC", LastUsed: "2 Dec 2026, 10:00 UTC"}, {UpstreamID: "gl", UpstreamName: "GitLab", Subject: "2", Since: "1 Dec 2026, 10:00 UTC"}},
		Activity:     []AccountEvent{{Time: "2 Dec 2026, 10:00 UTC", Network: "192.0.2.0/24", Via: "Notes", AMR: []string{"pwd"}, OK: true}, {Time: "2 Dec 2026, 09:00 UTC", Network: "192.0.2.1", Failure: "sign_in_failed"}},
	}
}

// logSink collects what the renderer logs: a missing message is a warning.
type logSink struct{ bytes.Buffer }

func renderIn(t *testing.T, r *Renderer, lang string, page func(*Renderer, http.ResponseWriter)) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/?ui_locales="+lang, nil)
	Languages(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { page(r, w) })).ServeHTTP(rec, req)
	if rec.Code == http.StatusInternalServerError {
		t.Fatalf("page did not render: %s", rec.Body)
	}
	return rec.Body.String()
}

// TestEveryPageInEveryLanguage renders every end-user page in every
// shipped language and fails on a missing message (logged, then shown in
// English), a value left unfilled, or a template's text left untranslated.
func TestEveryPageInEveryLanguage(t *testing.T) {
	var logs logSink
	r, err := New(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range r.cat.Languages() {
		lang := tag.String()
		for name, page := range endUserPages() {
			t.Run(lang+"/"+name, func(t *testing.T) {
				logs.Reset()
				body := renderIn(t, r, lang, page)
				if logs.Len() > 0 {
					t.Errorf("renderer logged: %s", logs.String())
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("page is not marked lang=%s", lang)
				}
				for _, bad := range []string{"<no value>", "{{", "}}", "%!"} {
					if strings.Contains(body, bad) {
						t.Errorf("page contains %q:\n%s", bad, body)
					}
				}
			})
		}
	}
}

var templateKey = regexp.MustCompile(`\{\{-?\s*t "([^"]+)"`)

// TestTemplatesNameKnownMessages: every message a template names exists in
// every language, including in branches the rendering test may not reach.
func TestTemplatesNameKnownMessages(t *testing.T) {
	r := newRenderer(t)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			for _, tag := range r.cat.Languages() {
				if !r.cat.Has(tag, m[1]) {
					t.Errorf("%s names %s, which %s lacks", p, m[1], tag)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGermanPagesAreGerman spot-checks that the second language is used
// for text, titles and person-facing catalog messages.
func TestGermanPagesAreGerman(t *testing.T) {
	r := newRenderer(t)
	pages := endUserPages()
	for _, tc := range []struct {
		page string
		want []string
	}{
		{"signin", []string{"<title>Bei Notes anmelden · Lucid</title>", ">Anmelden</button>", "Benutzername oder Passwort ist nicht richtig.", "Mit einem Passkey anmelden", `data-msg-unsupported="Dieser Browser kann keine Passkeys verwenden."`}},
		{"consent", []string{"Ihr Profil sehen", "Ihre Antwort geht an", "Notes API (https://api.notes.example) in Ihrem Namen nutzen"}},
		{"device-enter", []string{"Kein Gerät wartet auf den Code BDWP-HQPK."}},
		{"recovery-forgot_sent", []string{"30 Minuten lang"}},
		{"factor", []string{"Versuchen Sie es nach 12:00 wieder."}},
		{"account", []string{"<title>Ihr Konto · Lucid</title>", "<h1>Ihr Konto</h1>", "Bestätigung in zwei Schritten", "Einen Passkey hinzufügen", "the passkey Laptop ist Ihr letzter zweiter Faktor", "Sie haben 3 unbenutzte Wiederherstellungscodes.", "Ihr Profil sehen"}},
		{"account-account_profile_invalid", []string{"kann nicht verwendet werden"}},
		{"account-totp", []string{"Scannen Sie diesen Code", "nicht richtig"}},
		{"signin-account", []string{"<title>Bei Mein Konto anmelden · Lucid</title>"}},
	} {
		body := renderIn(t, r, "de", pages[tc.page])
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.page, w)
			}
		}
	}
	// Accept-Language alone chooses German too; ui_locales overrides it.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
	Languages(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.SignIn(WithLocales(w, "en"), 200, SignInPage{})
	})).ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `<html lang="en">`) {
		t.Error("the authorization request's ui_locales=en must win over Accept-Language")
	}
	if got := r.language(httptest.NewRecorder()); got != language.English {
		t.Errorf("without preferences the language is %s", got)
	}
}

var tags = regexp.MustCompile(`(?s)<[^>]*>`)

// visibleText is a page's text as a person reads it: the title and the
// body without markup.
func visibleText(body string) string {
	body = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(body, " ")
	return template.HTMLEscapeString(tags.ReplaceAllString(body, " "))
}

// TestCustomProductNameReplacesLucid: with a product name of the
// operator's, no end-user page in any language says "Lucid".
func TestCustomProductNameReplacesLucid(t *testing.T) {
	r, err := New(WithBrand(Brand{ProductName: "Acme ID", PrimaryColor: "#0a7", AccentColor: "#ffaa00", SupportURL: "https://help.acme.example/", SupportEmail: "help@acme.example",
		Logo: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), LogoName: "acme.svg"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range r.cat.Languages() {
		for name, page := range endUserPages() {
			body := renderIn(t, r, tag.String(), page)
			text := visibleText(body)
			if strings.Contains(text, "Lucid") {
				i := strings.Index(text, "Lucid")
				t.Errorf("%s/%s shows Lucid: …%s…", tag, name, text[max(0, i-80):min(len(text), i+40)])
			}
			for _, w := range []string{"Acme ID", `href="https://help.acme.example/"`, "help@acme.example", `src="/assets/brand-logo.svg?v=`, `href="/assets/brand.css?v=`} {
				if !strings.Contains(body, w) {
					t.Errorf("%s/%s lacks %q", tag, name, w)
				}
			}
		}
	}
	// The generated stylesheet sets the colours and is served.
	rec := httptest.NewRecorder()
	r.Assets().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/assets/brand.css", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "--accent: #0a7;") || !strings.Contains(rec.Body.String(), "--focus: #ffaa00;") {
		t.Errorf("brand.css = %d %q", rec.Code, rec.Body)
	}
}

func TestBrandRefusesBadInput(t *testing.T) {
	for _, b := range []Brand{
		{PrimaryColor: "red"},
		{AccentColor: "#12345"},
		{PrimaryColor: "#fff; } body { display:none"},
		{Logo: []byte("GIF89a"), LogoName: "x.gif"},
	} {
		if _, err := New(WithBrand(b)); err == nil {
			t.Errorf("New accepted %+v", b)
		}
	}
}
