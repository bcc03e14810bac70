package backendtest

import (
	"net/http"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// Fakes of providers whose only endpoints give the user's profile: they
// offer no way to tell which app a token was issued to, so a foreign token
// is answered like any other.

// userOnly fakes a provider whose only endpoint is a user-info endpoint
// reached with a bearer token or an access_token query parameter.
func userOnly(method, url string, user func(Identity) any) []route {
	return []route{{method: method, url: url, answer: func(c *call) (int, any) { return http.StatusOK, user(c.id) }}}
}

func fakeTwitter(backends.Settings) []route {
	return []route{{method: "GET", url: "https://api.x.com/2/users/me", answer: func(c *call) (int, any) {
		id := c.id
		data := map[string]any{"id": id.UID, "name": id.fullName(), "username": id.Username,
			"created_at": "2013-12-14T04:35:55.000Z", "verified": false,
			"profile_image_url": "https://pbs.twimg.com/profile_images/" + id.UID + "/avatar_normal.jpg"}
		// X gives only a confirmed email, and only when asked for it (with
		// the users.email scope, which the fake takes as granted).
		if id.Email != "" && id.EmailVerified && strings.Contains(c.req.URL.Query().Get("user.fields"), "confirmed_email") {
			data["confirmed_email"] = id.Email
		}
		return http.StatusOK, map[string]any{"data": data}
	}}}
}

func fakeStrava(backends.Settings) []route {
	return userOnly("GET", "https://www.strava.com/api/v3/athlete", func(id Identity) any {
		return map[string]any{"id": numericID(id.UID), "username": id.Username, "resource_state": 3,
			"firstname": id.FirstName, "lastname": id.LastName, "city": "London", "country": "United Kingdom", "premium": false,
			"profile": "https://dgalywyr863hv.cloudfront.net/pictures/athletes/" + id.UID + "/large.jpg"}
	})
}

func fakePatreon(backends.Settings) []route {
	return userOnly("GET", "https://www.patreon.com/api/oauth2/v2/identity", func(id Identity) any {
		return map[string]any{"data": map[string]any{"id": id.UID, "type": "user", "attributes": map[string]any{
			"email": id.Email, "is_email_verified": id.EmailVerified, "full_name": id.fullName(),
			"first_name": id.FirstName, "last_name": id.LastName, "vanity": id.Username,
			"image_url": "https://c8.patreon.com/3/200/" + id.UID}},
			"links": map[string]any{"self": "https://www.patreon.com/api/oauth2/v2/user/" + id.UID}}
	})
}

func fakeZoom(backends.Settings) []route {
	return userOnly("GET", "https://api.zoom.us/v2/users/me", func(id Identity) any {
		// "verified" is the account's verification, which says nothing of
		// the email: Zoom documents no email verification.
		return map[string]any{"id": id.UID, "first_name": id.FirstName, "last_name": id.LastName,
			"display_name": id.fullName(), "email": id.Email, "type": 1, "verified": 1, "status": "active",
			"pic_url": "https://zoom.us/p/" + id.UID + "/" + pictureHash(id.UID)}
	})
}

func fakeYahoo(backends.Settings) []route {
	return userOnly("GET", "https://api.login.yahoo.com/openid/v1/userinfo", func(id Identity) any {
		return map[string]any{"sub": id.UID, "name": id.fullName(), "given_name": id.FirstName, "family_name": id.LastName,
			"nickname": id.Username, "email": id.Email, "email_verified": id.EmailVerified, "locale": "en-US",
			"picture": "https://s.yimg.com/ag/images/" + pictureHash(id.UID) + "_192sq.jpg"}
	})
}

func fakePayPal(backends.Settings) []route {
	return userOnly("GET", "https://api-m.paypal.com/v1/identity/openidconnect/userinfo", func(id Identity) any {
		// Real PayPal sends a URL as user_id; the backend takes it
		// verbatim, so the fake sends the identity's UID itself.
		return map[string]any{"user_id": id.UID, "name": id.fullName(), "given_name": id.FirstName, "family_name": id.LastName,
			"email": id.Email, "email_verified": id.EmailVerified, "verified_account": true, "account_type": "PERSONAL"}
	})
}

func fakeDigitalOcean(backends.Settings) []route {
	return userOnly("GET", "https://api.digitalocean.com/v2/account", func(id Identity) any {
		return map[string]any{"account": map[string]any{"uuid": id.UID, "email": id.Email, "email_verified": id.EmailVerified,
			"name": id.fullName(), "status": "active", "droplet_limit": 25}}
	})
}

func fakeAtlassian(backends.Settings) []route {
	return userOnly("GET", "https://api.atlassian.com/me", func(id Identity) any {
		return map[string]any{"account_type": "atlassian", "account_id": id.UID, "email": id.Email,
			"name": id.fullName(), "nickname": id.Username, "account_status": "active",
			"picture": "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/" + id.UID + "/" + pictureHash(id.UID)}
	})
}

func fakeNaver(backends.Settings) []route {
	return userOnly("GET", "https://openapi.naver.com/v1/nid/me", func(id Identity) any {
		return map[string]any{"resultcode": "00", "message": "success", "response": map[string]any{
			"id": id.UID, "nickname": id.Username, "name": id.fullName(), "email": id.Email,
			"profile_image": "https://phinf.pstatic.net/contact/" + pictureHash(id.UID) + ".png"}}
	})
}

func fakeCoinbase(backends.Settings) []route {
	return userOnly("GET", "https://api.coinbase.com/v2/user", func(id Identity) any {
		return map[string]any{"data": map[string]any{"id": id.UID, "name": id.fullName(), "username": id.Username,
			"email": id.Email, "resource": "user", "resource_path": "/v2/user",
			"avatar_url": "https://images.coinbase.com/avatar?h=" + pictureHash(id.UID) + "&s=128"}}
	})
}

func fakeBox(backends.Settings) []route {
	return userOnly("GET", "https://api.box.com/2.0/users/me", func(id Identity) any {
		return map[string]any{"type": "user", "id": id.UID, "name": id.fullName(), "login": id.Email, "status": "active",
			"avatar_url": "https://app.box.com/api/avatar/large/" + id.UID}
	})
}

// fakeInstagram answers /me only: Meta documents no inspection of
// Instagram Login tokens.
func fakeInstagram(backends.Settings) []route {
	return userOnly("GET", "https://graph.instagram.com/me", func(id Identity) any {
		return map[string]any{"id": id.UID, "user_id": "1784140" + id.UID, "username": id.Username, "name": id.fullName(),
			"profile_picture_url": "https://scontent.cdninstagram.com/v/t51.2885-19/" + pictureHash(id.UID) + ".jpg"}
	})
}

// fakeSlack is Sign in with Slack's openid.connect.userInfo (POST, Bearer
// token), answering as https://docs.slack.dev/reference/methods/openid.connect.userInfo
// documents; like every Slack Web API method it refuses a token with HTTP
// 200 and {"ok": false}. Its id_tokens come from the fake OpenID provider
// (oidc_providers.go).
func fakeSlack(backends.Settings) []route {
	return []route{{method: http.MethodPost, url: "https://slack.com/api/openid.connect.userInfo",
		answer: func(c *call) (int, any) {
			out := map[string]any{"ok": true}
			for k, v := range slackClaims(c.id) {
				out[k] = v
			}
			return http.StatusOK, out
		},
		unknown: func() (int, any) { return http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"} },
	}}
}

// slackClaims are the claims Slack states about id, in its userinfo answer
// and its id_tokens.
func slackClaims(id Identity) map[string]any {
	c := map[string]any{"sub": id.UID, "https://slack.com/user_id": id.UID, "https://slack.com/team_id": "T0FAKE0001",
		"name": id.fullName(), "given_name": id.FirstName, "family_name": id.LastName, "locale": "en-US",
		"picture":                          "https://secure.gravatar.com/avatar/" + pictureHash(id.UID) + ".png",
		"https://slack.com/user_image_192": "https://avatars.slack-edge.com/" + pictureHash(id.UID) + "_192.png",
		"https://slack.com/team_name":      "Fake Team", "https://slack.com/team_domain": "fake-team"}
	if id.Email != "" {
		c["email"], c["email_verified"] = id.Email, id.EmailVerified
	}
	return c
}

func fakeBitbucket(backends.Settings) []route {
	api := "https://api.bitbucket.org/2.0"
	return []route{
		{method: "GET", url: api + "/user", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"type": "user", "uuid": id.UID, "username": id.Username, "nickname": id.Username,
				"display_name": id.fullName(), "account_id": "557058:" + id.UID, "account_status": "active",
				"links": map[string]any{"avatar": map[string]any{"href": "https://secure.gravatar.com/avatar/" + pictureHash(id.UID)}}}
		}},
		{method: "GET", url: api + "/user/emails", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"pagelen": 10, "page": 1, "size": 1, "values": []map[string]any{
				{"type": "email", "email": c.id.Email, "is_primary": true, "is_confirmed": c.id.EmailVerified}}}
		}},
	}
}

