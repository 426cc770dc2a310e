// Configuration over AMI: GetConfig, GetConfigJSON, ListCategories, UpdateConfig, CreateConfig —
// on the files of the engine's configuration directory only, with Asterisk's messages.
//
// Reads go through the same parser the modules use (includes and templates resolved, so what a
// client sees is what a module sees). UpdateConfig edits the file as written
// (config::EditableConfig keeps comments and layout), writes it through a temporary file and a
// rename, then applies `Reload:` (yes = every module, or one module by name). Every file name is
// resolved inside the configuration directory: absolute paths, `..` and symlinks that lead out
// are refused ("File requires escalated privileges"). File work runs on the blocking pool.
#include <regex>

#include "action_context.hpp"
#include "telephony/config/config.hpp"
#include "telephony/config/editor.hpp"

namespace telephony::manager {

namespace {

namespace fs = std::filesystem;
using ResponderPtr = std::shared_ptr<ActionResponder>;

std::string six(std::size_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06zu", n);
  return buf;
}

// The file inside the config directory, or nullopt when `name` would reach outside it.
std::optional<fs::path> confined(const fs::path& config_dir, std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) return std::nullopt;
  const fs::path p(name);
  if (p.is_absolute()) return std::nullopt;
  for (const auto& part : p)
    if (part == "..") return std::nullopt;
  std::error_code ec;
  const auto base = fs::weakly_canonical(config_dir, ec);
  const auto full = fs::weakly_canonical(base / p, ec);
  if (ec) return std::nullopt;
  const auto rel = full.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return full;
}

// Asterisk's category filter: "name_regex=value_regex,..." — a category matches when, for every
// pair, one of its variables matches both; TEMPLATES=include|restrict decides on templates.
struct CategoryFilter {
  std::vector<std::pair<std::regex, std::regex>> pairs;
  enum class Templates { Exclude, Include, Restrict } templates = Templates::Include;
  bool matches(const config::Section& s) const {
    if (templates == Templates::Restrict && !s.is_template) return false;
    if (templates == Templates::Exclude && s.is_template) return false;
    for (const auto& [n, v] : pairs) {
      bool any = false;
      for (const auto& e : s.entries) any = any || (std::regex_search(e.name, n) && std::regex_search(e.value, v));
      if (!any) return false;
    }
    return true;
  }
};

Result<CategoryFilter> parse_filter(std::string_view text) {
  CategoryFilter f;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string item(text.substr(pos, comma - pos));
    pos = comma + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos) return fail("Filter '" + item + "' is not name=value");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "TEMPLATES") {
      f.templates = v == "restrict" ? CategoryFilter::Templates::Restrict : CategoryFilter::Templates::Include;
      continue;
    }
    try {
      f.pairs.emplace_back(std::regex(k, std::regex::extended), std::regex(v, std::regex::extended));
    } catch (const std::regex_error&) {
      return fail("Filter '" + item + "' is not a valid regular expression");
    }
  }
  return f;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

// Loads a confined file with the modules' parser; answers the error itself when it cannot.
std::optional<config::ConfigFile> load_for_read(const ActionContextPtr& ctx, const ResponderPtr& r, std::string_view name) {
  if (name.empty()) {
    r->error("Filename not specified");
    return std::nullopt;
  }
  const auto& dir = ctx->engine.options().dirs.config;
  auto file = confined(dir, name);
  if (!file) {
    r->error("File requires escalated privileges");
    return std::nullopt;
  }
  std::error_code ec;
  if (!fs::is_regular_file(*file, ec)) {
    r->error("Config file not found");
    return std::nullopt;
  }
  auto parsed = config::parse_file(*file, {.config_dir = dir});
  if (!parsed) {
    r->error("Config file has invalid format: " + parsed.error().to_string());
    return std::nullopt;
  }
  return std::move(*parsed);
}

