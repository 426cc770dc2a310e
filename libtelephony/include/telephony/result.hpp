// Result<T, E>: the error channel of every parser and protocol entry point in libtelephony.
//
// Parsing and protocol code never throws across the public API. It returns either a value or an
// Error that says what was rejected and where (a "file:line", a header name, a byte offset).
// This is a deliberately small subset of C++23 std::expected so that the code reads the same way
// and can move to std::expected when the toolchain has it.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace telephony {

// What went wrong and where. `where` is free-form but conventionally "file:line", "header X",
// or "offset N"; to_string() joins them the way every log line and console message shows them.
struct Error {
  std::string message;
  std::string where;

  std::string to_string() const { return where.empty() ? message : where + ": " + message; }
  bool operator==(const Error&) const = default;
};

// A list of errors, for inputs (config files) where the user wants every problem at once.
struct Errors {
  std::vector<Error> items;

  std::string to_string() const {
    std::string out;
    for (const auto& e : items) {
      if (!out.empty()) out += '\n';
      out += e.to_string();
    }
    return out;
  }
};

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

inline Unexpected<Error> fail(std::string message, std::string where = {}) {
  return Unexpected<Error>{Error{std::move(message), std::move(where)}};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(const T& v) : v_(std::in_place_index<0>, v) {}
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
  template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, Result> &&
                                              !std::is_same_v<std::decay_t<U>, Unexpected<E>>>>
  Result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  Result(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { assert(!has_value()); return std::get<1>(v_); }
  E& error() { assert(!has_value()); return std::get<1>(v_); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <class G>
  Result(Unexpected<G> u) : err_(E(std::move(u.error))), ok_(false) {}

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const E& error() const { assert(!ok_); return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

}  // namespace telephony
