// Package pipeline holds the stock steps of a login and of a disconnect.
//
// After a backend has checked a token and returned the provider's profile,
// a login runs its pipeline: an ordered list of named steps that each read
// and change the login's [socialauth.State]. [Default] returns the stock
// login pipeline, whose steps, in order:
//
//   - social_details: takes the person's details (name, email, whether the
//     provider verified it) from the profile;
//   - social_uid: takes the provider's immutable user id;
//   - auth_allowed: refuses emails outside optional allow-lists;
//   - social_user: finds the user already linked to this provider id;
//   - get_username: picks a unique username for a new user;
//   - create_user: makes the new user, when none was found (not stored yet);
//   - associate_user: stores the link between user and provider id (an
//     association), and a new user with it, in one atomic step;
//   - load_extra_data: keeps the provider's tokens and chosen profile fields
//     in the association;
//   - user_details: refreshes the user's name from the provider.
//
// Each constructor returns a [socialauth.PipelineStep] under its step name,
// so a host inserts, replaces or removes steps by name:
//
//	p := pipeline.Default().
//		InsertAfter("get_username", pipeline.AssociateByEmail()).
//		InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.invite_only", Step: inviteOnly})
//
// [DefaultDisconnect] is the pipeline of [socialauth.Service.Disconnect].
//
// Coming from Python Social Auth: the step names and their order are those
// of its SOCIAL_AUTH_PIPELINE and SOCIAL_AUTH_DISCONNECT_PIPELINE, and the
// option types carry its settings under Go names. Two deliberate
// differences: create_user does not write on its own (associate_user stores
// the new user and its association together, so a concurrent or failed
// first login leaves no orphan user), and load_extra_data keeps no
// auth_time (so a returning user whose data did not change causes no write).
package pipeline

import "github.com/go-socialauth/socialauth"

// Default returns the stock login pipeline (see the package doc), each step
// with its zero options. The result is a fresh slice each time: change it
// freely.
func Default() socialauth.Pipeline {
	return socialauth.Pipeline{
		SocialDetails(),
		SocialUID(),
		AuthAllowed(AllowedOptions{}),
		SocialUser(),
		GetUsername(UsernameOptions{}),
		CreateUser(),
		AssociateUser(),
		LoadExtraData(ExtraDataOptions{}),
		UserDetails(UserDetailsOptions{}),
	}
}