void get_config(const ActionContextPtr& ctx, const ResponderPtr& r, bool json) {
  const std::string name(header(*r, "Filename"));
  const std::string category(header(*r, "Category"));
  const std::string filter_text(header(*r, "Filter"));
  ctx->engine.run_blocking([ctx, r, name, category, filter_text, json] {
    auto cfg = load_for_read(ctx, r, name);
    if (!cfg) return;
    auto filter = parse_filter(filter_text);
    if (!filter) return r->error(filter.error().message);
    ami::Message m;
    m.add("Response", "Success");
    std::string js = "{";
    std::size_t n = 0;
    for (const auto& s : cfg->sections) {
      if (!category.empty() && !ami::iequals(s.name, category)) continue;
      if (!filter->matches(s)) continue;
      std::string templates;
      for (const auto& t : s.inherits) templates += (templates.empty() ? "" : ",") + t;
      if (json) {
        js += std::string(n ? "," : "") + "\"" + json_escape(s.name) + "\":{";
        bool comma = false;
        if (s.is_template) js += "\"istemplate\":1", comma = true;
        if (!templates.empty()) js += std::string(comma ? "," : "") + "\"templates\":\"" + json_escape(templates) + "\"", comma = true;
        for (const auto& e : s.entries) {
          js += std::string(comma ? "," : "") + "\"" + json_escape(e.name) + "\":\"" + json_escape(e.value) + "\"";
          comma = true;
        }
        js += "}";
      } else {
        m.add("Category-" + six(n), s.name);
        if (s.is_template) m.add("IsTemplate-" + six(n), "1");
        if (!templates.empty()) m.add("Templates-" + six(n), templates);
        std::size_t line = 0;
        for (const auto& e : s.entries) m.add("Line-" + six(n) + "-" + six(line++), e.name + "=" + e.value);
      }
      ++n;
    }
    if (json) m.add("JSON", js + "}");
    else if (!category.empty() && n == 0) m.add("Error", "No categories found");
    r->send(std::move(m));
  });
}

void list_categories(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Filename"));
  const std::string match(header(*r, "Match"));
  ctx->engine.run_blocking([ctx, r, name, match] {
    auto cfg = load_for_read(ctx, r, name);
    if (!cfg) return;
    auto filter = parse_filter(match);
    if (!filter) return r->error(filter.error().message);
    ami::Message m;
    m.add("Response", "Success");
    std::size_t n = 0;
    for (const auto& s : cfg->sections)
      if (filter->matches(s)) m.add("Category-" + six(n++), s.name);
    if (n == 0) m.add("Error", "no categories found");
    r->send(std::move(m));
  });
}

// ---- UpdateConfig ------------------------------------------------------------------------------

struct Change {
  std::string action, cat, var, value, match, line, options;
  bool object = false;
};

