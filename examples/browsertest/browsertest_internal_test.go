package browsertest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// outcome records what requireChromium did to a test.
type outcome struct {
	testing.TB
	fatal, skip string
}

func (o *outcome) Helper() {}
func (o *outcome) Fatalf(format string, args ...any) {
	o.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (o *outcome) Skipf(format string, args ...any) {
	o.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls requireChromium as a test goroutine would, with env as the
// environment and found as what is on PATH.
func run(t *testing.T, env map[string]string, found map[string]string) (path string, o *outcome) {
	o = &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = requireChromium(o,
			func(k string) string { return env[k] },
			func(name string) (string, error) {
				if p, ok := found[name]; ok {
					return p, nil
				}
				return "", errors.New("not found")
			})
	}()
	<-done
	return path, o
}

// TestRequireChromium: a missing browser fails the test under CI, is a
// visible skip elsewhere, and a present one is found.
func TestRequireChromium(t *testing.T) {
	_, o := run(t, map[string]string{"CI": "true"}, nil)
	if o.fatal == "" || o.skip != "" {
		t.Errorf("under CI a missing Chromium must fail the test; got fatal=%q skip=%q", o.fatal, o.skip)
	}

	_, o = run(t, nil, nil)
	if o.skip == "" || o.fatal != "" {
		t.Errorf("outside CI a missing Chromium skips; got fatal=%q skip=%q", o.fatal, o.skip)
	}

	if p, o := run(t, map[string]string{"CI": "true"}, map[string]string{"chromium": "/usr/bin/chromium"}); p != "/usr/bin/chromium" || o.fatal != "" {
		t.Errorf("found %q, fatal %q", p, o.fatal)
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := run(t, map[string]string{ChromiumEnv: self}, map[string]string{"chromium": "/usr/bin/chromium"}); p != self {
		t.Errorf("%s must win over PATH; got %q", ChromiumEnv, p)
	}
	if _, o := run(t, map[string]string{ChromiumEnv: "/nonexistent/chromium"}, nil); o.fatal == "" {
		t.Errorf("a %s that does not exist must fail the test", ChromiumEnv)
	}
}
