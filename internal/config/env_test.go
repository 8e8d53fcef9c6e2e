package config

import (
	"reflect"
	"testing"
)

// TestUnknownEnv: a misspelled LUCID_ variable is reported with the
// setting it was meant to be; settings and the test suite's own
// variables are not.
func TestUnknownEnv(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []UnknownVar
	}{
		{name: "settings are known", environ: []string{"LUCID_DATABASE=sqlite:x.db", "LUCID_LIFETIMES_CODE=30s", "LUCID_TLS_CERT_FILE=/c", "LUCID_REGISTRATION_OPEN_PER_HOUR=3", "PATH=/bin", "HOME=/root"}},
		{name: "test variables are no mistake", environ: []string{"LUCID_TEST_POSTGRES=postgres://x", "LUCID_REQUIRE_POSTGRES=1", "LUCID_SCREENSHOTS=/tmp/s", "LUCID_TEST_ANYTHING=1"}},
		{name: "typo", environ: []string{"LUCID_DATABSE=sqlite:/var/lib/lucid.db"}, want: []UnknownVar{{"LUCID_DATABSE", "LUCID_DATABASE"}}},
		{name: "missing letter", environ: []string{"LUCID_MASTER_KY=abc"}, want: []UnknownVar{{"LUCID_MASTER_KY", "LUCID_MASTER_KEY"}}},
		{name: "section left out", environ: []string{"LUCID_ACCESS_TOKEN=5m"}, want: []UnknownVar{{"LUCID_ACCESS_TOKEN", "LUCID_LIFETIMES_ACCESS_TOKEN"}}},
		{name: "word left out", environ: []string{"LUCID_TLS_CERT=/c"}, want: []UnknownVar{{"LUCID_TLS_CERT", "LUCID_TLS_CERT_FILE"}}},
		{name: "lower case", environ: []string{"lucid_issuer=https://id.example.com"}, want: []UnknownVar{{"lucid_issuer", "LUCID_ISSUER"}}},
		{name: "nothing close", environ: []string{"LUCID_FROBNICATE=1", "LUCID_DEMO=true"}, want: []UnknownVar{{"LUCID_DEMO", ""}, {"LUCID_FROBNICATE", ""}}},
		{name: "empty value still reported, once", environ: []string{"LUCID_ADDRESS=", "LUCID_ADDRESS="}, want: []UnknownVar{{"LUCID_ADDRESS", "LUCID_ADDR"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnknownEnv(tt.environ); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("UnknownEnv = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestEnvNamesAreRead: every name EnvNames lists is one ApplyEnv reads.
func TestEnvNamesAreRead(t *testing.T) {
	read := map[string]bool{}
	c := Default()
	_ = c.ApplyEnv(func(k string) string { read[k] = true; return "" })
	for _, n := range EnvNames() {
		if !read[n] {
			t.Errorf("%s is listed but not read", n)
		}
	}
	if len(read) != len(EnvNames()) {
		t.Errorf("ApplyEnv reads %d variables, EnvNames lists %d", len(read), len(EnvNames()))
	}
}