func fakeSpotify(backends.Settings) []route {
	return userOnly("GET", "https://api.spotify.com/v1/me", func(id Identity) any {
		return map[string]any{"id": id.UID, "display_name": id.fullName(), "email": id.Email, "type": "user",
			"uri": "spotify:user:" + id.UID, "product": "free", "country": "GB",
			"images": []map[string]any{{"url": "https://i.scdn.co/image/" + pictureHash(id.UID), "height": 300, "width": 300}}}
	})
}

func fakeReddit(backends.Settings) []route {
	return userOnly("GET", "https://oauth.reddit.com/api/v1/me.json", func(id Identity) any {
		return map[string]any{"id": id.UID, "name": id.Username, "verified": true,
			"has_verified_email": id.EmailVerified, "is_suspended": false, "link_karma": 1, "comment_karma": 1,
			// Reddit escapes "&" in its legacy JSON.
			"icon_img": "https://styles.redditmedia.com/t5_" + id.UID + "/styles/profileIcon.png?width=256&amp;height=256"}
	})
}

func fakeDropbox(backends.Settings) []route {
	return userOnly("POST", "https://api.dropboxapi.com/2/users/get_current_account", func(id Identity) any {
		return map[string]any{"account_id": id.UID, "email": id.Email, "email_verified": id.EmailVerified,
			"disabled": false, "locale": "en", "account_type": map[string]any{".tag": "basic"},
			"profile_photo_url": "https://dl-web.dropbox.com/account_photo/get/dbaphid%3A" + pictureHash(id.UID) + "?size=128x128",
			"name": map[string]any{"display_name": id.fullName(), "given_name": id.FirstName, "surname": id.LastName,
				"familiar_name": id.FirstName, "abbreviated_name": ""}}
	})
}

