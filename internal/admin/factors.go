package admin

import "net/http"

// listFactors is GET /admin/users/{id}/factors: the user's authenticator
// app, unused recovery codes and passkeys (never a secret).
func (a *api) listFactors(w http.ResponseWriter, r *http.Request) {
	v, err := a.svc.Factors(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// resetFactors is DELETE /admin/users/{id}/factors: every second factor
// and passkey of the user goes; the answer lists what went.
func (a *api) resetFactors(w http.ResponseWriter, r *http.Request) {
	v, err := a.svc.ResetFactors(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: factors reset", "trace_id", traceID(r), "user_id", v.UserID,
		"passkeys", len(v.Passkeys), "totp", v.TOTP != nil, "recovery_codes", v.RecoveryCodes)
	writeJSON(w, http.StatusOK, v)
}
