package socialauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// Step is one stage of a login pipeline, PSA's pipeline function. It reads
// and changes the State; returning an error stops the login, and the error
// reaches the caller of DoAuth wrapped in an [*Error] that names the step.
// Return [Pause] to pause the pipeline instead.
//
// Steps are shared by concurrent logins: keep per-login data in the State.
type Step interface {
	Run(ctx context.Context, s *State) error
}

// StepFunc lets an ordinary function be a Step, as http.HandlerFunc does for handlers.
type StepFunc func(ctx context.Context, s *State) error

// Run calls f(ctx, s).
func (f StepFunc) Run(ctx context.Context, s *State) error { return f(ctx, s) }

// PipelineStep is a Step with the name that errors, logs and paused
// pipelines refer to it by (PSA's names for the stock steps).
type PipelineStep struct {
	Name string
	Step Step
}

// Pipeline is an ordered list of steps. It is a plain slice; the methods
// below return new slices and never change the receiver.
type Pipeline []PipelineStep

// Index returns the position of the step called name, or -1.
func (p Pipeline) Index(name string) int {
	return slices.IndexFunc(p, func(s PipelineStep) bool { return s.Name == name })
}

// InsertBefore returns p with steps inserted before the step called name.
// It panics when there is no such step: a pipeline is built at start-up, and
// a misspelt name is a programmer error.
func (p Pipeline) InsertBefore(name string, steps ...PipelineStep) Pipeline {
	return slices.Insert(slices.Clone(p), p.mustIndex(name), steps...)
}

// InsertAfter returns p with steps inserted after the step called name; it
// panics when there is no such step.
func (p Pipeline) InsertAfter(name string, steps ...PipelineStep) Pipeline {
	return slices.Insert(slices.Clone(p), p.mustIndex(name)+1, steps...)
}

// Without returns p less the steps with the given names.
func (p Pipeline) Without(names ...string) Pipeline {
	return slices.DeleteFunc(slices.Clone(p), func(s PipelineStep) bool { return slices.Contains(names, s.Name) })
}

// Replace returns p with the step called name replaced by step (which keeps
// its own name); it panics when there is no such step.
func (p Pipeline) Replace(name string, step PipelineStep) Pipeline {
	q := slices.Clone(p)
	q[p.mustIndex(name)] = step
	return q
}

func (p Pipeline) mustIndex(name string) int {
	i := p.Index(name)
	if i < 0 {
		panic(fmt.Sprintf("socialauth: pipeline has no step %q", name))
	}
	return i
}