// fakeStackOverflow answers /2.3/me as Stack Exchange does since June
// 2026: the access token in "Authorization: Bearer", the site in the query;
// a key or token in the query (the old scheme) is refused.
func fakeStackOverflow(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.stackexchange.com/2.3/me", token: authToken("Bearer"), answer: func(c *call) (int, any) {
			q := c.req.URL.Query()
			if q.Has("key") || q.Has("access_token") {
				return http.StatusBadRequest, map[string]any{"error_id": 400, "error_name": "bad_parameter",
					"error_message": "keys and access tokens are accepted only in the Authorization header"}
			}
			if q.Get("site") != "stackoverflow" {
				return http.StatusBadRequest, map[string]any{"error_id": 400, "error_name": "bad_parameter", "error_message": "site is required"}
			}
			id := c.id
			return http.StatusOK, map[string]any{"items": []any{map[string]any{"user_id": numericID(id.UID),
				"account_id": numericID(id.UID), "user_type": "registered", "display_name": id.fullName(),
				"link":          "https://stackoverflow.com/users/" + id.UID + "/" + id.Username,
				"profile_image": "https://www.gravatar.com/avatar/" + pictureHash(id.UID) + "?s=256&d=identicon&r=PG"}},
				"has_more": false, "quota_max": 10000, "quota_remaining": 9999}
		}},
	}
}

// fakeGraph fakes Microsoft Graph's /me for microsoft-graph's access tokens.
func fakeGraph(backends.Settings) []route {
	return []route{{method: http.MethodGet, url: "https://graph.microsoft.com/v1.0/me", answer: func(c *call) (int, any) {
		id := c.id
		upn := id.Username + "@contoso.onmicrosoft.com"
		return http.StatusOK, map[string]any{
			"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
			"id":             id.UID, "userPrincipalName": upn, "mail": nilIfEmpty(id.Email),
			"displayName": id.fullName(), "givenName": id.FirstName, "surname": id.LastName,
			"businessPhones": []string{}, "jobTitle": nil, "officeLocation": nil, "preferredLanguage": "en-US",
		}
	}}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
