package ui

import "net/http"

// ApprovalsPage lists the backchannel authentication requests (OpenID
// CIBA) waiting for the signed-in person, each with approve and deny.
type ApprovalsPage struct {
	UserName string
	Requests []Approval
	Action   string // form POST URL
	CSRF     string
	Notice   string
}

// Approval is one request waiting for the person.
type Approval struct {
	ID             string
	ClientName     string
	ClientID       string
	BindingMessage string
	ACRValues      string
	Scopes         []Scope
	ExpiresIn      string
}

// Approvals renders the pending approvals page.
func (r *Renderer) Approvals(w http.ResponseWriter, status int, p ApprovalsPage) {
	r.render(w, status, "approvals", msg{id: "title.approvals"}, p, policy{formAction: "'self'"})
}
