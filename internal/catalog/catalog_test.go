package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rfcErrors are the error codes the catalog may map to, by the
// specification that defines them.
var rfcErrors = map[string]string{
	"invalid_request":                   "RFC 6749",
	"invalid_client":                    "RFC 6749",
	"invalid_grant":                     "RFC 6749",
	"unauthorized_client":               "RFC 6749",
	"unsupported_grant_type":            "RFC 6749",
	"invalid_scope":                     "RFC 6749",
	"access_denied":                     "RFC 6749",
	"unsupported_response_type":         "RFC 6749",
	"server_error":                      "RFC 6749",
	"temporarily_unavailable":           "RFC 6749",
	"invalid_token":                     "RFC 6750",
	"insufficient_scope":                "RFC 6750",
	"unsupported_token_type":            "RFC 7009",
	"invalid_redirect_uri":              "RFC 7591",
	"invalid_client_metadata":           "RFC 7591",
	"invalid_software_statement":        "RFC 7591",
	"unapproved_software_statement":     "RFC 7591",
	"authorization_pending":             "RFC 8628",
	"slow_down":                         "RFC 8628",
	"expired_token":                     "RFC 8628",
	"invalid_target":                    "RFC 8707",
	"invalid_dpop_proof":                "RFC 9449",
	"invalid_authorization_details":     "RFC 9396",
	"use_dpop_nonce":                    "RFC 9449",
	"interaction_required":              "OIDC Core",
	"login_required":                    "OIDC Core",
	"account_selection_required":        "OIDC Core",
	"consent_required":                  "OIDC Core",
	"invalid_request_uri":               "OIDC Core",
	"invalid_request_object":            "OIDC Core",
	"request_not_supported":             "OIDC Core",
	"request_uri_not_supported":         "OIDC Core",
	"registration_not_supported":        "OIDC Core",
	"unmet_authentication_requirements": "OIDC Core",
	"expired_login_hint_token":          "OpenID CIBA Core",
	"unknown_user_id":                   "OpenID CIBA Core",
	"missing_user_code":                 "OpenID CIBA Core",
	"invalid_user_code":                 "OpenID CIBA Core",
	"invalid_binding_message":           "OpenID CIBA Core",
	"transaction_failed":                "OpenID CIBA Core",
	// Lucid's admin API and pages, which are not OAuth endpoints.
	"not_found": "RFC 9110",
	"conflict":  "RFC 9110",
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)
var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestEntriesAreWellFormed(t *testing.T) {
	seen := map[Name]bool{}
	for _, e := range All() {
		t.Run(string(e.Name), func(t *testing.T) {
			if seen[e.Name] {
				t.Fatalf("duplicate entry %s", e.Name)
			}
			seen[e.Name] = true
			if !snake.MatchString(string(e.Name)) {
				t.Errorf("name %q is not snake_case", e.Name)
			}
			if e.Name != BearerMissing {
				if _, ok := rfcErrors[e.Error]; !ok {
					t.Errorf("error %q is not a registered RFC error code", e.Error)
				}
			}
			if http.StatusText(e.Status) == "" {
				t.Errorf("status %d is not an HTTP status", e.Status)
			}
			if e.Title == "" || e.Description == "" || e.Spec == "" || !strings.HasPrefix(e.SpecURL, "https://") || len(e.Endpoints) == 0 {
				t.Errorf("entry is missing its title, description, spec, spec URL or endpoints")
			}
			if strings.ContainsAny(e.Description, "\"\\") {
				t.Errorf("description has characters RFC 6749 forbids in error_description")
			}
			if e.Error == "invalid_client" && e.Status != http.StatusUnauthorized {
				t.Errorf("invalid_client must be 401 (RFC 6749 §5.2 with WWW-Authenticate); got %d", e.Status)
			}
		})
	}
}

func TestEveryNameHasEntry(t *testing.T) {
	// Names live in names.go and, per area, in names_*.go.
	files, err := filepath.Glob("names*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no names files: %v", err)
	}
	fset := token.NewFileSet()
	count := 0
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					continue
				}
				name, _ := strconv.Unquote(lit.Value)
				count++
				if _, ok := Lookup(Name(name)); !ok {
					t.Errorf("name %q has no catalog entry", name)
				}
			}
			return true
		})
	}
	if count != len(entries) {
		t.Errorf("names*.go declare %d names but the catalog has %d entries", count, len(entries))
	}
}

func TestDescriptionFillsPlaceholders(t *testing.T) {
	e := New(CodeExpired, "ago", 40*time.Second, "lifetime", time.Minute)
	want := "authorization_code_expired: The authorization code expired 40s ago; codes live 1m0s. Exchange the code right after the redirect."
	if got := e.Description(); got != want {
		t.Fatalf("description = %q, want %q", got, want)
	}
	if strings.Contains(New(RedirectURIMismatch, "given", `x"y\z`, "expected", "é").Description(), `"`) {
		t.Fatal("description kept a double quote")
	}
}

func TestUnknownNameDegradesToServerError(t *testing.T) {
	e := New(Name("no_such_entry"))
	if e.Name() != ServerError {
		t.Fatalf("got %s, want server_error", e.Name())
	}
}

func TestWriteJSON(t *testing.T) {
	cases := []struct {
		name      string
		err       *Error
		challenge string
	}{
		{"basic 401", New(ClientSecretWrong, "client_id", "app").WithChallenge("Basic"), `Basic realm="https://id.example", charset="UTF-8"`},
		{"400 no challenge", New(CodeUnknown), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.err.WriteJSON(rec, "https://id.example", "trace123", time.Unix(0, 0))
			if rec.Code != tc.err.Status() {
				t.Errorf("status %d, want %d", rec.Code, tc.err.Status())
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("missing Cache-Control: no-store")
			}
			body := rec.Body.String()
			for _, want := range []string{`"error":"` + tc.err.Code() + `"`, `"error_code":"` + string(tc.err.Name()) + `"`, `"trace_id":"trace123"`, `"error_uri":"https://id.example/errors/` + string(tc.err.Name()) + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("body %s lacks %s", body, want)
				}
			}
		})
	}
}

func TestBearerChallengeQuoting(t *testing.T) {
	e := New(InsufficientScope, "required", "read", "granted", "openid")
	e.Scope = "read"
	got := e.ChallengeHeader("Bearer", `https://id.example`)
	want := `Bearer realm="https://id.example", error="insufficient_scope", error_description="insufficient_scope: This resource needs scope read; the access token has openid.", error_uri="https://id.example/errors/insufficient_scope", scope="read"`
	if got != want {
		t.Fatalf("challenge\n got %s\nwant %s", got, want)
	}
	if got := New(BearerMissing).ChallengeHeader("Bearer", "r"); got != `Bearer realm="r"` {
		t.Fatalf("bare challenge = %s", got)
	}
}

// rfcErrorLiteral matches a Go string literal that is exactly an RFC error code.
func TestNoErrorOutsideCatalog(t *testing.T) {
	root := filepath.Join("..", "..")
	var offenders []string
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			switch info.Name() {
			case ".git", "testdata", "node_modules", "catalog":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if _, isCode := rfcErrors[s]; isCode && s != "not_found" && s != "conflict" {
				offenders = append(offenders, path+": "+lit.Value)
			}
			if strings.Contains(s, `"error":`) || strings.Contains(s, "error_description=") {
				offenders = append(offenders, path+": hand-built error "+lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offenders {
		t.Errorf("OAuth error built outside the catalog: %s", o)
	}
}
