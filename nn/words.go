package nn

import "strings"

// packagePrefixes are the prefixes of this module's sentinel errors,
// which name packages, not what went wrong.
var packagePrefixes = []string{"nn: ", "data: ", "modelfile: "}

// Message returns err's text as a person reads it, on the page or in
// the command line: without the package names that prefix the sentinel
// errors inside it ("x.jpg: data: image too large: ..." reads "x.jpg:
// image too large: ..."). A nil error gives "".
func Message(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, p := range packagePrefixes {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
		}
		s = strings.ReplaceAll(s, ": "+p, ": ")
		s = strings.ReplaceAll(s, "("+p, "(")
	}
	return s
}
