package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// access moves bytes between the host and linear memory with one memory API:
// "view" copies through the engine's zero-copy view (held across ops, fetched again
// with refresh after guest calls that may grow memory); "copy" calls the engine's
// explicit Write/Read on every access.
type access struct {
	mem  Memory
	view bool
	v    []byte
}

func newAccess(mem Memory, memAPI string) (*access, error) {
	switch memAPI {
	case "view":
		return &access{mem: mem, view: true, v: mem.View()}, nil
	case "copy":
		return &access{mem: mem}, nil
	}
	return nil, fmt.Errorf("unknown memory API %q", memAPI)
}

func (a *access) refresh() {
	if a.view {
		a.v = a.mem.View()
	}
}

func (a *access) in(off uint32, src []byte) error {
	if a.view {
		if uint64(off)+uint64(len(src)) > uint64(len(a.v)) {
			return fmt.Errorf("copy in of %d bytes at %d beyond memory (%d bytes)", len(src), off, len(a.v))
		}
		copy(a.v[off:], src)
		return nil
	}
	return a.mem.Write(off, src)
}

func (a *access) out(off uint32, dst []byte) error {
	if a.view {
		if uint64(off)+uint64(len(dst)) > uint64(len(a.v)) {
			return fmt.Errorf("copy out of %d bytes at %d beyond memory (%d bytes)", len(dst), off, len(a.v))
		}
		copy(dst, a.v[off:])
		return nil
	}
	return a.mem.Read(off, dst)
}

// wasmCase prepares one case of a wasm scenario on a fresh instance of mod (compile
// uses eng). It returns the case and a cleanup. Everything looked up or allocated here
// stays outside the timed loop. compile must run while no module of the same bytes is
// open on eng (RunWasm closes its shared one first): wazero would serve it from memory.
func wasmCase(eng Engine, mod Module, guest []byte, sc Scenario, param int64, callAPI, memAPI string) (Case, func(), error) {
	if v, ok := gcVariants[sc.Name]; ok {
		restore := v.mode.apply()
		c, cleanup, err := wasmCase(eng, mod, guest, Scenario{Name: v.base, Target: sc.Target}, param, callAPI, memAPI)
		if err != nil {
			restore()
			return Case{}, nil, err
		}
		return c, func() { cleanup(); restore() }, nil
	}
	if d, ok := eng.(DirectCaser); ok {
		if c, cleanup, err, ok := d.DirectCase(mod, sc.Name, param, callAPI, memAPI); ok {
			return c, cleanup, err
		}
	}
	switch sc.Name {
	case "compile":
		return Case{Loop: timed(func(n int) error {
			for i := 0; i < n; i++ {
				m, err := eng.Compile(guest)
				if err != nil {
					return fmt.Errorf("compile guest: %w", err)
				}
				m.Close()
			}
			return nil
		})}, func() {}, nil
	case "first_call":
		// Checked once up front so that a missing export fails before timing.
		in, err := mod.Instantiate()
		if err != nil {
			return Case{}, nil, fmt.Errorf("instantiate: %w", err)
		}
		_, err = in.FuncII_I("add_numbers", callAPI)
		in.Close()
		if err != nil {
			return Case{}, nil, err
		}
		// Fresh instances are made (untimed) in blocks of 64; the first call on each is
		// timed as one loop per block, so no clock read sits inside a timed operation.
		return Case{Loop: func(n int) (time.Duration, error) {
			const block = 64
			var total time.Duration
			type fresh struct {
				in  Instance
				add func(int32, int32) (int32, error)
			}
			batch := make([]fresh, 0, block)
			closeAll := func() {
				for _, f := range batch {
					f.in.Close()
				}
				batch = batch[:0]
			}
			for done := 0; done < n; {
				k := n - done
				if k > block {
					k = block
				}
				for j := 0; j < k; j++ {
					in, err := mod.Instantiate()
					if err != nil {
						closeAll()
						return total, fmt.Errorf("instantiate: %w", err)
					}
					add, err := in.FuncII_I("add_numbers", callAPI)
					if err != nil {
						in.Close()
						closeAll()
						return total, err
					}
					batch = append(batch, fresh{in, add})
				}
				t0 := time.Now()
				for j, f := range batch {
					a := int32(done + j)
					r, err := f.add(a, 20)
					if err != nil {
						total += time.Since(t0)
						closeAll()
						return total, &callError{"add_numbers", err}
					}
					if r != a+20 {
						total += time.Since(t0)
						closeAll()
						return total, mismatch("add_numbers", "add_numbers(%d, 20) returned %d, expected %d", a, r, a+20)
					}
				}
				total += time.Since(t0)
				closeAll()
				done += k
			}
			return total, nil
		}}, func() {}, nil
	case "instantiate":
		c, err := instantiationCase(mod.Instantiate, "instantiate", callAPI)
		return c, func() {}, err
	case "deserialize":
		return deserializeCase(eng, mod, callAPI)
	case "instantiate_pre":
		return instantiatePreCase(eng, mod, callAPI)
	}

	in, err := mod.Instantiate()
	if err != nil {
		return Case{}, nil, fmt.Errorf("instantiate: %w", err)
	}
	c, err := instanceCase(in, sc.Name, param, callAPI, memAPI)
	if err != nil {
		in.Close()
		return Case{}, nil, err
	}
	return c, in.Close, nil
}

