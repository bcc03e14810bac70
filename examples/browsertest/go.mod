module github.com/go-socialauth/socialauth/examples/browsertest

go 1.26.8

require (
	github.com/chromedp/chromedp v0.23.1
	github.com/go-socialauth/socialauth v0.0.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/oauth2 v0.36.0
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

replace github.com/go-socialauth/socialauth => ../..
