package e2e

// Issue 12: CIBA user codes (OpenID CIBA Core §7.1). A client registered
// with backchannel_user_code_parameter sends the person's user_code with
// every request; Lucid checks it against the code the person set (admin
// API or `lucid user set-ciba-code`), and wrong codes lock the code.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestCIBAUserCode(t *testing.T) {
	w := newCIBAWorld(t, func(c *config.Config) { c.Lockout.Threshold = 3; c.Lockout.Base = time.Minute })
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank counter", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPoll, UserCodeParameter: true}})
	bob := l.user(t, "bob")

	// Discovery says user codes are checked.
	d := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	var meta map[string]any
	if json.Unmarshal(d.body, &meta) != nil || meta["backchannel_user_code_parameter_supported"] != true {
		t.Fatalf("discovery: backchannel_user_code_parameter_supported %v", meta["backchannel_user_code_parameter_supported"])
	}

	// The operator sets alice's code; a code too short is refused.
	path := "/admin/users/" + w.alice.ID + "/ciba-user-code"
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, path, l.cfg.AdminToken, `{"user_code":"12"}`), "admin_invalid_input", "invalid_request", http.StatusBadRequest)
	r := jsonCall(t, l, http.MethodPost, path, l.cfg.AdminToken, `{"user_code":"4711-sesame"}`)
	if r.status != http.StatusOK || !compactHas(r.body, `"ciba_user_code_set":true`) || strings.Contains(string(r.body), "4711") || strings.Contains(string(r.body), "argon2") {
		t.Fatalf("set the code: %d %s", r.status, r.body)
	}

	form := func(user, code string) map[string]string {
		f := map[string]string{"scope": "openid", "login_hint": user}
		if code != "" {
			f["user_code"] = code
		}
		return f
	}
	ask := func(f map[string]string) *reply {
		v := hintForm()
		v.Del("binding_message")
		for k, x := range f {
			v.Set(k, x)
		}
		return bcAuthorize(t, l, c.ID, sec, v)
	}
	wantJSONError(t, l, ask(form(demoUser, "")), "ciba_user_code_missing", "missing_user_code", http.StatusBadRequest)
	wantJSONError(t, l, ask(form(demoUser, "4711-sesamE")), "ciba_user_code_invalid", "invalid_user_code", http.StatusBadRequest)
	// A person without a code: the same answer.
	wantJSONError(t, l, ask(form(bob.Username, "4711-sesame")), "ciba_user_code_invalid", "invalid_user_code", http.StatusBadRequest)
	// The right code starts the request (and resets the count).
	if r := ask(form(demoUser, "4711-sesame")); r.status != http.StatusOK {
		t.Fatalf("right code: %d %s", r.status, r.body)
	}
	// Three wrong codes in a row lock the code; then even the right one
	// is refused until the lock ends or the operator lifts it.
	wantJSONError(t, l, ask(form(demoUser, "0000")), "ciba_user_code_invalid", "invalid_user_code", http.StatusBadRequest)
	wantJSONError(t, l, ask(form(demoUser, "0001")), "ciba_user_code_invalid", "invalid_user_code", http.StatusBadRequest)
	wantJSONError(t, l, ask(form(demoUser, "0002")), "ciba_user_code_locked", "invalid_user_code", http.StatusBadRequest)
	wantJSONError(t, l, ask(form(demoUser, "4711-sesame")), "ciba_user_code_locked", "invalid_user_code", http.StatusBadRequest)
	// The password is not locked by wrong user codes.
	u := jsonCall(t, l, http.MethodGet, "/admin/users/"+w.alice.ID, l.cfg.AdminToken, "")
	if !compactHas(u.body, `"failed_logins":0`, `"ciba_user_code_locked_until":`) || compactHas(u.body, `"locked_until":`) {
		t.Fatalf("alice after wrong codes: %s", u.body)
	}
	if r := jsonCall(t, l, http.MethodPost, "/admin/users/"+w.alice.ID+"/unlock", l.cfg.AdminToken, ""); r.status != http.StatusOK {
		t.Fatalf("unlock: %d %s", r.status, r.body)
	}
	if r := ask(form(demoUser, "4711-sesame")); r.status != http.StatusOK {
		t.Fatalf("right code after unlock: %d %s", r.status, r.body)
	}
	// A client not registered for user codes may not send one.
	wantJSONError(t, l, bcAuthorize(t, l, w.poll.ID, w.pollSecret, hintForm("user_code", "4711-sesame")), "ciba_user_code_unsupported", "invalid_request", http.StatusBadRequest)

	// Removing the code: the client's requests for alice are refused.
	if r := jsonCall(t, l, http.MethodDelete, path, l.cfg.AdminToken, ""); r.status != http.StatusOK || !compactHas(r.body, `"ciba_user_code_set":false`) {
		t.Fatalf("clear the code: %d %s", r.status, r.body)
	}
	wantJSONError(t, l, ask(form(demoUser, "4711-sesame")), "ciba_user_code_invalid", "invalid_user_code", http.StatusBadRequest)
}

// TestCIBAUserCodeRegistration: backchannel_user_code_parameter through
// dynamic registration and the admin API.
func TestCIBAUserCodeRegistration(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Registration.Mode = config.RegistrationOpen })
	reg := jsonCall(t, l, http.MethodPost, "/register", "", `{"client_name":"Self","grant_types":["`+cibaGrant+`"],"response_types":[],
		"token_endpoint_auth_method":"client_secret_basic","backchannel_token_delivery_mode":"poll","backchannel_user_code_parameter":true}`)
	if reg.status != http.StatusCreated || !compactHas(reg.body, `"backchannel_user_code_parameter":true`) {
		t.Fatalf("registration: %d %s", reg.status, reg.body)
	}
	r := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"Counter","grant_types":["`+cibaGrant+`"],"response_types":[],"redirect_uris":[],
		"scopes":["openid"],"backchannel_user_code_parameter":true}`)
	if r.status != http.StatusCreated || !compactHas(r.body, `"backchannel_user_code_parameter":true`) {
		t.Fatalf("admin create: %d %s", r.status, r.body)
	}
}