// deserializeCase: the guest compiled once (mod) is serialized once, untimed; each op
// deserializes those bytes and closes the module, as compile compiles and closes. The
// last module of every loop is kept open until it has been instantiated and has
// computed add_numbers(40, 2) outside the timer (its close is timed), so a broken
// deserialization cannot look fast.
func deserializeCase(eng Engine, mod Module, callAPI string) (Case, func(), error) {
	ser, ok := eng.(Serializer)
	if !ok {
		return Case{}, nil, errNotApplicable{"this engine has no serialized (ahead-of-time compiled) modules"}
	}
	data, err := ser.Serialize(mod)
	if errors.As(err, new(errNotApplicable)) {
		return Case{}, nil, err // the engine's own reason, as it is
	} else if err != nil {
		return Case{}, nil, fmt.Errorf("serialize the compiled guest: %w", err)
	}
	m, err := ser.Deserialize(data)
	if err != nil {
		return Case{}, nil, fmt.Errorf("deserialize the serialized guest: %w", err)
	}
	err = checkDeserialized(m, callAPI)
	m.Close()
	if err != nil {
		return Case{}, nil, err
	}
	return Case{Loop: func(n int) (time.Duration, error) {
		var last Module
		t0 := time.Now()
		for i := 0; i < n; i++ {
			m, err := ser.Deserialize(data)
			if err != nil {
				return time.Since(t0), fmt.Errorf("deserialize the serialized guest: %w", err)
			}
			if i < n-1 {
				m.Close()
			} else {
				last = m
			}
		}
		d := time.Since(t0)
		if last == nil {
			return d, nil // n == 0
		}
		err := checkDeserialized(last, callAPI)
		t1 := time.Now()
		last.Close()
		return d + time.Since(t1), err
	}}, func() {}, nil
}

// checkDeserialized instantiates a deserialized module and checks add_numbers(40, 2).
func checkDeserialized(m Module, callAPI string) error {
	in, err := m.Instantiate()
	if err != nil {
		return fmt.Errorf("instantiate a deserialized module: %w", err)
	}
	defer in.Close()
	add, err := in.FuncII_I("add_numbers", callAPI)
	if err != nil {
		return err
	}
	r, err := add(40, 2)
	if err != nil {
		return &callError{"add_numbers", err}
	}
	if r != 42 {
		return mismatch("add_numbers", "add_numbers(40, 2) returned %d on a deserialized module, expected 42", r)
	}
	return nil
}

