package trace

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseParent(t *testing.T) {
	const tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tests := []struct {
		name    string
		in      string
		ok      bool
		sampled bool
	}{
		{"sampled", "00-" + tid + "-" + sid + "-01", true, true},
		{"not sampled", "00-" + tid + "-" + sid + "-00", true, false},
		{"other flags kept to the sampled bit", "00-" + tid + "-" + sid + "-03", true, true},
		{"later version with more fields", "01-" + tid + "-" + sid + "-01-what-ever", true, true},
		{"later version, exact length", "cc-" + tid + "-" + sid + "-01", true, true},
		{"version ff", "ff-" + tid + "-" + sid + "-01", false, false},
		{"version 00 with trailing data", "00-" + tid + "-" + sid + "-01-x", false, false},
		{"later version, trailing data without a dash", "01-" + tid + "-" + sid + "-01x", false, false},
		{"upper case trace id", "00-" + strings.ToUpper(tid) + "-" + sid + "-01", false, false},
		{"all-zero trace id", "00-" + strings.Repeat("0", 32) + "-" + sid + "-01", false, false},
		{"all-zero parent id", "00-" + tid + "-" + strings.Repeat("0", 16) + "-01", false, false},
		{"short trace id", "00-" + tid[:31] + "-" + sid + "-01", false, false},
		{"not hex", "00-" + tid[:31] + "g-" + sid + "-01", false, false},
		{"bad flags", "00-" + tid + "-" + sid + "-0x", false, false},
		{"wrong separators", "00_" + tid + "_" + sid + "_01", false, false},
		{"empty", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := ParseParent(tt.in)
			if ok != tt.ok {
				t.Fatalf("ParseParent(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if !ok {
				return
			}
			if p.TraceID != tid || p.SpanID != sid || p.Sampled != tt.sampled {
				t.Fatalf("ParseParent(%q) = %+v", tt.in, p)
			}
		})
	}
}

func TestMiddlewareHonoursTraceparent(t *testing.T) {
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	valid := "00-" + tid + "-00f067aa0ba902b7-01"
	tests := []struct {
		name    string
		headers []string
		same    bool // the trace id is the caller's
	}{
		{"valid", []string{valid}, true},
		{"none", nil, false},
		{"invalid", []string{"00-" + strings.Repeat("0", 32) + "-00f067aa0ba902b7-01"}, false},
		{"two headers", []string{valid, valid}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = ID(r.Context()) }))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tt.headers {
				r.Header.Add("traceparent", v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get(Header); got != seen || !Valid(got) {
				t.Fatalf("header %q, context %q", got, seen)
			}
			if (seen == tid) != tt.same {
				t.Fatalf("trace id %q, caller's %q, want same=%v", seen, tid, tt.same)
			}
		})
	}
}
