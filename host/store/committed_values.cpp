#include "arabica/committed_values.hpp"

#include <cstdint>
#include <cstring>

#include "arabica/error.hpp"

namespace arabica {

namespace {

// "arabica committed values", version 1: a rank's message starts with it,
// so a message of anything else is refused rather than misread.
constexpr std::uint64_t kMagic = 0x61726162'63763031ULL;  // "arabcv01"

class Writer {
 public:
  void put(std::uint64_t n) { append(&n, sizeof n); }
  void append(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  std::vector<char> take() { return std::move(out_); }

 private:
  std::vector<char> out_;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& in) : in_(in) {}
  std::uint64_t get() {
    std::uint64_t n = 0;
    copy(&n, sizeof n);
    return n;
  }
  // A count of items of `size` bytes that the rest of the message can hold.
  std::size_t count(std::size_t size) {
    const std::uint64_t n = get();
    if (n > (in_.size() - at_) / size) throw Error("committed values: a message cut short");
    return static_cast<std::size_t>(n);
  }
  void copy(void* to, std::size_t size) {
    if (size > in_.size() - at_) throw Error("committed values: a message cut short");
    std::memcpy(to, in_.data() + at_, size);
    at_ += size;
  }
  bool done() const { return at_ == in_.size(); }

 private:
  const std::vector<char>& in_;
  std::size_t at_ = 0;
};

}  // namespace

std::size_t CommittedValues::bytes() const {
  std::size_t n = folds.size() * sizeof(int);
  for (const auto& [name, values] : variables) n += name.size() + values.size();
  return n;
}

std::vector<char> to_bytes(const std::vector<CommittedValues>& stores) {
  Writer out;
  out.put(kMagic);
  out.put(stores.size());
  for (const CommittedValues& store : stores) {
    out.put(store.folds.size());
    for (const int f : store.folds) out.put(static_cast<std::uint64_t>(f));
    out.put(store.variables.size());
    for (const auto& [name, values] : store.variables) {
      out.put(name.size());
      out.append(name.data(), name.size());
      out.put(values.size());
      out.append(values.data(), values.size());
    }
  }
  return out.take();
}

std::vector<CommittedValues> from_bytes(const std::vector<char>& bytes) {
  Reader in(bytes);
  if (in.get() != kMagic) throw Error("committed values: not a message of this version");
  std::vector<CommittedValues> stores(in.count(sizeof(std::uint64_t)));
  for (CommittedValues& store : stores) {
    store.folds.resize(in.count(sizeof(std::uint64_t)));
    for (int& f : store.folds) {
      const std::uint64_t fold = in.get();
      if (fold > static_cast<std::uint64_t>(INT32_MAX)) throw Error("committed values: a fold out of range");
      f = static_cast<int>(fold);
    }
    const std::size_t variables = in.count(2 * sizeof(std::uint64_t));
    for (std::size_t v = 0; v < variables; ++v) {
      std::string name(in.count(1), '\0');
      in.copy(name.data(), name.size());
      std::vector<unsigned char> values(in.count(1));
      in.copy(values.data(), values.size());
      store.variables[name] = std::move(values);
    }
  }
  if (!in.done()) throw Error("committed values: bytes after the message");
  return stores;
}

}  // namespace arabica