// instantiatePreCase: mod's imports resolved once, untimed; each op instantiates from
// that and closes the instance, as instantiate does from mod.
func instantiatePreCase(eng Engine, mod Module, callAPI string) (Case, func(), error) {
	pl, ok := eng.(PreLinker)
	if !ok {
		return Case{}, nil, errNotApplicable{"this engine has no pre-linked instantiation (like wasmtime's InstancePre)"}
	}
	pre, err := pl.InstancePre(mod)
	if errors.As(err, new(errNotApplicable)) {
		return Case{}, nil, err // the engine's own reason, as it is
	} else if err != nil {
		return Case{}, nil, fmt.Errorf("resolve the guest's imports ahead of time: %w", err)
	}
	c, err := instantiationCase(pre.Instantiate, "instantiate from the pre-linked guest", callAPI)
	if err != nil {
		pre.Close()
		return Case{}, nil, err
	}
	return c, pre.Close, nil
}

// instantiationCase times instantiate (a fresh instance, closed again), after checking
// once that an instance it makes runs no_op. what names the step in errors.
func instantiationCase(instantiate func() (Instance, error), what, callAPI string) (Case, error) {
	in, err := instantiate()
	if err != nil {
		return Case{}, fmt.Errorf("%s: %w", what, err)
	}
	noop, err := in.FuncV_V("no_op", callAPI)
	if err == nil {
		if cerr := noop(); cerr != nil {
			err = &callError{"no_op", cerr}
		}
	}
	in.Close()
	if err != nil {
		return Case{}, err
	}
	return Case{Loop: timed(func(n int) error {
		for i := 0; i < n; i++ {
			in, err := instantiate()
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			in.Close()
		}
		return nil
	})}, nil
}

// errNoImpl marks a scenario this host has no implementation for.
type errNoImpl struct{ name string }

func (e errNoImpl) Error() string {
	return fmt.Sprintf("the Go host has no implementation of scenario %s", e.name)
}

// verifyReversed checks, after a loop, that dst holds src reversed, then spoils dst's
// ends so that the next loop must write them again.
func verifyReversed(dst, src []byte) func() error {
	return func() error {
		n := len(src)
		if !reversedEqual(dst, src) {
			return mismatch("reverse_string_in_place", "the %d bytes came back not reversed", n)
		}
		dst[0], dst[n-1] = src[0], src[n-1]
		return nil
	}
}

func allocate(alloc func(int32) (int32, error), size int) (uint32, error) {
	p, err := alloc(int32(size))
	if err != nil {
		return 0, &callError{"allocate", err}
	}
	if p == 0 {
		return 0, mismatch("allocate", "allocate(%d) returned 0", size)
	}
	return uint32(p), nil
}

