;; Valid as text; scripts/probe-capabilities.sh turns its i32.add into i64.add in the binary,
;; which makes it invalid (type mismatch): an engine that validates must reject it.
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
