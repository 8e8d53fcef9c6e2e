package admin

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// userRequest is the body of POST /admin/users; names follow the OIDC claims.
type userRequest struct {
	Username      string         `json:"username"`
	Email         string         `json:"email"`
	EmailVerified bool           `json:"email_verified"`
	Name          string         `json:"name"`
	GivenName     string         `json:"given_name"`
	FamilyName    string         `json:"family_name"`
	Phone         string         `json:"phone_number"`
	PhoneVerified bool           `json:"phone_number_verified"`
	Address       *store.Address `json:"address"`
	Password      string         `json:"password"`
	Disabled      bool           `json:"disabled"`
}

// userPatch is the body of PATCH /admin/users/{id}: absent fields stay.
type userPatch struct {
	Username      *string         `json:"username"`
	Email         *string         `json:"email"`
	EmailVerified *bool           `json:"email_verified"`
	Name          *string         `json:"name"`
	GivenName     *string         `json:"given_name"`
	FamilyName    *string         `json:"family_name"`
	Phone         *string         `json:"phone_number"`
	PhoneVerified *bool           `json:"phone_number_verified"`
	Address       json.RawMessage `json:"address"` // null clears
	Disabled      *bool           `json:"disabled"`
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := a.svc.ListUsers(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]manage.UserView, len(us))
	for i, u := range us {
		out[i] = manage.ViewUser(u)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *api) createUser(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.svc.CreateUser(r.Context(), manage.UserSpec{
		Username:      req.Username,
		Email:         req.Email,
		EmailVerified: req.EmailVerified,
		Name:          req.Name,
		GivenName:     req.GivenName,
		FamilyName:    req.FamilyName,
		Phone:         req.Phone,
		PhoneVerified: req.PhoneVerified,
		Address:       req.Address,
		Password:      req.Password,
		Disabled:      req.Disabled,
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: user created", "trace_id", traceID(r), "user_id", u.ID)
	w.Header().Set("Location", a.issuer+"/admin/users/"+u.ID)
	writeJSON(w, http.StatusCreated, manage.ViewUser(u))
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}

func (a *api) updateUser(w http.ResponseWriter, r *http.Request) {
	var req userPatch
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	p := manage.UserPatch{
		Username:      req.Username,
		Email:         req.Email,
		EmailVerified: req.EmailVerified,
		Name:          req.Name,
		GivenName:     req.GivenName,
		FamilyName:    req.FamilyName,
		Phone:         req.Phone,
		PhoneVerified: req.PhoneVerified,
		Disabled:      req.Disabled,
	}
	if req.Address != nil {
		var addr *store.Address
		if !bytes.Equal(bytes.TrimSpace(req.Address), []byte("null")) {
			addr = new(store.Address)
			dec := json.NewDecoder(bytes.NewReader(req.Address))
			dec.DisallowUnknownFields()
			if err := dec.Decode(addr); err != nil {
				a.fail(w, r, catalog.New(catalog.AdminInvalid, "field", "address", "reason", "expected an OIDC address object (formatted, street_address, locality, region, postal_code, country)"))
				return
			}
		}
		p.Address = &addr
	}
	u, err := a.svc.UpdateUser(r.Context(), r.PathValue("id"), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: user updated", "trace_id", traceID(r), "user_id", u.ID)
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}

func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.svc.DeleteUser(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: user deleted", "trace_id", traceID(r), "user", id)
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) setPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := a.svc.SetPassword(r.Context(), id, req.Password); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: password set", "trace_id", traceID(r), "user", id)
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) unlockUser(w http.ResponseWriter, r *http.Request) {
	u, err := a.svc.Unlock(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: user unlocked", "trace_id", traceID(r), "user_id", u.ID)
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}

// endSessions is DELETE /admin/users/{id}/sessions: the user is signed
// out of every browser, and every client of those sessions gets a
// back-channel logout (delivered through the outbox).
func (a *api) endSessions(w http.ResponseWriter, r *http.Request) {
	u, err := a.svc.EndSessions(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: user's sessions ended", "trace_id", traceID(r), "user_id", u.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) listKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := keys.List(r.Context(), a.svc.Store, a.now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": ks})
}

// rotateKeys makes new signing keys; the retired ones stay published for
// the configured key_publish period so tokens they signed still verify.
func (a *api) rotateKeys(w http.ResponseWriter, r *http.Request) {
	if a.km == nil {
		a.fail(w, r, errNoKeys)
		return
	}
	now := a.now()
	if err := a.km.Rotate(r.Context(), now, a.svc.PublishFor()); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: signing keys rotated", "trace_id", traceID(r), "published_for", a.svc.PublishFor())
	a.listKeys(w, r)
}

func (a *api) listConsents(w http.ResponseWriter, r *http.Request) {
	l, err := a.svc.Consents(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": l})
}

func (a *api) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.WithdrawConsent(r.Context(), r.PathValue("id"), r.PathValue("client_id")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: consent withdrawn", "trace_id", traceID(r), "user", r.PathValue("id"), "client_id", r.PathValue("client_id"))
	w.WriteHeader(http.StatusNoContent)
}

// setCIBAUserCode is POST /admin/users/{id}/ciba-user-code
// {"user_code": "…"}: sets the person's CIBA user code.
func (a *api) setCIBAUserCode(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserCode string `json:"user_code"`
	}
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.svc.SetCIBAUserCode(r.Context(), r.PathValue("id"), req.UserCode)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: CIBA user code set", "trace_id", traceID(r), "user_id", u.ID)
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}

// clearCIBAUserCode is DELETE /admin/users/{id}/ciba-user-code.
func (a *api) clearCIBAUserCode(w http.ResponseWriter, r *http.Request) {
	u, err := a.svc.ClearCIBAUserCode(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: CIBA user code removed", "trace_id", traceID(r), "user_id", u.ID)
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}

// grantAdmin is POST /admin/users/{id}/admin: the user may sign in to the
// web console.
func (a *api) grantAdmin(w http.ResponseWriter, r *http.Request) { a.setAdmin(w, r, true) }

// revokeAdmin is DELETE /admin/users/{id}/admin.
func (a *api) revokeAdmin(w http.ResponseWriter, r *http.Request) { a.setAdmin(w, r, false) }

func (a *api) setAdmin(w http.ResponseWriter, r *http.Request, admin bool) {
	u, err := a.svc.SetAdmin(r.Context(), r.PathValue("id"), admin)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: console role changed", "trace_id", traceID(r), "user_id", u.ID, "admin", admin)
	writeJSON(w, http.StatusOK, manage.ViewUser(u))
}
