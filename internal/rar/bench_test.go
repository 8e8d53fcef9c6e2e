package rar

import (
	"encoding/json"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

// BenchmarkParseAndCheck is the cost authorization_details adds to an
// authorization request with one payment detail.
func BenchmarkParseAndCheck(b *testing.B) {
	typ, err := Compile("https://pay", store.DetailType{Type: "payment_initiation", Schema: json.RawMessage(`{"type":"object","required":["instructedAmount","creditorName"],
		"properties":{"creditorName":{"type":"string"},"instructedAmount":{"type":"object","required":["currency","amount"],
		"properties":{"currency":{"enum":["EUR","USD"]},"amount":{"type":"string","pattern":"^[0-9]+(\\.[0-9]{2})?$"}}}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	reg := NewRegistry([]*Type{typ})
	allowed := []string{"payment_initiation"}
	const param = `[{"type":"payment_initiation","actions":["initiate","status"],"creditorName":"Merchant A","instructedAmount":{"currency":"EUR","amount":"123.50"}}]`
	b.ReportAllocs()
	for b.Loop() {
		ds, e := Parse(param)
		if e != nil {
			b.Fatal(e)
		}
		if _, e := reg.Check(ds, "c", allowed); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	const param = `[{"type":"payment_initiation","actions":["initiate","status"],"creditorName":"Merchant A","instructedAmount":{"currency":"EUR","amount":"123.50"}}]`
	b.ReportAllocs()
	for b.Loop() {
		if _, e := Parse(param); e != nil {
			b.Fatal(e)
		}
	}
}
