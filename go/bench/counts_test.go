package bench

import "testing"

func TestParseTotalReadsACallgrindDump(t *testing.T) {
	dump := "version: 1\ncmd:  ./t\npart: 1\ndesc: Trigger: Client Request\nevents: Ir\nsummary: 6019\ntotals: 6019\n"
	if v, ok := ParseTotal(dump); !ok || v != 6019 {
		t.Fatalf("ParseTotal = %d, %v; want 6019", v, ok)
	}
	if v, ok := ParseTotal("summary: 12\n"); !ok || v != 12 {
		t.Fatalf("summary only: %d, %v", v, ok)
	}
	if _, ok := ParseTotal("events: Ir\n"); ok {
		t.Fatal("a dump without totals was read")
	}
}

// Outside valgrind a worker refuses to count, saying why, instead of emitting zeros.
func TestCountingOutsideValgrindIsRefused(t *testing.T) {
	err := CheckCounting()
	if err == nil {
		t.Fatal("CheckCounting passed outside valgrind")
	}
	t.Log(err)
}
