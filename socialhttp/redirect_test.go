package socialhttp

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever comes in, what safeNext keeps is a path on this
// site that no decoding turns into another host, or an https URL on an
// allowed host; and a kept value is kept exactly.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/a?b=c#d", "//evil.com", "/\\evil.com", "https://app.example.com/x", "https:evil.com",
		"/%2F%2Fevil.com", "/%252F/evil", "javascript:alert(1)", "/\t/evil.com", "https://app.example.com@evil.com", "/%"} {
		f.Add(s)
	}
	hosts := []string{"app.example.com"}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := safeNext(raw, hosts)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", raw, got)
			}
			return
		}
		if got != raw {
			t.Fatalf("kept %q as %q", raw, got)
		}
		if strings.ContainsAny(got, "\\\x00\t\r\n ") {
			t.Fatalf("kept %q with a backslash, a control character or a space", got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("kept %q, which does not parse: %v", got, err)
		}
		if strings.HasPrefix(got, "/") {
			if u.Host != "" || u.Scheme != "" || strings.HasPrefix(got, "//") {
				t.Fatalf("kept %q, which names a host", got)
			}
			p, _, _ := strings.Cut(got, "?")
			p, _, _ = strings.Cut(p, "#")
			for range 4 {
				d, err := url.PathUnescape(p)
				if err != nil {
					break
				}
				if strings.HasPrefix(d, "//") || strings.ContainsAny(d, "\\\x00\t\r\n") {
					t.Fatalf("kept %q, whose path decodes to %q", got, d)
				}
				p = d
			}
			return
		}
		if u.Scheme != "https" || !strings.EqualFold(u.Host, "app.example.com") || u.User != nil {
			t.Fatalf("kept %q, which is not https on an allowed host", got)
		}
	})
}
