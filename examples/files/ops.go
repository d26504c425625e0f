package files

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// MaxBatch is the most files one delete, copy or move request names.
const MaxBatch = 1000

type urnBody struct {
	URN string `json:"urn" validate:"required"`
}

type renameBody struct {
	URN  string `json:"urn" validate:"required"`
	Name string `json:"name" validate:"required,max=255"`
}

type urnsBody struct {
	URNs []string `json:"urns" validate:"required,min=1,max=1000"`
}

// parseURNs parses the URNs of a request body, naming the field of the
// first that is wrong.
func parseURNs(field string, raw []string) ([]afs.URN, error) {
	if len(raw) == 0 {
		return nil, webos.Invalid(field, "names no file")
	}
	if len(raw) > MaxBatch {
		return nil, webos.Invalid(field, fmt.Sprintf("names more than %d files", MaxBatch))
	}
	out := make([]afs.URN, 0, len(raw))
	for i, s := range raw {
		u, err := afs.Parse(s)
		if err != nil {
			return nil, webos.Invalid(fmt.Sprintf("%s[%d]", field, i), problem(err))
		}
		if u.IsRoot() {
			return nil, webos.Invalid(fmt.Sprintf("%s[%d]", field, i), "is the root of a source")
		}
		out = append(out, u)
	}
	return out, nil
}

// parseURN parses one URN of a request body.
func parseURN(field, raw string) (afs.URN, error) {
	u, err := afs.Parse(raw)
	if err != nil {
		return afs.URN{}, webos.Invalid(field, problem(err))
	}
	return u, nil
}

// problem is an afs error's message without the "afs: " and the operation.
func problem(err error) string {
	var pe *afs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		err = pe.Err
	}
	return strings.TrimPrefix(strings.SplitN(err.Error(), ": bad request", 2)[0], "afs: ")
}

// validName checks a new file or folder name typed by a user.
func validName(field, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return webos.Invalid(field, "is empty")
	case strings.ContainsAny(name, "/\\"):
		return webos.Invalid(field, "must not contain / or \\")
	case name == "." || name == "..":
		return webos.Invalid(field, "must not be . or ..")
	}
	return nil
}

func (m *Module) mkdir(w http.ResponseWriter, r *http.Request) error {
	var in urnBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	u, err := parseURN("urn", in.URN)
	if err != nil {
		return err
	}
	if u.IsRoot() {
		return webos.Invalid("urn", "is the root of a source")
	}
	if err := validName("urn", u.Name()); err != nil {
		return err
	}
	if _, err := m.fs.Stat(r.Context(), u); err == nil {
		return fmt.Errorf("%w: %s already exists", afs.ErrExists, u.Name())
	}
	if err := m.fs.Mkdir(r.Context(), u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, Entry{URN: u, Name: u.Name(), Folder: true, Kind: "folder"})
}

func (m *Module) rename(w http.ResponseWriter, r *http.Request) error {
	var in renameBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	u, err := parseURN("urn", in.URN)
	if err != nil {
		return err
	}
	if u.IsRoot() {
		return webos.Invalid("urn", "is the root of a source")
	}
	if err := validName("name", in.Name); err != nil {
		return err
	}
	to, err := u.Parent().Join(in.Name)
	if err != nil {
		return webos.Invalid("name", problem(err))
	}
	if to == u {
		return webos.Invalid("name", "is the current name")
	}
	info, err := m.fs.Move(r.Context(), u, to, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, entryOf(info))
}

func (m *Module) remove(w http.ResponseWriter, r *http.Request) error {
	var in urnsBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	us, err := parseURNs("urns", in.URNs)
	if err != nil {
		return err
	}
	deleted := 0
	for _, u := range us {
		if err := m.fs.Delete(r.Context(), u, &afs.DeleteOptions{Recursive: true}); err != nil {
			if deleted > 0 {
				return fmt.Errorf("%w (%d of %d deleted before)", err, deleted, len(us))
			}
			return err
		}
		deleted++
	}
	return writeJSON(w, http.StatusOK, map[string]int{"deleted": deleted})
}

type conflictsBody struct {
	From []string `json:"from" validate:"required,min=1,max=1000"`
	To   string   `json:"to" validate:"required"`
}

func (m *Module) conflicts(w http.ResponseWriter, r *http.Request) error {
	var in conflictsBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	from, to, err := m.sourcesAndFolder(r, in.From, in.To)
	if err != nil {
		return err
	}
	names := []string{}
	for _, u := range from {
		d, err := to.Join(u.Name())
		if err != nil {
			return err
		}
		if _, err := m.fs.Stat(r.Context(), d); err == nil {
			names = append(names, u.Name())
		} else if !errors.Is(err, afs.ErrNotFound) {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, map[string][]string{"conflicts": names})
}

// sourcesAndFolder parses a copy's or move's files (field "from") and its
// destination (field "to"), which must be a folder.
func (m *Module) sourcesAndFolder(r *http.Request, rawFrom []string, rawTo string) ([]afs.URN, afs.URN, error) {
	from, err := parseURNs("from", rawFrom)
	if err != nil {
		return nil, afs.URN{}, err
	}
	to, err := parseURN("to", rawTo)
	if err != nil {
		return nil, afs.URN{}, err
	}
	if err := m.checkFolder(r, to); err != nil {
		return nil, afs.URN{}, err
	}
	return from, to, nil
}

// checkFolder answers 404 or 400 unless u is a folder.
func (m *Module) checkFolder(r *http.Request, u afs.URN) error {
	if u.IsRoot() {
		return nil
	}
	info, err := m.fs.Stat(r.Context(), u)
	if err != nil {
		return err
	}
	if !info.Folder {
		return webos.Invalid("to", "is a file, not a folder")
	}
	return nil
}

type transferBody struct {
	Op       string   `json:"op" validate:"required,oneof=copy move"`
	From     []string `json:"from" validate:"required,min=1,max=1000"`
	To       string   `json:"to" validate:"required"`
	Conflict string   `json:"conflict" validate:"omitempty,oneof=skip overwrite keep"`
}

func (m *Module) startTransfer(w http.ResponseWriter, r *http.Request) error {
	var in transferBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	from, to, err := m.sourcesAndFolder(r, in.From, in.To)
	if err != nil {
		return err
	}
	for i, u := range from {
		if _, err := m.fs.Stat(r.Context(), u); err != nil {
			if errors.Is(err, afs.ErrNotFound) {
				return webos.Invalid(fmt.Sprintf("from[%d]", i), u.Name()+" does not exist")
			}
			return err
		}
		if u.Contains(to) {
			return webos.Invalid("to", "lies inside "+u.Name()+", which it would copy into itself")
		}
		if u.Parent() == to {
			return webos.Invalid("to", "is the folder "+u.Name()+" is in already")
		}
	}
	t := Transfer{Op: in.Op, From: from, To: to, Conflict: in.Conflict}
	if t.Conflict == "" {
		t.Conflict = ConflictSkip
	}
	id, err := m.Enqueue(r.Context(), t)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/tasks/"+id)
	return writeJSON(w, http.StatusAccepted, map[string]string{"task": id, "events": "/tasks/" + id + "/events"})
}
