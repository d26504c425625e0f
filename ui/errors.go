package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/trace"
)

// wantsHTML reports whether the client is a browser that shows the
// response as a page: a navigation, or an htmx request for the shell's
// main region.
func wantsHTML(r *http.Request) bool {
	if IsFragment(r) {
		return true
	}
	switch r.Header.Get("Sec-Fetch-Mode") {
	case "navigate":
		return true
	case "":
		return !IsHTMX(r) && strings.Contains(r.Header.Get("Accept"), "text/html")
	}
	return false
}

// Error answers the request with err: for a browser, a page inside the
// shell with the status [webos.StatusOf] gives (and for 401 the sign-in
// page); for any other client the kernel's JSON error.
func (m *Module) Error(w http.ResponseWriter, r *http.Request, err error) {
	if !wantsHTML(r) {
		webos.WriteError(w, r, err)
		return
	}
	status, body := webos.PublicError(w, r, err)
	if status == http.StatusUnauthorized {
		m.toLogin(w, r)
		return
	}
	msg := body.Error
	if status >= 500 {
		webos.WriteError(discard{}, r, err) // logs it with the trace id
		msg = ""
	}
	m.errorPage(w, r, status, msg, body.Fields)
}

// errorPage renders an error inside the shell. Server errors never show
// their text, only the trace id to quote.
func (m *Module) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string, fields map[string]string) {
	if ar, ok := m.authenticate(discard{}, r); ok {
		r = ar
	}
	title := http.StatusText(status)
	if title == "" {
		title = "Error"
	}
	detail := msg
	switch {
	case status == http.StatusServiceUnavailable:
		msg, detail = "This service is not available right now. Please try again in a moment.", ""
	case status >= 500:
		msg, detail = "Something went wrong on our side. It has been logged.", ""
	case status == http.StatusForbidden:
		msg = "You do not have permission to see this."
	case status == http.StatusNotFound:
		msg = "There is nothing here."
	case msg == "":
		msg = title + "."
	}
	if detail == msg {
		detail = ""
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	id := trace.ID(r.Context())
	content := h.Div(h.Class("error-page"),
		PageHeader("alert", strconv.Itoa(status)+" · "+title, ""),
		h.P(h.Class("error-message"), h.Role("alert"), g.Text(msg)),
		g.If(detail != "", h.P(h.Class("error-detail muted"), g.Text(detail))),
		g.If(len(keys) > 0, h.Ul(h.Class("error-fields"), g.Map(keys, func(k string) g.Node {
			return h.Li(h.Strong(g.Text(k)), g.Text(": "+fields[k]))
		}))),
		g.If(id != "", h.P(h.Class("muted"), g.Text("Trace id: "), h.Code(g.Text(id)))),
		h.P(h.A(h.Href("/"), h.Class("button"), g.Text("Back to the launchpad"))),
	)
	_, signedIn := auth.UserFrom(r.Context())
	bare := m.auth != nil && !signedIn
	if err := m.write(w, r, Page{Title: title, Status: status, Content: content, Bare: bare, Active: "-"}); err != nil {
		webos.WriteError(w, r, err)
	}
}

// Middleware shows the errors of every module inside the shell when a
// browser navigates: a kernel JSON error answering a navigation (or an htmx
// request for the main region) is replaced by an error page, and 401 by the
// sign-in page. API clients are not affected.
//
// It also tells [AddFlash] whether the shell's cookies may go without the
// Secure flag (see [secureCookies]).
func (m *Module) Middleware() webos.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if m.insecureCookies() {
				r = r.WithContext(context.WithValue(r.Context(), insecureCookiesKey{}, true))
			}
			if IsHTMX(r) && !IsFragment(r) {
				m.formErrors(w, r, next)
				return
			}
			if !wantsHTML(r) {
				next.ServeHTTP(w, r)
				return
			}
			cw := &errorCapture{ResponseWriter: w}
			next.ServeHTTP(cw, r)
			if !cw.captured {
				return
			}
			var body webos.ErrorBody
			_ = json.Unmarshal(cw.body.Bytes(), &body)
			hd := w.Header()
			hd.Del("Content-Length")
			hd.Del("Content-Type")
			if cw.status == http.StatusUnauthorized {
				hd.Del("WWW-Authenticate")
				m.toLogin(w, r)
				return
			}
			msg := body.Error
			if cw.status >= 500 {
				msg = ""
			}
			m.errorPage(w, r, cw.status, msg, body.Fields)
		})
	}
}

// formErrors serves an htmx request of a form (or another element that is
// not the main region): a validation error (422) is answered with the
// messages as HTML, swapped into the form's error region ([FormErrors]) —
// found through the id htmx sends in HX-Trigger — so the user sees what to
// fix next to the form. Other answers pass unchanged.
func (m *Module) formErrors(w http.ResponseWriter, r *http.Request, next http.Handler) {
	cw := &errorCapture{ResponseWriter: w}
	next.ServeHTTP(cw, r)
	if !cw.captured {
		return
	}
	if cw.status != http.StatusUnprocessableEntity {
		w.WriteHeader(cw.status)
		_, _ = w.Write(cw.body.Bytes())
		return
	}
	var body webos.ErrorBody
	_ = json.Unmarshal(cw.body.Bytes(), &body)
	hd := w.Header()
	hd.Del("Content-Length")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	if id := r.Header.Get("HX-Trigger"); id != "" {
		hd.Set("HX-Retarget", "#"+id+"-errors")
		hd.Set("HX-Reswap", "innerHTML")
	}
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = fieldErrors(body).Render(w)
}

// fieldErrors lists the problems of a validation error, one per field.
func fieldErrors(body webos.ErrorBody) g.Node {
	keys := make([]string, 0, len(body.Fields))
	for k := range body.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return h.P(h.Class("field-error"), g.Text(body.Error))
	}
	return g.Map(keys, func(k string) g.Node {
		return h.P(h.Class("field-error"), g.Attr("data-field", k), h.Strong(g.Text(k)), g.Text(" "+body.Fields[k]))
	})
}

// FormErrors is a form's error region, where the shell puts the messages
// of a validation error (422) answering the form's htmx request. Give the
// form the id formID and put FormErrors(formID) inside it:
//
//	h.Form(h.ID("note-form"), ui.HX("post", "/notes/"), …, ui.FormErrors("note-form"))
func FormErrors(formID string) g.Node {
	return h.Div(h.ID(formID+"-errors"), h.Class("form-errors"), h.Role("alert"), g.Attr("aria-live", "assertive"))
}

// errorCapture holds back a JSON error response so that it can be replaced.
type errorCapture struct {
	http.ResponseWriter
	status   int
	captured bool
	wrote    bool
	body     bytes.Buffer
}

func (c *errorCapture) WriteHeader(code int) {
	if c.wrote || c.captured {
		return
	}
	if code >= 400 && isJSON(c.Header().Get("Content-Type")) {
		c.captured, c.status = true, code
		return
	}
	c.wrote = true
	c.ResponseWriter.WriteHeader(code)
}

func (c *errorCapture) Write(b []byte) (int, error) {
	if !c.wrote && !c.captured {
		c.WriteHeader(http.StatusOK)
	}
	if c.captured {
		if c.body.Len() < 64<<10 {
			c.body.Write(b)
		}
		return len(b), nil
	}
	return c.ResponseWriter.Write(b)
}

func (c *errorCapture) Flush() {
	if c.captured {
		return
	}
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

func (c *errorCapture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// discard is a ResponseWriter that drops everything.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
