package backends

import (
	"encoding/json"
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// groupAConstructors is the constructor table of provider group A.
func groupAConstructors() map[string]constructor {
	return map[string]constructor{
		"gitlab":           {build: func(s Settings) socialauth.Backend { return GitLab(s) }},
		"discord":          {build: func(s Settings) socialauth.Backend { return Discord(s) }},
		"slack":            {build: func(s Settings) socialauth.Backend { return Slack(s) }},
		"bitbucket-oauth2": {build: func(s Settings) socialauth.Backend { return BitbucketOAuth2(s) }},
		"amazon":           {build: func(s Settings) socialauth.Backend { return Amazon(s) }},
		"spotify":          {build: func(s Settings) socialauth.Backend { return Spotify(s) }},
		"twitch":           {build: func(s Settings) socialauth.Backend { return Twitch(s) }},
		"reddit":           {build: func(s Settings) socialauth.Backend { return Reddit(s) }},
		"dropbox-oauth2":   {build: func(s Settings) socialauth.Backend { return DropboxOAuth2(s) }},
		"yandex-oauth2":    {build: func(s Settings) socialauth.Backend { return YandexOAuth2(s) }},
		"vk-oauth2":        {build: func(s Settings) socialauth.Backend { return VKOAuth2(s) }, requires: []string{"API_KEY"}},
		"instagram":        {build: func(s Settings) socialauth.Backend { return Instagram(s) }, requires: []string{"SECRET"}},
		"stackoverflow":    {build: func(s Settings) socialauth.Backend { return Stackoverflow(s) }, requires: []string{"API_KEY"}},
		"linkedin-oauth2":  {build: func(s Settings) socialauth.Backend { return LinkedInOAuth2(s) }, requires: []string{"SECRET"}},
	}
}

// tokenUser is the user id a token check reported: a token that belongs to
// no user (an app or client-credentials token) is not a login.
func tokenUser(uid string) (string, error) {
	if uid == "" {
		return "", fmt.Errorf("%w: the token belongs to no user", socialauth.ErrInvalidToken)
	}
	return uid, nil
}

// mapFirst maps the first of a provider's list of users (Helix's "data",
// Stack Exchange's "items", VK's "response"); the profile's Raw is that
// user alone. An empty list is a profile without uid, which the backend
// refuses.
func mapFirst(f func([]byte) (string, socialauth.Details, error), items []json.RawMessage) (*socialauth.Profile, error) {
	if len(items) == 0 {
		return &socialauth.Profile{}, nil
	}
	return mapUser(f, items[0])
}
