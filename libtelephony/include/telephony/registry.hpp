// Registry<T>: a thread-safe, case-insensitive name table. Channel drivers, applications,
// functions and console commands all register into one of these, so a host (C++ or Python) can
// add its own beside the built-in ones.
#pragma once

#include <strings.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    int c = ::strncasecmp(a.data(), b.data(), n);
    return c < 0 || (c == 0 && a.size() < b.size());
  }
};

template <class T>
class Registry {
 public:
  using Ptr = std::shared_ptr<T>;

  // Fails if the name is taken unless `replace` is set (a host overriding a built-in).
  Result<void> add(std::string name, Ptr item, bool replace = false) {
    std::lock_guard lock(mu_);
    auto it = items_.find(name);
    if (it != items_.end() && !replace) return fail("'" + name + "' is already registered");
    items_[std::move(name)] = std::move(item);
    return {};
  }
  bool remove(std::string_view name) {
    std::lock_guard lock(mu_);
    auto it = items_.find(name);
    if (it == items_.end()) return false;
    items_.erase(it);
    return true;
  }
  Ptr find(std::string_view name) const {
    std::lock_guard lock(mu_);
    auto it = items_.find(name);
    return it == items_.end() ? nullptr : it->second;
  }
  std::vector<std::pair<std::string, Ptr>> list() const {
    std::lock_guard lock(mu_);
    return {items_.begin(), items_.end()};
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Ptr, CaseInsensitiveLess> items_;
};

}  // namespace telephony
