;; An out-of-bounds load (near 2 GiB, in a 64 KiB memory).
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32) i32.const 0x7ffffff0 i32.load))
