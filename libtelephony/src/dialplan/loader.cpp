// extensions.conf -> Dialplan, following pbx_config's reading of each line.
#include "telephony/dialplan/loader.hpp"

#include <strings.h>

#include <map>

#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/substitution.hpp"

namespace telephony::dialplan {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Globals defined so far; what `${X}` means in [globals] values and extension names.
struct GlobalsResolver : VariableResolver {
  const std::map<std::string, std::string>& values;
  explicit GlobalsResolver(const std::map<std::string, std::string>& v) : values(v) {}
  std::optional<std::string> variable(std::string_view name) const override {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> function(std::string_view, std::string_view) const override { return std::nullopt; }
};

class Loader {
 public:
  Loader(const config::ConfigFile& file, const LoadOptions& options) : file_(file), options_(options) {}

  Result<std::shared_ptr<const Dialplan>, Errors> run() {
    for (const auto* g : file_.sections_named("general")) general(*g);
    for (const auto* g : file_.sections_named("globals")) {
      for (const auto& e : g->entries) {
        std::string value = substitute(e.value, GlobalsResolver(globals_));
        globals_[e.name] = value;
        builder_.set_global(e.name, std::move(value));
      }
    }
    for (const auto& s : file_.sections) {
      if (s.is_template || iequals(s.name, "general") || iequals(s.name, "globals")) continue;
      context(s);
    }
    if (!errors_.items.empty()) {
      if (options_.bad_lines == BadLines::Reject) return Unexpected<Errors>{std::move(errors_)};
      // Every refused line was left out where it was refused; say so, line by line.
      for (auto& e : errors_.items) {
        e.message += "; line skipped";
        builder_.warn(std::move(e));
      }
    }
    return builder_.build();
  }

 private:
  void error(std::string message, const config::Location& where) {
    errors_.items.push_back(Error{std::move(message), where.to_string()});
  }
  template <class T>
  bool check(const Result<T>& r) {
    if (r) return true;
    errors_.items.push_back(r.error());
    return false;
  }

  void general(const config::Section& s) {
    for (const auto& e : s.entries) {
      auto& g = builder_.general();
      if (iequals(e.name, "autofallthrough")) g.autofallthrough = config::is_true_word(e.value);
      else if (iequals(e.name, "clearglobalvars")) g.clearglobalvars = config::is_true_word(e.value);
      else if (iequals(e.name, "extenpatternmatchnew")) g.extenpatternmatchnew = config::is_true_word(e.value);
      else if (iequals(e.name, "static") || iequals(e.name, "writeprotect") || iequals(e.name, "userscontext") ||
               iequals(e.name, "priorityjumping") || iequals(e.name, "autofallthrough"))
        continue;
      else
        builder_.warn(Error{"unknown [general] option '" + e.name + "' ignored", e.where.to_string()});
    }
  }

  void context(const config::Section& s) {
    builder_.add_context(s.name, s.where);
    std::string last_exten;
    int last_priority = -1;  // -1: no priority yet in this section
    for (const auto& e : s.entries) {
      if (iequals(e.name, "exten") || iequals(e.name, "same")) {
        std::string_view rest = e.value;
        std::string exten;
        if (iequals(e.name, "exten")) {
          auto comma = rest.find(',');
          exten = substitute(trim(rest.substr(0, comma)), GlobalsResolver(globals_));
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          if (exten.empty()) {
            error("missing extension name", e.where);
            continue;
          }
        } else {
          if (last_exten.empty()) {
            error("'same' used without a previous 'exten'", e.where);
            continue;
          }
          exten = last_exten;
        }
        last_exten = exten;
        auto comma = rest.find(',');
        std::string_view pri = trim(rest.substr(0, comma));
        std::string_view app = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        priority_line(s.name, exten, pri, app, e.where, last_priority);
      } else if (iequals(e.name, "include")) {
        check(builder_.add_include(s.name, trim(e.value), e.where));
      } else if (iequals(e.name, "ignorepat")) {
        builder_.add_ignore_pattern(s.name, std::string(trim(e.value)));
      } else if (iequals(e.name, "switch") || iequals(e.name, "lswitch") || iequals(e.name, "eswitch")) {
        builder_.add_switch(s.name, Switch{e.name, std::string(trim(e.value)), e.where});
        if (!warned_switch_) {
          builder_.warn(Error{"remote switches are not supported; '" + e.name + " => " + e.value + "' is kept but never consulted",
                              e.where.to_string()});
          warned_switch_ = true;
        }
      } else {
        builder_.warn(Error{"unknown directive '" + e.name + "' ignored", e.where.to_string()});
      }
    }
  }

