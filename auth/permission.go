package auth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/webos-go/webos"
)

// Permission is a right a module defines, such as "blog.write"; it is the
// kernel's [webos.Permission], so that modules declare permissions without
// importing auth. Names are dot-separated segments of lowercase letters,
// digits, '_' and '-'; by convention the first segment is the module's ID.
//
// A role grants permissions by name, and a granted name may be a wildcard:
// "*" grants everything, "blog.*" grants every permission that starts with
// "blog." (see [Match]).
type Permission = webos.Permission

// PermissionProvider is a module that defines permissions (the kernel's
// [webos.PermissionProvider]). The auth module lists the permissions of
// every module that implements it, so that the admin console can offer them
// when editing roles.
type PermissionProvider = webos.PermissionProvider

// ModulePermission is a permission together with the module that defines it.
type ModulePermission struct {
	Permission
	// Module is the ID of the defining module.
	Module string `json:"module"`
}

// Everything is the permission string that grants every permission.
const Everything = "*"

// Match reports whether the granted permission string covers the wanted
// permission: "*" covers everything; "a.b.*" covers "a.b.c" and "a.b.c.d"
// (and the wildcard "a.b.*" itself) but not "a.b" or "a.bc"; any other
// string covers only itself.
func Match(granted, wanted string) bool {
	if granted == Everything || granted == wanted {
		return true
	}
	if prefix, ok := strings.CutSuffix(granted, "*"); ok && strings.HasSuffix(prefix, ".") {
		return len(wanted) > len(prefix) && strings.HasPrefix(wanted, prefix)
	}
	return false
}

// Allowed reports whether the granted permission strings cover every one of
// the wanted permissions. No wanted permissions is always allowed.
func Allowed(granted []string, wanted ...string) bool {
	for _, w := range wanted {
		if !slices.ContainsFunc(granted, func(g string) bool { return Match(g, w) }) {
			return false
		}
	}
	return true
}

// ValidPermission checks the syntax of a permission string as a role may
// grant it: "*", "a.b" or "a.b.*".
func ValidPermission(s string) error {
	if s == Everything {
		return nil
	}
	body := strings.TrimSuffix(s, ".*")
	if body == "" {
		return fmt.Errorf("permission %q: empty", s)
	}
	for seg := range strings.SplitSeq(body, ".") {
		if seg == "" {
			return fmt.Errorf("permission %q: empty segment", s)
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return fmt.Errorf("permission %q: want lowercase letters, digits, '_' or '-' between dots, optionally ending in \".*\"", s)
			}
		}
	}
	return nil
}
