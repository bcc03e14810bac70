package backends

import (
	"strings"

	"github.com/go-socialauth/socialauth"
)

// groupBConstructors is the constructor table of provider group B.
func groupBConstructors() map[string]constructor {
	return map[string]constructor{
		"atlassian":      {build: func(s Settings) socialauth.Backend { return Atlassian(s) }},
		"box":            {build: func(s Settings) socialauth.Backend { return Box(s) }},
		"coinbase":       {build: func(s Settings) socialauth.Backend { return Coinbase(s) }},
		"digitalocean":   {build: func(s Settings) socialauth.Backend { return DigitalOcean(s) }},
		"naver":          {build: func(s Settings) socialauth.Backend { return Naver(s) }},
		"patreon":        {build: func(s Settings) socialauth.Backend { return Patreon(s) }},
		"paypal-oauth2":  {build: func(s Settings) socialauth.Backend { return PayPalOAuth2(s) }},
		"strava":         {build: func(s Settings) socialauth.Backend { return Strava(s) }},
		"twitter-oauth2": {build: func(s Settings) socialauth.Backend { return TwitterOAuth2(s) }},
		"yahoo-oauth2":   {build: func(s Settings) socialauth.Backend { return YahooOAuth2(s) }},
		"zoom-oauth2":    {build: func(s Settings) socialauth.Backend { return ZoomOAuth2(s) }},
	}
}

// lastSegment is what follows the last '/' of s (all of s when there is none).
func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}
