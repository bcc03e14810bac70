package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// must stops the subtest when err is not nil: what follows depends on it.
func (f *fixture) must(err error, format string, args ...any) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// check reports an error when ok is false.
func (f *fixture) check(ok bool, format string, args ...any) {
	f.t.Helper()
	if !ok {
		f.t.Errorf(format, args...)
	}
}

// isErr checks that err wraps target.
func (f *fixture) isErr(err, target error, format string, args ...any) {
	f.t.Helper()
	if !errors.Is(err, target) {
		f.t.Errorf("%s: got error %v, want one wrapping %v", fmt.Sprintf(format, args...), err, target)
	}
}

// noErr checks that err is nil, and goes on.
func (f *fixture) noErr(err error, format string, args ...any) {
	f.t.Helper()
	if err != nil {
		f.t.Errorf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// equal checks that got and want are deeply equal.
func (f *fixture) equal(got, want any, format string, args ...any) {
	f.t.Helper()
	if !reflect.DeepEqual(got, want) {
		f.t.Errorf("%s:\n got %#v\nwant %#v", fmt.Sprintf(format, args...), got, want)
	}
}

// sameIDs checks that got lists exactly the ids of want, in order.
func (f *fixture) sameIDs(got, want []string, what string) {
	f.t.Helper()
	if !slices.Equal(got, want) {
		f.t.Errorf("%s: got ids %q, want %q", what, got, want)
	}
}

// exactlyOne runs call(0) ... call(n-1) at once and checks that exactly
// one returns nil and every other an error wrapping lose. It returns the
// index of the winner, or -1.
func (f *fixture) exactlyOne(n int, call func(i int) error, lose error) int {
	f.t.Helper()
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = call(i)
		})
	}
	close(start)
	wg.Wait()
	winner, won := -1, 0
	for i, err := range errs {
		if err == nil {
			winner = i
			won++
		} else if !errors.Is(err, lose) {
			f.t.Errorf("concurrent caller %d: got error %v, want nil or one wrapping %v", i, err, lose)
		}
	}
	if won != 1 {
		f.t.Errorf("%d of %d concurrent callers succeeded, want exactly one", won, n)
	}
	return winner
}
