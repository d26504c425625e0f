package vault

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

// Names of the built-in secret fields. A custom field marked secret is
// sealed under "field:" and its name.
const (
	FieldPassword = "password"
	FieldNotes    = "notes"
	FieldTOTP     = "totp"
	customPrefix  = "field:"
)

// Entry is one item of a user's vault as it is stored: the fields a list
// shows and a search finds in the clear, the secret fields sealed. It never
// holds a secret in the clear; [Module.Reveal] opens one.
type Entry struct {
	store.Doc `bson:",inline"`
	Title     string   `bson:"title" json:"title"`
	Username  string   `bson:"username" json:"username"`
	URLs      []string `bson:"urls" json:"urls"`
	Folder    string   `bson:"folder" json:"folder"`
	Tags      []string `bson:"tags" json:"tags"`
	Favorite  bool     `bson:"favorite" json:"favorite"`
	// Fields are the custom fields that are not secret, with their values,
	// and the secret ones, with their names only.
	Fields []Field `bson:"fields" json:"fields"`
	// Secrets names the secret fields that are set: "password", "notes",
	// "totp" and "field:<name>" for custom ones.
	Secrets []string `bson:"secrets" json:"secrets"`
	// PasswordChangedAt is when the password was last set.
	PasswordChangedAt time.Time `bson:"password_changed_at" json:"password_changed_at"`

	// Sealed maps each secret field's name to its AES-256-GCM ciphertext
	// under the owner's data key, with the entry's id and the field's name
	// as associated data.
	Sealed map[string][]byte `bson:"sealed" json:"-"`
	// Fingerprint is the keyed hash of the password (see the health
	// report); "" without one.
	Fingerprint string `bson:"fingerprint" json:"-"`
	// Search is what a search matches: the title and the URLs.
	Search string `bson:"search" json:"-"`

	pending *pending // the secrets an Insert seals once the id is known
}

// Field is a custom field of an entry. A secret one is sealed like the
// password, and its Value is empty except in an [Input].
type Field struct {
	Name   string `bson:"name" json:"name" validate:"required,max=100"`
	Value  string `bson:"value" json:"value,omitempty" validate:"max=10000"`
	Secret bool   `bson:"secret" json:"secret"`
}

// Has reports whether the secret field name is set.
func (e *Entry) Has(name string) bool { return slices.Contains(e.Secrets, name) }

type pending struct {
	key     *dataKey
	secrets map[string]string
}

// PrepareInsert seals the entry's secrets with the id the store has just
// chosen, before the document is written.
func (e *Entry) PrepareInsert(context.Context) error {
	if e.pending == nil {
		return nil
	}
	p := e.pending
	e.pending = nil
	return e.sealAll(p.key, p.secrets)
}

// sealAll seals the given secrets (name → value; "" removes one) into e.
func (e *Entry) sealAll(k *dataKey, secrets map[string]string) error {
	if e.Sealed == nil {
		e.Sealed = map[string][]byte{}
	}
	for name, v := range secrets {
		if v == "" {
			delete(e.Sealed, name)
			if name == FieldPassword {
				e.Fingerprint = ""
			}
			continue
		}
		ct, err := k.sealField(e.ID, name, v)
		if err != nil {
			return err
		}
		e.Sealed[name] = ct
		if name == FieldPassword {
			e.Fingerprint = k.fingerprint(v)
		}
	}
	e.Secrets = e.Secrets[:0]
	for name := range e.Sealed {
		e.Secrets = append(e.Secrets, name)
	}
	slices.Sort(e.Secrets)
	return nil
}

// Input is what a client sends to create or change an entry. A secret
// field left nil keeps its value; an empty string removes it.
type Input struct {
	Title    string   `json:"title" validate:"required,max=200"`
	Username string   `json:"username" validate:"max=500"`
	Password *string  `json:"password" validate:"omitempty,max=4096"`
	URLs     []string `json:"urls" validate:"max=20,dive,max=2000"`
	Notes    *string  `json:"notes" validate:"omitempty,max=65536"`
	// TOTP is a base32 secret or an otpauth:// URI.
	TOTP     *string  `json:"totp" validate:"omitempty,max=2000"`
	Folder   string   `json:"folder" validate:"max=100"`
	Tags     []string `json:"tags" validate:"max=50,dive,max=50"`
	Favorite bool     `json:"favorite"`
	// Fields replace the custom fields when not nil. A secret field with
	// an empty value keeps the value it had.
	Fields []Field `json:"fields" validate:"omitempty,max=50,dive"`

	changedAt time.Time // when an imported password was set, if the export says
}

// normalize cleans the input: trimmed text, tags from comma-separated
// values, URLs from lines, and a TOTP secret checked and in canonical form.
func (in *Input) normalize() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Username = strings.TrimSpace(in.Username)
	in.Folder = strings.TrimSpace(in.Folder)
	in.URLs = splitClean(in.URLs, "\n")
	for _, u := range in.URLs {
		p, err := url.Parse(u)
		if err != nil || strings.ContainsAny(u, " \t") || (p.Scheme != "" && p.Scheme != "http" && p.Scheme != "https" && p.Host == "") {
			return webos.Invalid("urls", "must be web addresses, one a line")
		}
	}
	in.Tags = splitClean(in.Tags, ",")
	for i, t := range in.Tags {
		in.Tags[i] = strings.ToLower(t)
	}
	slices.Sort(in.Tags)
	in.Tags = slices.Compact(in.Tags)
	if in.TOTP != nil && strings.TrimSpace(*in.TOTP) != "" {
		k, err := ParseTOTP(*in.TOTP)
		if err != nil {
			return webos.Invalid("totp", "must be a base32 secret or an otpauth:// URI")
		}
		s := k.String()
		in.TOTP = &s
	}
	seen := map[string]bool{}
	for i := range in.Fields {
		f := &in.Fields[i]
		f.Name = strings.TrimSpace(f.Name)
		if f.Name == "" || seen[f.Name] {
			return webos.Invalid("fields", "every custom field needs a name of its own")
		}
		seen[f.Name] = true
	}
	return webos.Validate(in)
}

func splitClean(vals []string, sep string) []string {
	out := []string{}
	for _, v := range vals {
		for _, p := range strings.Split(v, sep) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// apply copies the clear fields of in into e and returns the secrets to
// seal (name → value, "" to remove).
func (in *Input) apply(e *Entry) map[string]string {
	e.Title, e.Username, e.URLs, e.Folder, e.Tags, e.Favorite = in.Title, in.Username, in.URLs, in.Folder, in.Tags, in.Favorite
	e.Search = strings.ToLower(strings.Join(append([]string{e.Title}, e.URLs...), "\n"))
	secrets := map[string]string{}
	for name, v := range map[string]*string{FieldPassword: in.Password, FieldNotes: in.Notes, FieldTOTP: in.TOTP} {
		if v != nil {
			secrets[name] = *v
		}
	}
	if in.Fields != nil {
		keep := map[string]bool{}
		e.Fields = e.Fields[:0]
		for _, f := range in.Fields {
			if f.Secret {
				keep[customPrefix+f.Name] = true
				if f.Value != "" {
					secrets[customPrefix+f.Name] = f.Value
				}
				f.Value = ""
			}
			e.Fields = append(e.Fields, f)
		}
		for name := range e.Sealed {
			if strings.HasPrefix(name, customPrefix) && !keep[name] {
				secrets[name] = ""
			}
		}
	}
	if e.Fields == nil {
		e.Fields = []Field{}
	}
	return secrets
}

// errNoSecret is a secret field the entry does not have.
var errNoSecret = errors.New("vault: the entry has no such secret field")
