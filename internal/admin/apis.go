package admin

import (
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// apiRequest is the body of POST /admin/apis.
type apiRequest struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Scopes      []string `json:"scopes"`
	TokenFormat string   `json:"token_format"`
	// TokenTTL is a Go duration ("10m"); empty means the server default.
	TokenTTL string `json:"token_ttl"`
	// DetailTypes are the API's authorization details types (RFC 9396).
	DetailTypes []store.DetailType `json:"authorization_details_types"`
}

func (a *api) listAPIs(w http.ResponseWriter, r *http.Request) {
	l, err := a.svc.ListAPIs(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]manage.APIView, len(l))
	for i, api := range l {
		out[i] = manage.ViewAPI(api)
	}
	writeJSON(w, http.StatusOK, map[string]any{"apis": out})
}

func (a *api) createAPI(w http.ResponseWriter, r *http.Request) {
	var req apiRequest
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	spec := manage.APISpec{ID: req.ID, Name: req.Name, Scopes: req.Scopes, TokenFormat: req.TokenFormat, DetailTypes: req.DetailTypes}
	if req.TokenTTL != "" {
		d, err := time.ParseDuration(req.TokenTTL)
		if err != nil {
			a.fail(w, r, catalog.New(catalog.AdminInvalid, "field", "token_ttl", "reason", "not a duration such as 10m"))
			return
		}
		spec.TokenTTL = d
	}
	created, err := a.svc.CreateAPI(r.Context(), spec)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: api created", "trace_id", traceID(r), "api", created.ID)
	writeJSON(w, http.StatusCreated, manage.ViewAPI(created))
}

// deleteAPI takes the identifier as ?id=: identifiers are URLs, which do
// not fit in one path segment.
func (a *api) deleteAPI(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		a.fail(w, r, catalog.New(catalog.AdminInvalid, "field", "id", "reason", "give the API identifier as ?id="))
		return
	}
	if err := a.svc.DeleteAPI(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: api deleted", "trace_id", traceID(r), "api", id)
	w.WriteHeader(http.StatusNoContent)
}
