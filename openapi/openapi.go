package openapi

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"

	oapi "github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi31"

	"github.com/webos-go/webos"
)

// Info describes the API in the document's info object.
type Info struct {
	// Title names the API (default "WebOS API").
	Title string
	// Version is the API's version (default "1.0.0").
	Version string
	// Description says what the API is for.
	Description string
	// CookieName is the session cookie's name, for the cookie security
	// scheme (default "webos_session", auth's default).
	CookieName string
}

// Security scheme names of the document.
const (
	SchemeBearer = "bearer"
	SchemeCookie = "cookie"
)

// ExtPermissions is the operation extension that lists the permissions a
// route needs.
const ExtPermissions = "x-permissions"

var pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// Build returns the OpenAPI 3.1 document of routes, such as those of
// [webos.App.Routes]: every route is an operation with its path
// parameters, tagged with its module, secured by bearer token or session
// cookie when it needs a signed-in user, with the permissions it needs
// (in its description and the x-permissions extension) and the kernel's
// error shape ([webos.ErrorBody]) for its failures. A route documented
// with [webos.Describe] also has its summary, its request body and query
// parameters (from the request type's json and query tags) and its
// response body. A route for any method is listed as GET.
func Build(routes []webos.Route, info Info) (*openapi31.Spec, error) {
	r := openapi31.NewReflector()
	s := r.Spec
	s.SetTitle(cmpOr(info.Title, "WebOS API"))
	s.SetVersion(cmpOr(info.Version, "1.0.0"))
	if info.Description != "" {
		s.SetDescription(info.Description)
	}
	s.SetHTTPBearerTokenSecurity(SchemeBearer, "", "An API token from POST /auth/tokens or a login with \"token\": true")
	s.SetAPIKeySecurity(SchemeCookie, cmpOr(info.CookieName, "webos_session"), oapi.InCookie, "The session cookie a browser gets at sign-in")
	seen := map[string]bool{}
	for _, rt := range routes {
		method := rt.Method
		if method == "" {
			method = http.MethodGet
		}
		if method == http.MethodHead && hasRoute(routes, http.MethodGet, rt.Path) {
			continue // net/http answers HEAD with the GET route
		}
		path, params := docPath(rt.Path)
		key := method + " " + path
		if seen[key] {
			continue // "/x" and "/x/{$}" of one route
		}
		seen[key] = true
		if err := addOperation(r, rt, method, path, params); err != nil {
			return nil, fmt.Errorf("openapi: %s: %w", rt.Pattern(), err)
		}
	}
	return s, nil
}

func hasRoute(routes []webos.Route, method, path string) bool {
	return slices.ContainsFunc(routes, func(r webos.Route) bool { return r.Method == method && r.Path == path })
}

// docPath turns a net/http pattern's path into an OpenAPI path: "{$}" is
// dropped (the path ends in "/"), "{rest...}" becomes "{rest}". It returns
// the names of the path's parameters.
func docPath(p string) (string, []string) {
	p = strings.ReplaceAll(p, "{$}", "")
	var params []string
	p = pathParam.ReplaceAllStringFunc(p, func(m string) string {
		name := pathParam.FindStringSubmatch(m)[1]
		params = append(params, name)
		return "{" + name + "}"
	})
	return p, params
}

func addOperation(r *openapi31.Reflector, rt webos.Route, method, path string, params []string) error {
	oc, err := r.NewOperationContext(method, path)
	if err != nil {
		return err
	}
	op := rt.Operation
	if op == nil {
		op = &webos.Operation{}
	}
	tag := rt.Module
	if tag == "" {
		tag = "kernel"
	}
	oc.SetTags(tag)
	oc.SetID(operationID(method, path))
	oc.SetSummary(cmpOr(op.Summary, method+" "+path))
	desc := op.Description
	if len(rt.Permissions) > 0 {
		desc = strings.TrimSpace(desc + "\n\nNeeds the permissions: " + strings.Join(rt.Permissions, ", ") + ".")
	} else if rt.SignedIn {
		desc = strings.TrimSpace(desc + "\n\nNeeds a signed-in user.")
	}
	if desc != "" {
		oc.SetDescription(desc)
	}
	if rt.SignedIn {
		oc.AddSecurity(SchemeBearer)
		oc.AddSecurity(SchemeCookie)
	}
	if pp := pathParams(params); pp != nil {
		oc.AddReqStructure(pp)
	}
	if op.Request != nil {
		oc.AddReqStructure(op.Request)
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case op.Response != nil:
		oc.AddRespStructure(op.Response, oapi.WithHTTPStatus(status))
	case op.ContentType != "":
		oc.AddRespStructure(nil, oapi.WithHTTPStatus(status), oapi.WithContentType(op.ContentType))
	default:
		oc.AddRespStructure(nil, oapi.WithHTTPStatus(status))
	}
	errs := []int{http.StatusBadRequest}
	if rt.SignedIn {
		errs = append(errs, http.StatusUnauthorized)
	}
	if len(rt.Permissions) > 0 {
		errs = append(errs, http.StatusForbidden)
	}
	if len(params) > 0 {
		errs = append(errs, http.StatusNotFound)
	}
	if op.Request != nil {
		errs = append(errs, http.StatusUnprocessableEntity)
	}
	errs = append(errs, http.StatusServiceUnavailable)
	for _, code := range errs {
		oc.AddRespStructure(webos.ErrorBody{}, oapi.WithHTTPStatus(code))
	}
	if err := r.AddOperation(oc); err != nil {
		return err
	}
	if len(rt.Permissions) > 0 {
		return r.Spec.SetupOperation(method, path, func(o *openapi31.Operation) error {
			o.WithMapOfAnythingItem(ExtPermissions, slices.Clone(rt.Permissions))
			return nil
		})
	}
	return nil
}

// pathParams returns a struct value whose fields are the path
// parameters, for the reflector; nil for none.
func pathParams(params []string) any {
	if len(params) == 0 {
		return nil
	}
	fields := make([]reflect.StructField, len(params))
	for i, p := range params {
		fields[i] = reflect.StructField{Name: fmt.Sprintf("P%d", i),
			Type: reflect.TypeFor[string](), Tag: reflect.StructTag(fmt.Sprintf(`path:%q`, p))}
	}
	return reflect.New(reflect.StructOf(fields)).Interface()
}

// operationID names an operation uniquely: "get_notes_list".
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
