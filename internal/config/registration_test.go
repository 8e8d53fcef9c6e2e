package config

import (
	"reflect"
	"strings"
	"testing"
)

const (
	iat1 = "initial-access-token-one-0123456789abcdef"
	iat2 = "initial-access-token-two-0123456789abcdef"
)

func TestRegistrationDefaultIsOff(t *testing.T) {
	c := Default()
	if c.Registration.Mode != RegistrationOff || c.Registration.Enabled() {
		t.Fatalf("default registration = %+v, want mode off and disabled", c.Registration)
	}
	for mode, want := range map[string]bool{RegistrationOff: false, RegistrationInitialToken: true, RegistrationOpen: true, "": false, "bogus": false} {
		if got := (Registration{Mode: mode}).Enabled(); got != want {
			t.Errorf("Enabled() with mode %q = %v, want %v", mode, got, want)
		}
	}
}

func TestRegistrationLoad(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Registration
		wantErr string
	}{
		{name: "absent keeps off", yaml: "", want: Registration{Mode: RegistrationOff, OpenPerHour: DefaultOpenPerHour}},
		{name: "initial token", yaml: "registration:\n  mode: initial_token\n  initial_access_tokens: [" + iat1 + ", " + iat2 + "]\n",
			want: Registration{Mode: RegistrationInitialToken, InitialAccessTokens: []string{iat1, iat2}, OpenPerHour: DefaultOpenPerHour}},
		{name: "open", yaml: "registration:\n  mode: open\n", want: Registration{Mode: RegistrationOpen, OpenPerHour: DefaultOpenPerHour}},
		{name: "open with a limit", yaml: "registration:\n  mode: open\n  open_per_hour: 5\n", want: Registration{Mode: RegistrationOpen, OpenPerHour: 5}},
		{name: "open without a limit", yaml: "registration:\n  mode: open\n  open_per_hour: 0\n", want: Registration{Mode: RegistrationOpen}},
		{name: "negative limit", yaml: "registration:\n  mode: open\n  open_per_hour: -1\n", wantErr: "registration.open_per_hour: is -1"},
		{name: "misspelled key", yaml: "registration:\n  mode: open\n  initial_tokens: [x]\n", wantErr: `line 4: unknown key "registration.initial_tokens"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(writeFile(t, "lucid.yaml", "issuer: https://id.example.com\n"+tt.yaml))
			if err == nil {
				err = c.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Registration, tt.want) {
				t.Errorf("registration = %+v, want %+v", c.Registration, tt.want)
			}
		})
	}
}

func TestRegistrationEnv(t *testing.T) {
	c := withIssuer()
	env := map[string]string{
		"LUCID_REGISTRATION_MODE":                  "initial_token",
		"LUCID_REGISTRATION_INITIAL_ACCESS_TOKENS": " " + iat1 + " ,," + iat2,
		"LUCID_REGISTRATION_OPEN_PER_HOUR":         "7",
	}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want := Registration{Mode: RegistrationInitialToken, InitialAccessTokens: []string{iat1, iat2}, OpenPerHour: 7}
	if !reflect.DeepEqual(c.Registration, want) {
		t.Fatalf("registration = %+v, want %+v", c.Registration, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestRegistrationValidate(t *testing.T) {
	tests := []struct {
		name    string
		reg     Registration
		wantErr []string
	}{
		{name: "off", reg: Registration{Mode: RegistrationOff}},
		{name: "off keeps tokens for later", reg: Registration{Mode: RegistrationOff, InitialAccessTokens: []string{iat1}}},
		{name: "open", reg: Registration{Mode: RegistrationOpen}},
		{name: "initial token", reg: Registration{Mode: RegistrationInitialToken, InitialAccessTokens: []string{iat1, iat2}}},
		{name: "unknown mode", reg: Registration{Mode: "public"}, wantErr: []string{`registration.mode: "public" is not one of off, initial_token, open`}},
		{name: "empty mode", reg: Registration{Mode: ""}, wantErr: []string{"registration.mode"}},
		{name: "initial token without tokens", reg: Registration{Mode: RegistrationInitialToken},
			wantErr: []string{"registration.initial_access_tokens: is empty"}},
		{name: "open with tokens", reg: Registration{Mode: RegistrationOpen, InitialAccessTokens: []string{iat1}},
			wantErr: []string{"registration.initial_access_tokens: are set, but mode open"}},
		{name: "short token", reg: Registration{Mode: RegistrationInitialToken, InitialAccessTokens: []string{iat1, "hunter2"}},
			wantErr: []string{"token #2 is 7 characters"}},
		{name: "repeated token", reg: Registration{Mode: RegistrationInitialToken, InitialAccessTokens: []string{iat1, iat1}},
			wantErr: []string{"token #2 repeats"}},
		{name: "negative limit", reg: Registration{Mode: RegistrationOpen, OpenPerHour: -1},
			wantErr: []string{"registration.open_per_hour: is -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := withIssuer()
			c.Registration = tt.reg
			if tt.reg.OpenPerHour == 0 {
				c.Registration.OpenPerHour = DefaultOpenPerHour
			}
			err := c.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to contain %q", err, w)
				}
			}
			for _, tok := range tt.reg.InitialAccessTokens {
				if strings.Contains(err.Error(), tok) {
					t.Errorf("Validate() repeats a token: %v", err)
				}
			}
		})
	}
}
