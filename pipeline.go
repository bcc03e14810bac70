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

// Step is one stage of a login pipeline (a pipeline function, in Python
// Social Auth's terms). It reads and changes the State; returning an error
// stops the login, and the error reaches the caller wrapped in an [*Error]
// that names the step.
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

// PipelineStep is a Step with the name that errors, logs and paused logins
// refer to it by (the stock steps keep Python Social Auth's names).
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
// failing step and its error. A step that panics fails the login with an
// error (the panic value is not kept: it may hold anything); what the login
// had written is left as a failed step leaves it, since a first login's user
// and association are stored together or not at all.
func (p Pipeline) run(ctx context.Context, s *State, start int) (i int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("socialauth: step %q panicked (%T)", p[i].Name, v)
		}
	}()
	for i = start; i < len(p); i++ {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if err := p[i].Step.Run(ctx, s); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

// State is what flows through the steps of one login. The stock steps fill
// it in order; a host's step may read and change any field.
//
// A paused login stores its State (the data fields and the values kept with
// [Key]) so that it can be resumed in another process; Backend, Storage,
// Client and Logger are re-attached on resume. Printed, logged or marshalled
// to JSON, a State shows no provider token and none of the Key values.
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
func (s State) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("backend", s.BackendName()), slog.String("uid", s.UID), slog.Bool("is_new", s.IsNew)}
	if s.User != nil {
		attrs = append(attrs, slog.String("user_id", s.User.ID))
	}
	return slog.GroupValue(attrs...)
}

// String describes the State without its tokens or Key values, for %v.
func (s State) String() string {
	userID := ""
	if s.User != nil {
		userID = s.User.ID
	}
	return fmt.Sprintf("socialauth.State{Backend:%q UID:%q UserID:%q IsNew:%t}", s.BackendName(), s.UID, userID, s.IsNew)
}

// GoString is String, for %#v.
func (s State) GoString() string { return s.String() }

// MarshalJSON writes what a State holds that is not secret: the profile
// without its tokens or raw provider answer, the details, the user and the
// association (its stored tokens redacted). Key values are left out.
func (s State) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Backend        string       `json:"backend"`
		UID            string       `json:"uid"`
		Details        Details      `json:"details"`
		Token          Token        `json:"token"`
		User           *User        `json:"user,omitempty"`
		Association    *Association `json:"association,omitempty"`
		IsNew          bool         `json:"is_new"`
		NewAssociation bool         `json:"new_association"`
		Username       string       `json:"username,omitempty"`
	}{s.BackendName(), s.UID, s.Details, s.Profile.Token, s.User, s.Association, s.IsNew, s.NewAssociation, s.Username})
}

// Now is the login's clock (Config.Now).
func (s *State) Now() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

// BackendName is the name of the login's backend ("" when none is set).
func (s State) BackendName() string {
	if s.Backend == nil {
		return ""
	}
	return s.Backend.Name()
}

// stateRecord is how a paused login's State is stored: all of its data,
// secrets included (the store keeps them as it keeps associations' tokens).
type stateRecord struct {
	Profile        profileRecord              `json:"profile"`
	Details        Details                    `json:"details"`
	UID            string                     `json:"uid"`
	User           *User                      `json:"user,omitempty"`
	Association    *associationRecord         `json:"association,omitempty"`
	IsNew          bool                       `json:"is_new"`
	NewAssociation bool                       `json:"new_association"`
	Username       string                     `json:"username,omitempty"`
	Entries        []*associationRecord       `json:"entries,omitempty"`
	UniqueEmail    bool                       `json:"unique_email,omitempty"`
	Values         map[string]json.RawMessage `json:"values,omitempty"`
}

type profileRecord struct {
	UID     string          `json:"uid"`
	Details Details         `json:"details"`
	Raw     json.RawMessage `json:"raw,omitempty"`
	Token   tokenRecord     `json:"token"`
}

// tokenRecord and associationRecord are Token and Association without
// their redacting methods.
type (
	tokenRecord       Token
	associationRecord Association
)

// encode serialises the State for a paused login.
func (s *State) encode() ([]byte, error) {
	r := stateRecord{
		Profile:        profileRecord{UID: s.Profile.UID, Details: s.Profile.Details, Raw: s.Profile.Raw, Token: tokenRecord(s.Profile.Token)},
		Details:        s.Details,
		UID:            s.UID,
		User:           s.User,
		Association:    (*associationRecord)(s.Association),
		IsNew:          s.IsNew,
		NewAssociation: s.NewAssociation,
		Username:       s.Username,
		UniqueEmail:    s.UniqueEmail,
	}
	for _, a := range s.Entries {
		r.Entries = append(r.Entries, (*associationRecord)(a))
	}
	if len(s.values) > 0 {
		r.Values = make(map[string]json.RawMessage, len(s.values))
		for k, v := range s.values {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("socialauth: state value %q: %w", k, err)
			}
			r.Values[k] = b
		}
	}
	return json.Marshal(r)
}

// decode restores what encode wrote into s, keeping s's attachments
// (backend, storage, client, logger, clock). Values come back as raw JSON
// and are decoded by [Key.Get] on first use.
func (s *State) decode(b []byte) error {
	var r stateRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	s.Profile = Profile{UID: r.Profile.UID, Details: r.Profile.Details, Raw: r.Profile.Raw, Token: Token(r.Profile.Token)}
	s.Details, s.UID, s.User = r.Details, r.UID, r.User
	s.Association = (*Association)(r.Association)
	s.IsNew, s.NewAssociation, s.Username, s.UniqueEmail = r.IsNew, r.NewAssociation, r.Username, r.UniqueEmail
	s.Entries = nil
	for _, a := range r.Entries {
		s.Entries = append(s.Entries, (*Association)(a))
	}
	s.values = nil
	if len(r.Values) > 0 {
		s.values = make(map[string]any, len(r.Values))
		for k, v := range r.Values {
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

// Pause is what a step returns to pause the pipeline (a "partial" step, in
// Python Social Auth's terms):
// the login saves the State and returns a [*PausedError] with a resume token
// and reason. On [Service.Resume] the same step runs again, and can then find
// what the client supplied in the State.
func Pause(reason string) error { return &pauseSignal{reason: reason} }
