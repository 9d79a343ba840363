package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/zapgate/zapgate/handlers/ws"
	"github.com/zapgate/zapgate/infra/metrics"
)

// openapiDocument is the part of an OpenAPI document the tests look at.
type openapiDocument struct {
	OpenAPI    string                          `yaml:"openapi"`
	Info       map[string]any                  `yaml:"info"`
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Parameters map[string]openapiParam    `yaml:"parameters"`
		Responses  map[string]openapiResponse `yaml:"responses"`
		Schemas    map[string]yaml.Node       `yaml:"schemas"`
	} `yaml:"components"`
}

type openapiParam struct {
	Ref  string `yaml:"$ref"`
	Name string `yaml:"name"`
	In   string `yaml:"in"`
}

type openapiOperation struct {
	Tags      []string                   `yaml:"tags"`
	Responses map[string]openapiResponse `yaml:"responses"`
}

type openapiResponse struct {
	Ref     string `yaml:"$ref"`
	Content map[string]struct {
		Schema struct {
			Ref string `yaml:"$ref"`
		} `yaml:"schema"`
	} `yaml:"content"`
}

var openapiMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true}

func loadOpenAPI(t *testing.T) openapiDocument {
	t.Helper()
	var doc openapiDocument
	if err := yaml.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	return doc
}

// operations maps "METHOD /path" to each documented operation.
func operations(t *testing.T, doc openapiDocument) map[string]openapiOperation {
	t.Helper()
	ops := map[string]openapiOperation{}
	for path, item := range doc.Paths {
		for method, node := range item {
			if !openapiMethods[method] {
				continue // parameters, summary, description, servers
			}
			var op openapiOperation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

func TestOpenAPIDocumentParses(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info["title"] != "zapgate" || doc.Info["version"] == nil {
		t.Errorf("info = %v, want title zapgate and a version", doc.Info)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths")
	}
	for _, name := range []string{"Error", "Instance", "InstanceCreated", "Message", "SimSentItem", "SimStats"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}

	// Every local $ref points at something that exists.
	var tree any
	if err := yaml.Unmarshal(openapiDoc, &tree); err != nil {
		t.Fatal(err)
	}
	for _, ref := range regexp.MustCompile(`\$ref: *"?([^"\s]+)"?`).FindAllStringSubmatch(string(openapiDoc), -1) {
		if !strings.HasPrefix(ref[1], "#/") {
			t.Errorf("$ref %s is not local", ref[1])
			continue
		}
		cur := tree
		for _, part := range strings.Split(strings.TrimPrefix(ref[1], "#/"), "/") {
			m, _ := cur.(map[string]any)
			cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(part)]
		}
		if cur == nil {
			t.Errorf("$ref %s points at nothing", ref[1])
		}
	}

	// Every path template parameter is declared as a path parameter, on
	// the path item or on the operation.
	pathParams := func(ps []openapiParam) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			if p.Ref != "" {
				p = doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			}
			if p.In == "path" {
				out[p.Name] = true
			}
		}
		return out
	}
	template := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths {
		var common []openapiParam
		if n, ok := item["parameters"]; ok {
			if err := n.Decode(&common); err != nil {
				t.Fatalf("%s parameters: %v", path, err)
			}
		}
		for method, node := range item {
			if !openapiMethods[method] {
				continue
			}
			var op struct {
				Parameters []openapiParam `yaml:"parameters"`
			}
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			declared := pathParams(append(append([]openapiParam{}, common...), op.Parameters...))
			for _, m := range template.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %q is not declared", strings.ToUpper(method), path, m[1])
				}
			}
		}
	}
}

// fakeSim stands in for the simulated network so the sim routes exist.
type fakeSim struct{}

func (fakeSim) Scan(context.Context, string, string) error { return nil }
func (fakeSim) Sent(context.Context, string, int, int64) ([]SimSent, error) {
	return nil, nil
}
func (fakeSim) Stats(context.Context) (SimStats, error)                    { return SimStats{}, nil }
func (fakeSim) SetFaults(context.Context, string, string, bool, int) error { return nil }
func (fakeSim) AddContact(context.Context, string, string, string, bool, bool, string) error {
	return nil
}
func (fakeSim) AddGroup(context.Context, string, []string, []string) (string, error) { return "", nil }

