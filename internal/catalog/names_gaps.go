package catalog

// FAPI key sizes of CIBA signed requests (entries_gaps.go).
const (
	FAPICIBARequestKeySize Name = "fapi_ciba_request_key_size"
)
