// 64-bit FNV-1a over a canonical byte encoding: stable across platforms and
// builds, for the hashes a resumed run compares (plan, data, config).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace arabica {

/// 16 lowercase hex digits.
inline std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

class Fnv1a {
 public:
  void byte(unsigned char b) { hash_ = (hash_ ^ b) * 1099511628211ull; }
  /// The bytes, then a 0 terminator (so "ab","c" differs from "a","bc").
  void text(const std::string& s) {
    for (char c : s) byte(static_cast<unsigned char>(c));
    byte(0);
  }
  /// Fixed width, little-endian.
  void integer(std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(u >> (8 * i)));
  }
  /// The IEEE-754 bits: equal hashes mean bit-identical values.
  void real(double v);
  std::uint64_t value() const { return hash_; }
  std::string hex() const { return hex64(hash_); }

 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

inline void Fnv1a::real(double v) {
  std::uint64_t bits = 0;
  static_assert(sizeof bits == sizeof v);
  std::memcpy(&bits, &v, sizeof v);
  integer(static_cast<std::int64_t>(bits));
}

}  // namespace arabica
