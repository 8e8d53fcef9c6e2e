package provider

import "testing"

func TestRedirectHost(t *testing.T) {
	cases := map[string]string{
		"https://payroll.example.com/cb":        "payroll.example.com",
		"https://Payroll.Example.com:8443/cb?x": "payroll.example.com:8443",
		"http://127.0.0.1:53682/cb":             "127.0.0.1:53682",
		"http://[::1]/cb":                       "[::1]",
		"com.example.app:/oauth2redirect":       "com.example.app:",
		"https://pаypal.example/cb":             "p%D0%B0ypal.example", // Cyrillic а
		"%zz":                                   "",
	}
	for in, want := range cases {
		if got := redirectHost(in); got != want {
			t.Errorf("redirectHost(%q) = %q, want %q", in, got, want)
		}
	}
}
