package admin

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const openAPIPath = "../../docs/openapi/admin.yaml"

// everyOption turns on every optional part of the admin API, so that all
// its routes are registered. An Option that adds routes belongs here.
func everyOption() []Option {
	return []Option{WithMetrics(http.NotFoundHandler()), WithBackchannel(nil)}
}

// TestOpenAPIMatchesRoutes: docs/openapi/admin.yaml describes exactly the
// operations the admin API's mux registers (read from the mux, not from a
// copied list): each served operation is described and each described one
// is served, with every path parameter declared, a unique operationId,
// responses, and every $ref resolving.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, mux := build(nil, nil, "token", "https://id.example.com", nil, everyOption()...)
	served := mux.operations()
	if len(served) < 20 {
		t.Fatalf("only %d operations registered: %v", len(served), served)
	}

	raw, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi is %q, want 3.1.x", v)
	}
	paths, _ := doc["paths"].(map[string]any)
	var described []string
	ids := map[string]string{}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		pi, _ := item.(map[string]any)
		for method, op := range pi {
			if method == "parameters" {
				continue
			}
			m := strings.ToUpper(method)
			if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, m) {
				t.Errorf("%s: unexpected member %q", path, method)
				continue
			}
			name := m + " " + path
			described = append(described, name)
			o, _ := op.(map[string]any)
			id, _ := o["operationId"].(string)
			switch {
			case id == "":
				t.Errorf("%s has no operationId", name)
			case ids[id] != "":
				t.Errorf("operationId %s is used by %s and %s", id, ids[id], name)
			}
			ids[id] = name
			if r, _ := o["responses"].(map[string]any); len(r) == 0 {
				t.Errorf("%s has no responses", name)
			}
			declared := pathParams(pi["parameters"], doc)
			declared = append(declared, pathParams(o["parameters"], doc)...)
			for _, p := range param.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(declared, p[1]) {
					t.Errorf("%s: path parameter %s is not declared", name, p[1])
				}
			}
		}
	}
	slices.Sort(served)
	slices.Sort(described)
	for _, s := range served {
		if !slices.Contains(described, s) {
			t.Errorf("the admin API serves %s, which docs/openapi/admin.yaml does not describe", s)
		}
	}
	for _, d := range described {
		if !slices.Contains(served, d) {
			t.Errorf("docs/openapi/admin.yaml describes %s, which the admin API does not serve", d)
		}
	}
	checkRefs(t, doc, doc, "")
}

// pathParams lists the names of the path parameters in list, following
// $refs into components.
func pathParams(list any, doc map[string]any) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		p, _ := it.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			p, _ = resolve(doc, ref).(map[string]any)
		}
		if p["in"] == "path" {
			out = append(out, fmt.Sprint(p["name"]))
		}
	}
	return out
}

func resolve(doc map[string]any, ref string) any {
	cur := any(doc)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && (!strings.HasPrefix(ref, "#/") || resolve(doc, ref) == nil) {
			t.Errorf("%s: $ref %s does not resolve", at, ref)
		}
		for k, x := range v {
			checkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			checkRefs(t, doc, x, fmt.Sprintf("%s/%d", at, i))
		}
	}
}