  void priority_line(const std::string& ctx, const std::string& exten, std::string_view pri, std::string_view app,
                     const config::Location& where, int& last_priority) {
    std::string label;
    if (auto open = pri.find('('); open != std::string_view::npos) {
      auto close = pri.find(')', open);
      if (close == std::string_view::npos) {
        error("label missing trailing ')' in priority '" + std::string(pri) + "'", where);
        return;
      }
      label = std::string(trim(pri.substr(open + 1, close - open - 1)));
      pri = trim(pri.substr(0, open));
    }
    int offset = 0;
    if (auto plus = pri.find('+'); plus != std::string_view::npos) {
      auto n = trim(pri.substr(plus + 1));
      if (n.empty() || n.find_first_not_of("0123456789") != std::string_view::npos) {
        error("invalid priority offset in '" + std::string(pri) + "'", where);
        return;
      }
      offset = std::stoi(std::string(n.substr(0, 6)));
      pri = trim(pri.substr(0, plus));
    }
    if (pri.empty()) {
      error("missing priority", where);
      return;
    }
    if (iequals(pri, "hint")) {
      auto hint = trim(app);
      check(builder_.add_hint(ctx, exten, std::string(hint), where));
      // `n` after a hint continues this extension's own numbering (1 when the hint comes first).
      last_priority = builder_.last_priority(ctx, exten);
      return;
    }
    int number = 0;
    if (iequals(pri, "n") || iequals(pri, "next")) {
      if (last_priority < 0) {
        error("can't use 'next' priority on the first entry of context '" + ctx + "'", where);
        return;
      }
      number = last_priority + 1;
    } else if (iequals(pri, "s") || iequals(pri, "same")) {
      if (last_priority < 1) {
        error("can't use 'same' priority on the first entry of context '" + ctx + "'", where);
        return;
      }
      number = last_priority;
    } else if (pri.find_first_not_of("0123456789") == std::string_view::npos) {
      if (pri.size() > 9) {
        error("priority '" + std::string(pri) + "' is too large", where);
        return;
      }
      number = std::stoi(std::string(pri));
    } else {
      number = builder_.label_priority(ctx, exten, pri);
      if (number == 0) {
        error("invalid priority/label '" + std::string(pri) + "'", where);
        return;
      }
    }
    number += offset;
    last_priority = number;
    auto call = split_app_data(app, where.to_string());
    if (!check(call)) return;
    Priority p;
    p.number = number;
    p.label = std::move(label);
    p.app = std::move(call->application);
    p.data = std::move(call->data);
    p.where = where;
    check(builder_.add_priority(ctx, exten, std::move(p)));
  }

  const config::ConfigFile& file_;
  const LoadOptions options_;
  DialplanBuilder builder_;
  Errors errors_;
  std::map<std::string, std::string> globals_;
  bool warned_switch_ = false;
};

}  // namespace

Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan(const config::ConfigFile& file, const LoadOptions& load) {
  return Loader(file, load).run();
}

Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan_file(const std::filesystem::path& file,
                                                                    const config::ParseOptions& options,
                                                                    const LoadOptions& load) {
  auto cfg = config::parse_file(file, options);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return load_dialplan(*cfg, load);
}

Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan_string(std::string_view text, std::string_view name,
                                                                      const config::ParseOptions& options,
                                                                      const LoadOptions& load) {
  auto cfg = config::parse_string(text, name, options);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return load_dialplan(*cfg, load);
}

}  // namespace telephony::dialplan