func instanceCase(in Instance, name string, param int64, callAPI, memAPI string) (Case, error) {
	n := int(param)
	switch name {
	case "noop":
		f, err := in.FuncV_V("no_op", callAPI)
		if err != nil {
			return Case{}, err
		}
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				if err := f(); err != nil {
					return &callError{"no_op", err}
				}
			}
			return nil
		})}, nil

	case "add":
		f, err := in.FuncII_I("add_numbers", callAPI)
		if err != nil {
			return Case{}, err
		}
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				a := int32(i)
				r, err := f(a, 20)
				if err != nil {
					return &callError{"add_numbers", err}
				}
				if r != a+20 {
					return mismatch("add_numbers", "add_numbers(%d, 20) returned %d, expected %d", a, r, a+20)
				}
			}
			return nil
		})}, nil

	case "batch_crossing":
		bc, ok := in.(BatchCaller)
		if !ok {
			return Case{}, errNotApplicable{"this engine has no batch entry (many Wasm calls inside one FFI call)"}
		}
		batch, err := bc.BatchAdd(callAPI)
		if err != nil {
			return Case{}, err
		}
		// One op = one FFI call making n add_numbers calls (a+i, 20), each checked on the
		// far side; the last sum is checked here too, so a short loop cannot pass.
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				a := int32(i)
				last, err := batch(n, a, 20)
				if err != nil {
					return err
				}
				if want := a + int32(n-1) + 20; last != want {
					return mismatch("add_numbers", "the last of %d batched add_numbers calls returned %d, expected %d", n, last, want)
				}
			}
			return nil
		})}, nil

	case "host_import":
		f, err := in.FuncI_I("call_host", callAPI)
		if err != nil {
			return Case{}, err
		}
		calls := int32(n)
		return Case{Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				r, err := f(calls)
				if err != nil {
					return &callError{"call_host", err}
				}
				if r != calls {
					return mismatch("call_host", "call_host(%d) returned %d, expected %d", calls, r, calls)
				}
			}
			return nil
		})}, nil
	}

	// The rest use memory.
	mem, err := in.Memory()
	if err != nil {
		return Case{}, err
	}
	acc, err := newAccess(mem, memAPI)
	if err != nil {
		return Case{}, err
	}
	switch name {
	case "copy_in":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		p, err := allocate(alloc, n)
		if err != nil {
			return Case{}, err
		}
		acc.refresh()
		src := placedCopy(TextBytes(n), guestAddr(mem, p))
		back := placed(n, guestAddr(mem, p))
		return Case{
			InputSHA256: sha256Hex(src),
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					if err := acc.in(p, src); err != nil {
						return err
					}
				}
				return nil
			}),
			Verify: func() error {
				if err := mem.Read(p, back); err != nil {
					return err
				}
				if !bytes.Equal(back, src) {
					return fmt.Errorf("guest buffer does not hold the %d bytes copied in", n)
				}
				// Spoil it so that the next sample must copy again to pass.
				return mem.Write(p, []byte{^src[0]})
			},
		}, nil

	case "copy_out":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		p, err := allocate(alloc, n)
		if err != nil {
			return Case{}, err
		}
		acc.refresh()
		want := TextBytes(n)
		if err := mem.Write(p, want); err != nil {
			return Case{}, err
		}
		dst := placed(n, guestAddr(mem, p))
		first, last := want[0], want[n-1]
		return Case{
			InputSHA256: sha256Hex(want),
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					if err := acc.out(p, dst); err != nil {
						return err
					}
					if dst[0] != first || dst[n-1] != last {
						return fmt.Errorf("copied-out bytes differ from the guest buffer")
					}
				}
				return nil
			}),
			Verify: func() error {
				if !bytes.Equal(dst, want) {
					return fmt.Errorf("copied-out %d bytes differ from the guest buffer", n)
				}
				dst[0], dst[n-1] = ^first, ^last
				return nil
			},
		}, nil

	case "string_roundtrip":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		rev, err := in.FuncII_V("reverse_string_in_place", callAPI)
		if err != nil {
			return Case{}, err
		}
		p, err := allocate(alloc, n)
		if err != nil {
			return Case{}, err
		}
		acc.refresh()
		src := placedCopy(TextBytes(n), guestAddr(mem, p))
		dst := placed(n, guestAddr(mem, p))
		return Case{
			InputSHA256: sha256Hex(src),
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					if err := acc.in(p, src); err != nil {
						return err
					}
					if err := rev(int32(p), int32(n)); err != nil {
						return &callError{"reverse_string_in_place", err}
					}
					if err := acc.out(p, dst); err != nil {
						return err
					}
					if dst[0] != src[n-1] || dst[n-1] != src[0] {
						return mismatch("reverse_string_in_place", "the %d bytes came back not reversed", n)
					}
				}
				return nil
			}),
			Verify: verifyReversed(dst, src),
		}, nil

	case "string_alloc_per_call":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		dealloc, err := in.FuncII_V("deallocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		rev, err := in.FuncII_V("reverse_string_in_place", callAPI)
		if err != nil {
			return Case{}, err
		}
		// Where the guest's allocator puts the string (each op frees it, so the next gets
		// the same place): the host's buffers are placed against it.
		p, err := allocate(alloc, n)
		if err != nil {
			return Case{}, err
		}
		if err := dealloc(int32(p), int32(n)); err != nil {
			return Case{}, &callError{"deallocate", err}
		}
		src := placedCopy(TextBytes(n), guestAddr(mem, p))
		dst := placed(n, guestAddr(mem, p))
		return Case{
			InputSHA256: sha256Hex(src),
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					p, err := allocate(alloc, n)
					if err != nil {
						return err
					}
					acc.refresh() // allocate may have grown memory
					if err := acc.in(p, src); err != nil {
						return err
					}
					if err := rev(int32(p), int32(n)); err != nil {
						return &callError{"reverse_string_in_place", err}
					}
					if err := acc.out(p, dst); err != nil {
						return err
					}
					if err := dealloc(int32(p), int32(n)); err != nil {
						return &callError{"deallocate", err}
					}
					if dst[0] != src[n-1] || dst[n-1] != src[0] {
						return mismatch("reverse_string_in_place", "the %d bytes came back not reversed", n)
					}
				}
				return nil
			}),
			Verify: verifyReversed(dst, src),
		}, nil

	case "return_buffer":
		produce, err := in.FuncII_L("produce_buffer", callAPI)
		if err != nil {
			return Case{}, err
		}
		dealloc, err := in.FuncII_V("deallocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		// Where the guest puts the buffer (each op frees it, so the next gets the same
		// place): the host's buffer is placed against it.
		packed, err := produce(int32(n), 0)
		if err != nil {
			return Case{}, &callError{"produce_buffer", err}
		}
		if err := dealloc(int32(uint64(packed)>>32), int32(n)); err != nil {
			return Case{}, &callError{"deallocate", err}
		}
		dst := placed(n, guestAddr(mem, uint32(uint64(packed)>>32)))
		var lastSeed int32
		return Case{
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					seed := int32(i & 0xff)
					packed, err := produce(int32(n), seed)
					if err != nil {
						return &callError{"produce_buffer", err}
					}
					p, l := uint32(uint64(packed)>>32), uint32(packed)
					if p == 0 || int(l) != n {
						return mismatch("produce_buffer", "produce_buffer(%d, %d) returned ptr %d len %d", n, seed, p, l)
					}
					acc.refresh() // produce_buffer allocated
					if err := acc.out(p, dst); err != nil {
						return err
					}
					if err := dealloc(int32(p), int32(n)); err != nil {
						return &callError{"deallocate", err}
					}
					if dst[0] != byte(seed) || dst[n-1] != byte(int(seed)+n-1) {
						return mismatch("produce_buffer", "buffer of produce_buffer(%d, %d) has the wrong bytes", n, seed)
					}
					lastSeed = seed
				}
				return nil
			}),
			Verify: func() error {
				for i := range dst {
					if dst[i] != byte(int(lastSeed)+i) {
						return mismatch("produce_buffer", "byte %d of produce_buffer(%d, %d) is %d, expected %d", i, n, lastSeed, dst[i], byte(int(lastSeed)+i))
					}
				}
				dst[0] = ^dst[0]
				return nil
			},
		}, nil

	case "sum_array", "sum_array_resident":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		sum, err := in.FuncII_I("sum_array", callAPI)
		if err != nil {
			return Case{}, err
		}
		p, err := allocate(alloc, 4*n)
		if err != nil {
			return Case{}, err
		}
		acc.refresh()
		arr, want := I32Array(n)
		data := placedCopy(LEBytes(arr), guestAddr(mem, p))
		if name == "sum_array_resident" {
			if err := mem.Write(p, data); err != nil {
				return Case{}, err
			}
			return Case{InputSHA256: sha256Hex(data), Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					s, err := sum(int32(p), int32(n))
					if err != nil {
						return &callError{"sum_array", err}
					}
					if s != want {
						return mismatch("sum_array", "sum_array of %d i32 returned %d, expected %d", n, s, want)
					}
				}
				return nil
			})}, nil
		}
		return Case{InputSHA256: sha256Hex(data), Loop: timed(func(k int) error {
			for i := 0; i < k; i++ {
				if err := acc.in(p, data); err != nil {
					return err
				}
				s, err := sum(int32(p), int32(n))
				if err != nil {
					return &callError{"sum_array", err}
				}
				if s != want {
					return mismatch("sum_array", "sum_array of %d i32 returned %d, expected %d", n, s, want)
				}
			}
			return nil
		})}, nil

	case "batch_add":
		alloc, err := in.FuncI_I("allocate", callAPI)
		if err != nil {
			return Case{}, err
		}
		batch, err := in.FuncIIII_V("batch_add", callAPI)
		if err != nil {
			return Case{}, err
		}
		var ptrs [3]uint32
		for j := range ptrs {
			if ptrs[j], err = allocate(alloc, 4*n); err != nil {
				return Case{}, err
			}
		}
		acc.refresh()
		pa, pb, po := ptrs[0], ptrs[1], ptrs[2]
		a, b, want := batchAddInputs(n)
		ab, bb, wantB := placedCopy(LEBytes(a), guestAddr(mem, pa)), placedCopy(LEBytes(b), guestAddr(mem, pb)), LEBytes(want)
		out := placed(4*n, guestAddr(mem, po))
		first, last := want[0], want[n-1]
		return Case{
			InputSHA256: sha256Hex(ab, bb),
			Loop: timed(func(k int) error {
				for i := 0; i < k; i++ {
					if err := acc.in(pa, ab); err != nil {
						return err
					}
					if err := acc.in(pb, bb); err != nil {
						return err
					}
					if err := batch(int32(pa), int32(pb), int32(po), int32(n)); err != nil {
						return &callError{"batch_add", err}
					}
					if err := acc.out(po, out); err != nil {
						return err
					}
					if int32(binary.LittleEndian.Uint32(out)) != first || int32(binary.LittleEndian.Uint32(out[4*n-4:])) != last {
						return mismatch("batch_add", "batch_add of %d i32 gave wrong sums", n)
					}
				}
				return nil
			}),
			Verify: func() error {
				if !bytes.Equal(out, wantB) {
					return mismatch("batch_add", "batch_add of %d i32 gave wrong sums", n)
				}
				out[0] = ^out[0]
				return nil
			},
		}, nil
	}
	return Case{}, errNoImpl{name}
}