// Applies one Action-NNNNNN; returns Asterisk's error message on failure.
std::optional<std::string> apply_change(config::EditableConfig& cfg, const Change& c) {
  bool allowdups = false, istemplate = false, ignoreerror = false;
  std::vector<std::string> inherit;
  std::string catfilter;
  std::size_t pos = 0;
  while (pos <= c.options.size() && !c.options.empty()) {
    auto comma = c.options.find(',', pos);
    std::string tok = c.options.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    tok.erase(0, tok.find_first_not_of(' '));
    tok.erase(tok.find_last_not_of(' ') + 1);
    if (ami::iequals(tok, "allowdups")) allowdups = true;
    else if (ami::iequals(tok, "template")) istemplate = true;
    else if (ami::iequals(tok, "ignoreerror")) ignoreerror = true;
    else if (tok.rfind("inherit", 0) == 0 && tok.find('=') != std::string::npos) {
      // inherit=a,b would be split by the option comma; Asterisk takes one name per token.
      inherit.push_back(tok.substr(tok.find('=') + 1));
    } else if (tok.rfind("catfilter", 0) == 0 && tok.find('=') != std::string::npos) {
      catfilter = tok.substr(tok.find('=') + 1);
    } else if (!tok.empty() && !inherit.empty()) {
      inherit.push_back(tok);  // the rest of an inherit= list
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  auto targets = [&] {
    std::vector<config::EditCategory*> out;
    for (auto& cat : cfg.categories)
      if (cat.name == c.cat) out.push_back(&cat);
    (void)catfilter;
    return out;
  };
  const std::string a = c.action;
  if (ami::iequals(a, "NewCat")) {
    if (!allowdups && !targets().empty()) {
      if (ignoreerror) return std::nullopt;
      return "Create category did not complete successfully";
    }
    for (const auto& t : inherit) {
      bool found = false;
      for (const auto& cat : cfg.categories) found = found || cat.name == t;
      if (!found) return "Template category not found";
    }
    config::EditCategory cat;
    cat.name = c.cat;
    cat.is_template = istemplate;
    cat.inherits = inherit;
    if (c.match.empty()) {
      cfg.categories.push_back(std::move(cat));
    } else {
      auto it = std::find_if(cfg.categories.begin(), cfg.categories.end(), [&](auto& x) { return x.name == c.match; });
      if (it == cfg.categories.end()) return "Create category did not complete successfully";
      cfg.categories.insert(it, std::move(cat));
    }
    return std::nullopt;
  }
  auto cats = targets();
  if (ami::iequals(a, "RenameCat")) {
    if (c.value.empty()) return "Problem with category, value, or line (if required)";
    if (cats.empty()) return "Given category does not exist";
    for (auto* cat : cats) cat->name = c.value;
  } else if (ami::iequals(a, "DelCat")) {
    if (cats.empty()) return ignoreerror ? std::nullopt : std::optional<std::string>("Given category does not exist");
    std::erase_if(cfg.categories, [&](const config::EditCategory& x) { return x.name == c.cat; });
  } else if (ami::iequals(a, "EmptyCat")) {
    if (cats.empty()) return "Given category does not exist";
    for (auto* cat : cats) std::erase_if(cat->lines, [](const config::EditLine& l) { return l.kind == config::EditLine::Kind::Entry; });
  } else if (ami::iequals(a, "Update")) {
    if (c.var.empty()) return "Problem with category, value, or line (if required)";
    if (cats.empty()) return "Given category does not exist";
    bool found = false;
    for (auto* cat : cats)
      for (auto* l : cat->entries())
        if (!found && l->name == c.var && (c.match.empty() || l->value == c.match)) {
          l->value = c.value;
          l->object = c.object;
          found = true;
        }
    if (!found) return "Update did not complete successfully";
  } else if (ami::iequals(a, "Delete")) {
    if (c.var.empty() && c.line.empty()) return "Problem with category, value, or line (if required)";
    if (cats.empty()) return "Given category does not exist";
    bool found = false;
    for (auto* cat : cats) {
      std::size_t index = 0;
      for (auto it = cat->lines.begin(); it != cat->lines.end();) {
        if (it->kind != config::EditLine::Kind::Entry) {
          ++it;
          continue;
        }
        const bool hit = !c.line.empty() ? std::to_string(index) == c.line
                                         : it->name == c.var && (c.match.empty() || it->value == c.match);
        ++index;
        if (hit) {
          it = cat->lines.erase(it);
          found = true;
        } else {
          ++it;
        }
      }
    }
    if (!found && !ignoreerror) return "Delete did not complete successfully";
  } else if (ami::iequals(a, "Append") || ami::iequals(a, "Insert")) {
    const bool insert = ami::iequals(a, "Insert");
    if (c.var.empty() || (insert && c.line.empty())) return "Problem with category, value, or line (if required)";
    if (cats.empty()) return "Given category does not exist";
    for (auto* cat : cats) {
      config::EditLine l;
      l.name = c.var;
      l.value = c.value;
      l.object = c.object || ami::iequals(c.match, "object");
      if (!insert) {
        // After the last entry, before trailing comments/blank lines of the category.
        auto it = cat->lines.end();
        for (auto i = cat->lines.begin(); i != cat->lines.end(); ++i)
          if (i->kind == config::EditLine::Kind::Entry) it = std::next(i);
        if (it == cat->lines.end() && !cat->lines.empty() && cat->entries().empty()) it = cat->lines.begin();
        cat->lines.insert(it, std::move(l));
      } else {
        char* end = nullptr;
        const long at = std::strtol(c.line.c_str(), &end, 10);
        if (*end || at < 0) return "Problem with category, value, or line (if required)";
        long index = 0;
        auto it = cat->lines.begin();
        for (; it != cat->lines.end(); ++it)
          if (it->kind == config::EditLine::Kind::Entry && index++ == at) break;
        cat->lines.insert(it, std::move(l));
      }
    }
  } else {
    return "Unknown action command";
  }
  return std::nullopt;
}

std::string bare_module_name(std::string_view v) {
  std::string n(v);
  if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) n.resize(n.size() - 3);
  return n;
}

void update_config(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string src(header(*r, "SrcFilename")), dst(header(*r, "DstFilename"));
  const std::string reload(header(*r, "Reload"));
  if (src.empty() || dst.empty()) return r->error("Filename not specified");
  std::vector<Change> changes;
  const auto& req = r->request();
  for (std::size_t x = 0; x < 100000; ++x) {
    const std::string n = six(x);
    const auto action = req.get("Action-" + n);
    if (!action || action->empty()) break;
    Change c;
    c.action = std::string(*action);
    c.cat = std::string(req.get_or("Cat-" + n));
    if (c.cat.empty()) return r->error("Category not specified");
    c.var = std::string(req.get_or("Var-" + n));
    c.value = std::string(req.get_or("Value-" + n));
    if (!c.value.empty() && c.value.front() == '>') {
      c.object = true;
      c.value.erase(0, 1);
    }
    c.match = std::string(req.get_or("Match-" + n));
    c.line = std::string(req.get_or("Line-" + n));
    c.options = std::string(req.get_or("Options-" + n));
    changes.push_back(std::move(c));
  }
  ctx->engine.run_blocking([ctx, r, src, dst, reload, changes = std::move(changes)] {
    const auto& dir = ctx->engine.options().dirs.config;
    auto sfile = confined(dir, src), dfile = confined(dir, dst);
    if (!sfile || !dfile) return r->error("File requires escalated privileges");
    std::error_code ec;
    if (!fs::is_regular_file(*sfile, ec)) return r->error("Config file not found");
    auto cfg = config::EditableConfig::load(*sfile);
    if (!cfg) return r->error("Config file has invalid format: " + cfg.error().to_string());
    for (const auto& c : changes)
      if (auto err = apply_change(*cfg, c)) return r->error(*err);
    // The result must still be a file our parser accepts: never write what the modules would refuse.
    if (auto check = config::parse_string(cfg->render(), dst, {.config_dir = dir}); !check)
      return r->error("Update would make the file invalid: " + check.error().to_string());
    if (auto saved = cfg->save_atomically(*dfile); !saved) return r->error("Save of config failed");
    ctx->engine.log().notice("manager", "UpdateConfig: " + dst + " written by '" + r->session().user + "' (" +
                                            std::to_string(changes.size()) + " change(s))");
    if (reload.empty() || config::is_false_word(reload)) return r->success();
    std::vector<std::shared_ptr<Module>> targets;
    if (config::is_true_word(reload)) {
      targets = ctx->engine.modules();
    } else {
      for (auto& m : ctx->engine.modules())
        if (ami::iequals(m->name(), bare_module_name(reload))) targets.push_back(m);
      if (targets.empty()) return r->error("Saved, but no module '" + reload + "' to reload");
    }
    std::string failures;
    for (const auto& m : targets) {
      auto res = m->reload(dir);
      ModuleReloaded ev;
      ev.module = std::string(m->name());
      ev.status = res ? "Success" : "Error";
      ctx->engine.events().emit(std::move(ev));
      if (!res) failures += (failures.empty() ? "" : "; ") + res.error().to_string();
    }
    ctx->engine.mark_reloaded();
    if (!failures.empty()) return r->error("Saved, but the reload failed (running configuration kept): " + failures);
    r->success();
  });
}

void create_config(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Filename"));
  if (name.empty()) return r->error("Filename not specified");
  ctx->engine.run_blocking([ctx, r, name] {
    auto file = confined(ctx->engine.options().dirs.config, name);
    if (!file) return r->error("File requires escalated privileges");
    std::error_code ec;
    if (fs::exists(*file, ec)) return r->success("File already exists");
    std::FILE* f = std::fopen(file->c_str(), "wx");
    if (!f) return r->error("Failed to create file");
    std::fclose(f);
    r->success();
  });
}

}  // namespace

