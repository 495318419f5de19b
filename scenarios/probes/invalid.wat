;; Invalid: i64.add on two i32 operands (a type mismatch). interop-bench's probes encode it
;; with the `wat` crate, which does not type-check: an engine that validates must reject it.
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i64.add))
