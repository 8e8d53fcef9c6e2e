package admin

import (
	"net/http"
)

// Upstream identities: a user's links, and blocked upstream subjects.

func (a *api) listIdentities(w http.ResponseWriter, r *http.Request) {
	l, err := a.svc.Identities(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"identities": l})
}

func (a *api) unlinkIdentity(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.Unlink(r.Context(), r.PathValue("id"), r.PathValue("upstream"), r.PathValue("subject")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: identity unlinked", "trace_id", traceID(r), "user", r.PathValue("id"), "upstream", r.PathValue("upstream"))
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) listBlocks(w http.ResponseWriter, r *http.Request) {
	l, err := a.svc.Blocks(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"blocks": l})
}

func (a *api) blockSubject(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Subject string `json:"subject"`
		Reason  string `json:"reason"`
	}
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.svc.Block(r.Context(), r.PathValue("upstream"), req.Subject, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: upstream subject blocked", "trace_id", traceID(r), "upstream", b.UpstreamID)
	writeJSON(w, http.StatusCreated, b)
}

func (a *api) unblockSubject(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.Unblock(r.Context(), r.PathValue("upstream"), r.PathValue("subject")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
