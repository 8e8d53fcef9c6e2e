package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// handleUserInfo is the UserInfo endpoint (OIDC Core §5.3), GET or POST
// with a Bearer token (RFC 6750 §2.1, §2.2).
func (p *Provider) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.fail(w, r, catalog.UserInfo, "", catalog.New(catalog.MethodNotAllowed, "allowed", "GET and POST", "method", r.Method))
		return
	}
	token, e := bearerToken(w, r)
	if e != nil {
		p.failBearer(w, r, "", e)
		return
	}
	ctx := r.Context()
	claims, e := p.verifyAccessToken(ctx, token)
	if e != nil && e.Status() >= 500 {
		p.fail(w, r, catalog.UserInfo, "", e)
		return
	}
	if e != nil {
		p.failBearer(w, r, "", e)
		return
	}
	granted := scopes(claims.Scope)
	if !contains(granted, "openid") {
		e := catalog.New(catalog.UserInfoOpenIDMissing, "granted", orNone(claims.Scope))
		e.Scope = "openid"
		p.failBearer(w, r, claims.ClientID, e)
		return
	}
	user, err := p.store.GetUser(ctx, claims.Subject)
	if errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled) {
		p.failBearer(w, r, claims.ClientID, catalog.New(catalog.UserInfoUserInactive).Internal("user_id", claims.Subject))
		return
	}
	if err != nil {
		p.fail(w, r, catalog.UserInfo, claims.ClientID, storeError(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(p.userClaims(user, granted))
}

func orNone(s string) string {
	if s == "" {
		return "no scope"
	}
	return s
}

// bearerToken finds the access token: the Authorization header or, for a
// form POST, the access_token body parameter; never the URL query.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, *catalog.Error) {
	if r.URL.Query().Has("access_token") {
		return "", catalog.New(catalog.BearerInQuery)
	}
	var header string
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			header = strings.TrimSpace(value)
		}
	}
	var body string
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err == nil {
			body = r.PostForm.Get("access_token")
		}
	}
	switch {
	case header != "" && body != "":
		return "", catalog.New(catalog.BearerTwice)
	case header != "":
		return header, nil
	case body != "":
		return body, nil
	}
	return "", catalog.New(catalog.BearerMissing)
}
