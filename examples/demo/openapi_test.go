package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestOpenAPICoversEveryRoute: the demo's document lists every mounted
// route, is valid OpenAPI 3.1, and what the documented JSON routes answer
// a sample request matches the schema the document gives for the status.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Setenv("WEBOS_ADMIN_EMAIL", "root@example.com")
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery")
	app, srv := startDemo(t, baseConfig(t))
	resp, err := http.Get(srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("document: %d %.200s", resp.StatusCode, raw)
	}

	// Valid OpenAPI 3.1.
	meta, err := os.ReadFile("../../openapi/testdata/oas-3.1-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	mv, _ := jsonschema.UnmarshalJSON(bytes.NewReader(meta))
	dv, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("oas.json", mv); err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("doc.json", dv); err != nil {
		t.Fatal(err)
	}
	oas, err := c.Compile("oas.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := oas.Validate(dv); err != nil {
		t.Fatalf("not valid OpenAPI 3.1: %v", err)
	}

	// Every route is in it.
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ In string }
			Responses  map[string]struct {
				Content map[string]json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	routes := app.Routes()
	documented := 0
	for _, rt := range routes {
		method := strings.ToLower(rt.Method)
		if method == "" {
			method = "get"
		}
		if method == "head" {
			continue
		}
		p := strings.ReplaceAll(rt.Path, "{$}", "")
		p = strings.ReplaceAll(p, "...}", "}")
		if _, ok := doc.Paths[p][method]; !ok {
			t.Errorf("%s is not in the document (as %s %s)", rt.Pattern(), method, p)
		}
		if rt.Operation != nil {
			documented++
		}
	}
	t.Logf("%d routes, %d documented with types, %d paths in the document", len(routes), documented, len(doc.Paths))

	// Sample requests: every documented JSON GET route without path
	// parameters, as the administrator; the body must match its schema.
	tok := loginToken(t, srv.URL, "root@example.com", "correct-horse-battery")
	checked := 0
	for _, rt := range routes {
		if rt.Method != http.MethodGet || rt.Operation == nil || rt.Operation.Response == nil || strings.Contains(rt.Path, "{") && !strings.HasSuffix(rt.Path, "{$}") {
			continue
		}
		p := strings.ReplaceAll(rt.Path, "{$}", "")
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		code := strconv.Itoa(res.StatusCode)
		if _, ok := doc.Paths[p]["get"].Responses[code]; !ok {
			t.Errorf("GET %s answered %s, which the document does not list: %.200s", p, code, body)
			continue
		}
		ptr := "doc.json#/paths/" + strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1") +
			"/get/responses/" + code + "/content/application~1json/schema"
		sch, err := c.Compile(ptr)
		if err != nil {
			t.Errorf("GET %s: schema for %s: %v", p, code, err)
			continue
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Errorf("GET %s: not JSON: %.200s", p, body)
			continue
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("GET %s (%s) does not match its schema: %v\n%.300s", p, code, err, body)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d documented routes were checked against their schemas", checked)
	}
	t.Logf("%d responses checked against their schemas", checked)

	// The page in the shell lists the operations.
	req, _ := http.NewRequest("GET", srv.URL+"/api/docs", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.Count(string(page), "data-operation=") < len(doc.Paths) ||
		!strings.Contains(string(page), `data-operation="POST /notes/"`) {
		t.Fatalf("docs page: %d, %d operations", res.StatusCode, strings.Count(string(page), "data-operation="))
	}
}

// loginToken signs in and returns a bearer token.
func loginToken(t *testing.T, base, email, password string) string {
	t.Helper()
	resp, err := http.Post(base+"/auth/login", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"`+password+`","token":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return out.Token
}
