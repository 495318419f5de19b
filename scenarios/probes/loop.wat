;; A guest that never returns.
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32) (loop br 0) i32.const 0))