func newDocsServer() *Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Every optional part is on, so every route is registered.
	return New(nil, metrics.New(), Options{Sim: fakeSim{}, Hub: ws.NewHub(log)}, log)
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)[?+*]?`)

// TestOpenAPIDocumentsEveryRoute fails when a route is added without
// documenting it in openapi.yaml.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	ops := operations(t, loadOpenAPI(t))
	s := newDocsServer()
	seen := map[string]bool{}
	var missing []string
	for _, r := range s.Fiber().GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" || r.Path == "/" || r.Path == "" {
			continue
		}
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		key := r.Method + " " + path
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := ops[key]; !ok {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s is not in openapi.yaml", m)
	}
	for _, want := range []string{"GET /healthz", "POST /v1/instances", "GET /v1/sim/stats", "GET /v1/ws", "GET /docs"} {
		if !seen[want] {
			t.Errorf("route %s was not registered; is the server built as in production?", want)
		}
	}
}

// TestOpenAPIErrorResponses checks that every API operation documents at
// least one 4xx answer in the shared Error shape.
func TestOpenAPIErrorResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	isError := func(r openapiResponse) bool {
		if r.Ref != "" {
			name := strings.TrimPrefix(r.Ref, "#/components/responses/")
			r = doc.Components.Responses[name]
		}
		return r.Content["application/json"].Schema.Ref == "#/components/schemas/Error"
	}
	for key, op := range operations(t, doc) {
		if len(op.Responses) == 0 {
			t.Errorf("%s has no responses", key)
			continue
		}
		if len(op.Tags) == 0 {
			t.Errorf("%s has no tag", key)
		}
		if tagged(op, "health") || tagged(op, "docs") {
			continue
		}
		ok := false
		for code, r := range op.Responses {
			if strings.HasPrefix(code, "4") && isError(r) {
				ok = true
				break
			}
		}
		if !ok {
			t.Errorf("%s documents no 4xx response with the Error schema", key)
		}
	}
}

func tagged(op openapiOperation, tag string) bool {
	for _, t := range op.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

func TestOpenAPIServedAsYAMLAndJSON(t *testing.T) {
	s := newDocsServer()
	res, err := s.Fiber().Test(httptest.NewRequest("GET", "/openapi.yaml", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("GET /openapi.yaml = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if string(body) != string(openapiDoc) {
		t.Error("GET /openapi.yaml does not serve the embedded document")
	}

	// The JSON form says the same as the YAML, in the same order.
	raw, err := yamlToJSON(openapiDoc)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON, fromYAML any
	if err := json.Unmarshal(raw, &fromJSON); err != nil {
		t.Fatalf("JSON form does not parse: %v", err)
	}
	if err := yaml.Unmarshal(openapiDoc, &fromYAML); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromJSON)
	b, err := json.Marshal(stringKeys(fromYAML))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("the JSON form differs from the YAML document")
	}
	if strings.Index(string(raw), `"/healthz"`) > strings.Index(string(raw), `"/v1/instances"`) {
		t.Error("the JSON form does not keep the document's order")
	}
}

// stringKeys turns yaml.v3's map[any]any into map[string]any.
func stringKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = stringKeys(e)
		}
		return t
	case map[any]any:
		m := map[string]any{}
		for k, e := range t {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = stringKeys(e)
		}
		return t
	}
	return v
}

func TestDocsPage(t *testing.T) {
	s := newDocsServer()
	res, err := s.Fiber().Test(httptest.NewRequest("GET", "/docs", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	page := string(body)
	if strings.Contains(page, string(specMarker)) {
		t.Error("the docs page does not carry the document inline")
	}
	if !strings.Contains(page, `"openapi":"3.0.3"`) {
		t.Error("the inline document is not the OpenAPI JSON")
	}
	// Works offline: nothing is loaded from elsewhere.
	for _, bad := range regexp.MustCompile(`(?i)(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+`).FindAllString(page, -1) {
		t.Errorf("the docs page loads an outside resource: %s", bad)
	}
	if strings.Contains(page, "<script src") || strings.Contains(page, `rel="stylesheet"`) {
		t.Error("the docs page loads scripts or styles from files")
	}
	// The inline JSON cannot end the <script> element early.
	if strings.Count(page, "</script>") != 1 {
		t.Error("the inline document breaks out of its <script> element")
	}
}
