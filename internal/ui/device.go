package ui

import "net/http"

// The device flow's verification page (RFC 8628 §3.3) lives in its own
// template; registering it here keeps ui.go's list untouched.
func init() { pageFiles["device"] = "templates/device.html" }

// Steps of the device verification page.
const (
	DeviceEnter   = "enter"   // type the code shown on the device
	DeviceConfirm = "confirm" // see who asks for what; approve or deny
	DeviceDone    = "done"    // the decision was recorded
)

// DevicePage is the device verification page: one of its steps.
type DevicePage struct {
	Step   string
	Action string // the form's POST URL
	CSRF   string
	// UserCode is the code as shown to the person (grouped, BDWP-HQPK):
	// the entry field's value, and what the confirm step asks them to
	// compare with the device.
	UserCode string
	// Code is the canonical code the confirm step's form carries on.
	Code string
	// Error, ErrorName and Reference report a failed entry, as on the
	// sign-in page.
	Error       string
	ErrorValues map[string]string // as on SignInPage
	ErrorName   string
	Reference   string

	// The confirm and done steps.
	ClientName string
	ClientID   string
	UserName   string
	Scopes     []Scope
	Unverified bool // as on ConsentPage
	Approved   bool // done: the person allowed the device
}

// Device renders a step of the device verification page. Its forms post
// to Lucid only, and nothing it answers redirects elsewhere.
func (r *Renderer) Device(w http.ResponseWriter, status int, p DevicePage) {
	title := msg{id: "title.device"}
	switch {
	case p.Step == DeviceConfirm:
		title = msg{"title.device_confirm", []any{"Client", p.ClientName}}
	case p.Step == DeviceDone && p.Approved:
		title = msg{id: "title.device_done"}
	case p.Step == DeviceDone:
		title = msg{id: "title.device_denied"}
	}
	r.render(w, status, "device", title, p, policy{formAction: "'self'"})
}
