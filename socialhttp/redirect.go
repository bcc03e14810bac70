package socialhttp

import (
	"net/url"
	"strings"
)

// maxNext bounds a "next" address; a longer one is refused.
const maxNext = 1024

// safeNext returns raw when it is a safe place to send the browser after a
// login (RFC 9700 §4.11: no open redirector), and ok false otherwise, when
// the caller uses its default. Safe is:
//
//   - a path on this site, with its query and fragment: "/account?tab=2#top";
//   - an https URL whose host (with its port, if any) is one of hosts,
//     compared case-insensitively: "https://app.example.com/welcome".
//
// Refused: empty or longer than maxNext; any byte outside printable ASCII
// (controls, spaces, non-ASCII) or a backslash, which browsers read as a
// slash; a path that starts with "//" (a host) once percent-decoded, or
// whose decoded form has a control character or a backslash; an
// absolute URL with another scheme ("javascript:", "http:"), no "//"
// ("https:evil.com"), user information, or a host outside hosts;
// anything else that is neither.
func safeNext(raw string, hosts []string) (string, bool) {
	if raw == "" || len(raw) > maxNext {
		return "", false
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "", false
		}
	}
	if raw[0] == '/' {
		if !safePath(raw) {
			return "", false
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
			return "", false
		}
		return raw, true
	}
	if len(raw) < len("https://") || !strings.EqualFold(raw[:len("https://")], "https://") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Host == "" || !safePath(u.EscapedPath()) {
		return "", false
	}
	for _, h := range hosts {
		if h != "" && strings.EqualFold(u.Host, h) {
			return raw, true
		}
	}
	return "", false
}

// safePath: the path part of a reference (up to "?" or "#") is not a
// network-path reference, and stays free of "//" at its start, control
// characters and backslashes however often it is percent-decoded.
func safePath(ref string) bool {
	p := ref
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for range 4 {
		if strings.HasPrefix(p, "//") {
			return false
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; c < ' ' || c == 0x7f || c == '\\' {
				return false
			}
		}
		d, err := url.PathUnescape(p)
		if err != nil {
			return false
		}
		if d == p {
			return true
		}
		p = d
	}
	return false // still encoded after four rounds: nobody writes that
}
