;; Infinite recursion; the store after the call keeps a C or Go compiler from turning it into a loop.
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func $d (export "add_numbers") (param i32 i32) (result i32) (local i32)
    (local.set 2 (call $d (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
    (i32.store (i32.const 16) (local.get 0))
    (local.get 2)))
