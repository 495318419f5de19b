// Package interopgo holds the founding document's Go benchmarks under their own names
// (`go test -bench .` in this folder), one sub-benchmark per engine and API, built on
// the adapters of package bench. The worker driver is cmd/interop-go-host.
package interopgo
