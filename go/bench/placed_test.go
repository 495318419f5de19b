package bench

import (
	"bytes"
	"testing"
	"unsafe"
)

// Host buffers sit half a page (modulo a page) from the guest's buffer, whatever the heap
// gave, and hold what they were given.
func TestPlacedBuffersSitHalfAPageFromTheGuests(t *testing.T) {
	for _, near := range []uintptr{0, 1, 16, 2047, 2048, 4095, 4096 + 100, 0x7f1234567ff0} {
		for _, n := range []int{0, 1, 51, 4096, 65536} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i)
			}
			p := placedCopy(b, near)
			if !bytes.Equal(p, b) || cap(p) != n {
				t.Fatalf("near %#x n %d: wrong contents or capacity %d", near, n, cap(p))
			}
			at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
			if n > 0 && (at-near)%pageSize != hostBufDistance { // an empty slice points at its array
				t.Errorf("near %#x n %d: the buffer is %d bytes from it modulo a page, want %d", near, n, (at-near)%pageSize, hostBufDistance)
			}
		}
	}
}

// Every engine this binary hosts gives a view of its memory, so that guestAddr places
// host buffers against the guest's real address, not against a page start it assumed.
func TestEveryEngineSaysWhereItsMemoryIs(t *testing.T) {
	wasm := guestBytes(t)
	for _, f := range Factories() {
		if f.Delegate {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			eng, err := f.New()
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			mod, err := eng.Compile(wasm)
			if err != nil {
				t.Fatal(err)
			}
			defer mod.Close()
			in, err := mod.Instantiate()
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			mem, err := in.Memory()
			if err != nil {
				t.Fatal(err)
			}
			if err := mem.Write(100, []byte{42}); err != nil {
				t.Fatal(err)
			}
			v := mem.View()
			if len(v) <= 100 || v[100] != 42 || guestAddr(mem, 100) != uintptr(unsafe.Pointer(&v[100])) {
				t.Fatalf("%s: its view (%d bytes) is not where its memory is", f.Name, len(v))
			}
		})
	}
}
