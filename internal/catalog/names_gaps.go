package catalog

// FAPI key sizes of CIBA signed requests, CIBA push mode (entries_gaps.go).
const (
	FAPICIBARequestKeySize Name = "fapi_ciba_request_key_size"
	FAPICIBAPush           Name = "fapi_ciba_push"
	CIBAPushPolled         Name = "ciba_push_polled"
)
