;; SIMD (v128): add_numbers through i32x4 lanes (correct if it runs).
(module
  (import "env" "host_inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "no_op"))
  (func (export "add_numbers") (param i32 i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.add (i32x4.splat (local.get 0)) (i32x4.splat (local.get 1))))))
