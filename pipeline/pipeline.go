// Package pipeline holds the stock login steps, PSA's default pipeline in Go,
// and [Default], which returns them in PSA's order:
//
//	social_details, social_uid, auth_allowed, social_user, get_username,
//	create_user, associate_user, load_extra_data, user_details
//
// Each constructor returns a [socialauth.PipelineStep] under PSA's name, so a
// host inserts or replaces steps by name:
//
//	p := pipeline.Default().
//		InsertAfter("get_username", pipeline.AssociateByEmail()).
//		InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.invite_only", Step: inviteOnly})
//
// Two deliberate differences from PSA: create_user does not write on its own
// (associate_user stores the new user and its association in one atomic
// step, so a concurrent or failed first login leaves no orphan user), and
// load_extra_data keeps no auth_time (so a returning user whose data did not
// change causes no write).
package pipeline

import "github.com/go-socialauth/socialauth"

// Default returns PSA's default pipeline with default options. The result is
// a fresh slice each time: change it freely.
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