func (p Pipeline) validate() error {
	if len(p) == 0 {
		return errors.New("socialauth: Config.Pipeline is empty; use pipeline.Default()")
	}
	seen := make(map[string]bool, len(p))
	for i, s := range p {
		switch {
		case s.Name == "":
			return fmt.Errorf("socialauth: pipeline step %d has no name", i)
		case s.Step == nil:
			return fmt.Errorf("socialauth: pipeline step %q is nil", s.Name)
		case seen[s.Name]:
			return fmt.Errorf("socialauth: pipeline step %q appears twice", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// run runs the steps from index start. On failure it returns the index of the
// failing step and its error.
func (p Pipeline) run(ctx context.Context, s *State, start int) (int, error) {
	for i := start; i < len(p); i++ {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if err := p[i].Step.Run(ctx, s); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

// State is what flows through the steps: PSA's kwargs. The stock steps fill
// it in order; a host's step may read and change any field.
//
// A State is serialisable (the exported data fields and the values kept with
// [Key]) so that a paused pipeline can be stored and resumed in another
// process; Backend, Storage and Client are re-attached on resume.
type State struct {
	// Backend is the backend of this login.
	Backend Backend `json:"-"`
	// Storage is Config.Storage.
	Storage Storage `json:"-"`
	// Client is Config.HTTPClient, for steps that call the provider.
	Client *http.Client `json:"-"`
	// Logger is Config.Logger.
	Logger *slog.Logger `json:"-"`
	now    func() time.Time

	// Profile is what the backend returned (social_details and social_uid
	// copy from it).
	Profile Profile `json:"profile"`
	// Details is the person as this login sees it (social_details).
	Details Details `json:"details"`
	// UID is the provider's user id (social_uid).
	UID string `json:"uid"`
	// User is the user this login resolves to: the logged-in user for
	// Connect, else set by social_user, associate_by_email or create_user.
	// A user made by create_user has an empty ID until associate_user
	// stores it together with its association.
	User *User `json:"user,omitempty"`
	// Association is the link of Backend+UID to User (social_user, associate_user).
	Association *Association `json:"association,omitempty"`
	// IsNew is true when this login creates User.
	IsNew bool `json:"is_new"`
	// NewAssociation is true when this login creates Association.
	NewAssociation bool `json:"new_association"`
	// Username is the username chosen for a new user (get_username).
	Username string `json:"username,omitempty"`
	// Entries are the associations a disconnect removes (get_entries).
	Entries []*Association `json:"entries,omitempty"`
	// UniqueEmail asks associate_user to create the new user only if no user
	// has its email yet (set by associate_by_email; see [CreateOptions]).
	UniqueEmail bool `json:"unique_email,omitempty"`
	values      map[string]any
}

// LogValue implements [slog.LogValuer]: who is logging in and how far the
// login got, never the tokens or the values host steps keep.
func (s *State) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("backend", s.BackendName()), slog.String("uid", s.UID), slog.Bool("is_new", s.IsNew)}
	if s.User != nil {
		attrs = append(attrs, slog.String("user_id", s.User.ID))
	}
	return slog.GroupValue(attrs...)
}

// Now is the login's clock (Config.Now).
func (s *State) Now() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

// NewState returns a State for backend over storage; DoAuth makes its own.
// It is for running steps directly, in tests of a host's custom step.
func NewState(b Backend, st Storage, p *Profile) *State {
	s := &State{Backend: b, Storage: st, Client: http.DefaultClient, Logger: slog.Default()}
	if p != nil {
		s.Profile = *p
	}
	return s
}

// BackendName is the name of the login's backend ("" when none is set).
func (s *State) BackendName() string {
	if s.Backend == nil {
		return ""
	}
	return s.Backend.Name()
}

type stateJSON struct {
	*stateAlias
	Values map[string]json.RawMessage `json:"values,omitempty"`
}

type stateAlias State

// MarshalJSON serialises the data of s (not Backend, Storage, Client, Logger).
func (s *State) MarshalJSON() ([]byte, error) {
	out := stateJSON{stateAlias: (*stateAlias)(s)}
	if len(s.values) > 0 {
		out.Values = make(map[string]json.RawMessage, len(s.values))
		for k, v := range s.values {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("socialauth: state value %q: %w", k, err)
			}
			out.Values[k] = b
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON restores what MarshalJSON wrote; values come back as raw JSON
// and are decoded by [Key.Get] on first use.
func (s *State) UnmarshalJSON(b []byte) error {
	in := stateJSON{stateAlias: (*stateAlias)(s)}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if len(in.Values) > 0 {
		s.values = make(map[string]any, len(in.Values))
		for k, v := range in.Values {
			s.values[k] = v
		}
	}
	return nil
}

// Key is a typed slot in a State where a host's steps keep their own data.
// Values must marshal to JSON if the pipeline may pause.
//
//	var plan = socialauth.NewKey[string]("myapp.plan")
//	plan.Set(s, "pro")
//	p, ok := plan.Get(s)
type Key[T any] struct{ name string }

// NewKey returns the key called name. Two keys with one name share a slot;
// prefix names with the host's own namespace.
func NewKey[T any](name string) Key[T] { return Key[T]{name: name} }

// Name is the key's name.
func (k Key[T]) Name() string { return k.name }

// Set stores v in s.
func (k Key[T]) Set(s *State, v T) {
	if s.values == nil {
		s.values = make(map[string]any)
	}
	s.values[k.name] = v
}

// Get returns the value stored under k, and whether there is one (of type T).
func (k Key[T]) Get(s *State) (T, bool) {
	var zero T
	v, ok := s.values[k.name]
	if !ok {
		return zero, false
	}
	switch v := v.(type) {
	case T:
		return v, true
	case json.RawMessage: // restored from a paused pipeline
		var t T
		if err := json.Unmarshal(v, &t); err != nil {
			return zero, false
		}
		s.values[k.name] = t
		return t, true
	}
	return zero, false
}

// Delete removes the value stored under k.
func (k Key[T]) Delete(s *State) { delete(s.values, k.name) }

type pauseSignal struct{ reason string }

func (p *pauseSignal) Error() string { return "socialauth: pause: " + p.reason }

// Pause is what a step returns to pause the pipeline (PSA's partial step):
// DoAuth saves the State and returns a [*PausedError] with a resume token and
// reason. On [Service.Resume] the same step runs again, and can then find
// what the client supplied in the State.
func Pause(reason string) error { return &pauseSignal{reason: reason} }
