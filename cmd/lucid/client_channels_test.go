package main

import (
	"strings"
	"testing"
)

// TestClientChannels: the logout and CIBA flags set a client's channels on
// create, change and clear them on update, and a value the management
// layer refuses is refused with its field named.
func TestClientChannels(t *testing.T) {
	c := newCLI(t)
	type channels struct {
		ID          string `json:"client_id"`
		BackURI     string `json:"backchannel_logout_uri"`
		BackSession bool   `json:"backchannel_logout_session_required"`
		FrontURI    string `json:"frontchannel_logout_uri"`
		Mode        string `json:"backchannel_token_delivery_mode"`
		Endpoint    string `json:"backchannel_client_notification_endpoint"`
	}
	var got channels
	c.json(&got, "client", "create", "--name", "Mail", "--redirect-uri", "https://mail.example.com/cb",
		"--backchannel-logout-uri", "https://mail.example.com/bcl", "--backchannel-logout-session-required",
		"--frontchannel-logout-uri", "https://mail.example.com/fcl", "--output", "json")
	if got.ID == "" || got.BackURI != "https://mail.example.com/bcl" || !got.BackSession || got.FrontURI != "https://mail.example.com/fcl" || got.Mode != "" {
		t.Fatalf("created %+v", got)
	}
	id := got.ID
	got = channels{}
	if r := c.runIn("", "client", "update", id, "--backchannel-logout-uri", ""); r.code != 1 || !strings.Contains(r.stderr, "backchannel_logout_session_required") {
		t.Errorf("clearing the URI but not sid: code %d, %s", r.code, r.stderr)
	}
	c.json(&got, "client", "update", id, "--backchannel-logout-uri", "", "--backchannel-logout-session-required=false", "--output", "json")
	if got.BackURI != "" || got.FrontURI != "https://mail.example.com/fcl" {
		t.Errorf("after clearing the back-channel URI: %+v", got)
	}

	var kiosk channels
	c.json(&kiosk, "client", "create", "--name", "Kiosk", "--grant-type", "urn:openid:params:grant-type:ciba",
		"--ciba-delivery-mode", "ping", "--ciba-notification-endpoint", "https://kiosk.example.com/cb", "--output", "json")
	if kiosk.Mode != "ping" || kiosk.Endpoint != "https://kiosk.example.com/cb" {
		t.Fatalf("CIBA client %+v", kiosk)
	}
	kiosk.Endpoint = ""
	c.json(&kiosk, "client", "update", kiosk.ID, "--ciba-delivery-mode", "poll", "--output", "json")
	if kiosk.Mode != "poll" || kiosk.Endpoint != "" {
		t.Errorf("after switching to poll: %+v", kiosk)
	}
	if r := c.runIn("", "client", "update", kiosk.ID, "--ciba-delivery-mode", "push"); r.code != 1 || !strings.Contains(r.stderr, "backchannel_client_notification_endpoint") {
		t.Errorf("push: code %d, %s", r.code, r.stderr)
	}
}
