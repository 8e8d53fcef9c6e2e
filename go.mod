module github.com/lucid-auth/lucid

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0 // Chrome DevTools types, with chromedp
	github.com/chromedp/chromedp v0.23.0 // browser tests: headless Chromium drives the pages
	github.com/coreos/go-oidc/v3 v3.21.0 // e2e tests: a real OIDC relying party verifies our ID tokens
	github.com/go-jose/go-jose/v4 v4.1.8 // JOSE: signing and verifying JWTs, JWK sets
	github.com/go-ldap/ldap/v3 v3.4.12 // directories: LDAP search-then-bind sign-in (internal/ldap)
	github.com/go-webauthn/webauthn v0.18.2 // passkeys: WebAuthn registration and assertion checks
	github.com/jackc/pgx/v5 v5.12.0 // PostgreSQL store
	github.com/jackc/puddle/v2 v2.2.3 // pgx's pool: its closed-pool error means the database is unavailable
	github.com/nicksnyder/go-i18n/v2 v2.7.0 // message catalogs of the pages and mails: named values, CLDR plurals, missing-message errors
	github.com/pquerna/otp v1.5.0 // TOTP (RFC 6238) codes and their QR code
	github.com/prometheus/client_golang v1.25.0 // metrics at /admin/metrics
	github.com/prometheus/client_model v0.6.3 // the console reads the gathered metric families for its charts
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // RFC 9396: the JSON Schema of each authorization details type
	go.opentelemetry.io/otel v1.47.0 // tracing (off by default): the OpenTelemetry API, attributes and semantic conventions
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp v1.47.0 // tracing: the OTLP/HTTP exporter, configured by OTEL_EXPORTER_OTLP_*
	go.opentelemetry.io/otel/sdk v1.47.0 // tracing: the SDK (tracer provider, sampler from OTEL_TRACES_SAMPLER, batching, resource); tests: the in-memory exporter
	go.opentelemetry.io/otel/trace v1.47.0 // tracing: span and span context types
	golang.org/x/crypto v0.58.0 // argon2id password hashing
	golang.org/x/oauth2 v0.37.0 // the demo client and e2e tests: a real OAuth client library
	golang.org/x/sys v0.49.0 // loadgen's epoll event loop
	golang.org/x/text v0.44.0 // language tags and matching (ui_locales, Accept-Language); the JSON Schema library's messages
	golang.org/x/time v0.16.0 // token buckets: open registrations and failed sign-ins per network
	gopkg.in/yaml.v3 v3.0.1 // the YAML configuration file
	modernc.org/sqlite v1.61.1 // embedded store: pure-Go SQLite, no cgo
)

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // SASL PLAIN for SMTP authentication
	github.com/emersion/go-smtp v0.26.0 // outgoing mail: the SMTP client, and the loopback test server (mailtest)
)

require (
	github.com/Azure/go-ntlmssp v0.0.0-20221128193559-754e69321358 // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.4 // indirect
	github.com/go-asn1-ber/asn1-ber v1.5.8-0.20250403174932-29230038a667 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/go-viper/mapstructure/v2 v2.5.0 // indirect
	github.com/go-webauthn/x v0.3.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/grpc-ecosystem/grpc-gateway/v2 v2.30.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	github.com/tinylib/msgp v1.6.4 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/exporters/otlp/otlptrace v1.47.0 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.opentelemetry.io/proto/otlp v1.11.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260928230214-8a89bd6388cc // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260928230214-8a89bd6388cc // indirect
	google.golang.org/grpc v1.83.2 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	modernc.org/libc v1.79.0 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