void register_config_actions(Server& server, const ActionContextPtr& ctx) {
  const PrivilegeSet config = Privilege::Config;
  const PrivilegeSet system_config = Privilege::System | Privilege::Config;
  const ActionArgument filename{"Filename", true, "Configuration filename (e.g. foo.conf), inside the configuration directory."};
  server.register_action(
      "GetConfig", system_config,
      ActionDoc{"Retrieve configuration.",
                "Returns the categories of a configuration file as Category-NNNNNN, IsTemplate-NNNNNN, "
                "Templates-NNNNNN and Line-NNNNNN-NNNNNN: name=value (includes and templates resolved).",
                {filename, {"Category", false, "Category in configuration file."},
                 {"Filter", false, "name_regex=value_regex,... ; TEMPLATES=include|restrict"}},
                {"GetConfigJSON", "UpdateConfig", "CreateConfig", "ListCategories"}},
      [ctx](ResponderPtr r) { get_config(ctx, r, false); });
  server.register_action(
      "GetConfigJSON", system_config,
      ActionDoc{"Retrieve configuration (JSON format).",
                "Returns the file as one JSON: header: {\"category\":{\"istemplate\":1,\"templates\":\"a,b\",\"name\":\"value\",...},...}.",
                {filename, {"Category", false, "Category in configuration file."},
                 {"Filter", false, "name_regex=value_regex,... ; TEMPLATES=include|restrict"}},
                {"GetConfig", "UpdateConfig"}},
      [ctx](ResponderPtr r) { get_config(ctx, r, true); });
  server.register_action(
      "ListCategories", config,
      ActionDoc{"List categories in configuration file.", "Returns Category-NNNNNN: name for every category.",
                {filename, {"Match", false, "name_regex=value_regex,... filter"}},
                {"GetConfig"}},
      [ctx](ResponderPtr r) { list_categories(ctx, r); });
  server.register_action(
      "UpdateConfig", config,
      ActionDoc{"Update basic configuration.",
                "Applies Action-NNNNNN changes (NewCat, RenameCat, DelCat, EmptyCat, Update, Delete, Append, "
                "Insert) in order to SrcFilename and writes DstFilename atomically (temporary file + rename); "
                "comments and layout of untouched lines are kept. Nothing is written when any change fails or "
                "the result would not parse. Reload: yes reloads every module, a module name reloads that one.",
                {{"SrcFilename", true, "Configuration filename to read (e.g. foo.conf)."},
                 {"DstFilename", true, "Configuration filename to write (e.g. foo.conf)."},
                 {"Reload", false, "yes (every module) or the name of the module to reload."},
                 {"PreserveEffectiveContext", false, "Accepted; comments and layout are always kept."},
                 {"Action-000000", false, "NewCat, RenameCat, DelCat, EmptyCat, Update, Delete, Append or Insert."},
                 {"Cat-000000", false, "Category to operate on."},
                 {"Var-000000", false, "Variable to work on."},
                 {"Value-000000", false, "Value to work on ('>' first: an object line, name => value)."},
                 {"Match-000000", false, "Extra match required to match line (NewCat: insert before this category)."},
                 {"Line-000000", false, "Line in category to operate on (used with Delete and Insert)."},
                 {"Options-000000", false, "allowdups, template, inherit=name, ignoreerror (comma list)."}},
                {"GetConfig", "CreateConfig"}},
      [ctx](ResponderPtr r) { update_config(ctx, r); });
  server.register_action(
      "CreateConfig", config,
      ActionDoc{"Creates an empty file in the configuration directory.",
                "Creates an empty file (UpdateConfig can then fill it).", {filename}, {"UpdateConfig"}},
      [ctx](ResponderPtr r) { create_config(ctx, r); });
}

}  // namespace telephony::manager