// PrepareCase is wasmCase for callers outside the package (the seed's benchmarks):
// one case of the named wasm scenario, on a fresh instance of mod.
func PrepareCase(eng Engine, mod Module, guest []byte, scenario string, param int64, callAPI, memAPI string) (Case, func(), error) {
	return wasmCase(eng, mod, guest, Scenario{Name: scenario, Target: "wasm"}, param, callAPI, memAPI)
}

// IsNotApplicable reports whether err says a scenario (or one of its API paths) cannot
// be expressed on a runtime, rather than that it failed.
func IsNotApplicable(err error) bool {
	return errors.As(err, new(errNotApplicable)) || errors.As(err, new(errAPINotApplicable))
}

// NativeCase is one case of a native (Go baseline) scenario.
func NativeCase(scenario string, param int64) (Case, error) { return nativeCase(scenario, param) }

// pageSize and hostBufDistance: every host buffer a scenario copies to or from linear
// memory starts half a page (modulo a page) from the guest's buffer, in every process, as
// in the Rust host (runner::Placed, HOST_BUF_DISTANCE). Where a heap buffer falls against
// the guest's decides how fast a copy runs: at the same offset in their pages (4K
// aliasing) a 4 KiB copy read 1,160 ns instead of 56 ns, and one process in several read a
// short copy 1.7x slower than the others.
const (
	pageSize        = 4096
	hostBufDistance = pageSize / 2
)

// placed returns n zero bytes that start hostBufDistance (modulo a page) from address near.
// Go's heap does not move objects, so the place holds.
func placed(n int, near uintptr) []byte {
	buf := make([]byte, n+2*pageSize)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	at := int((pageSize-base%pageSize)%pageSize + (near+hostBufDistance)%pageSize)
	return buf[at : at+n : at+n]
}

// placedCopy is placed holding a copy of b.
func placedCopy(b []byte, near uintptr) []byte {
	p := placed(len(b), near)
	copy(p, b)
	return p
}

// guestAddr is where the guest's offset p is in this process (linear memory's base from
// the engine's view plus p; an engine without a view is taken to start on a page).
func guestAddr(mem Memory, p uint32) uintptr {
	if v := mem.View(); len(v) > 0 {
		return uintptr(unsafe.Pointer(unsafe.SliceData(v))) + uintptr(p)
	}
	return uintptr(p)
}
