// YAML spelling of the configuration model; see telephony/config/yaml.hpp for the accepted shape.
// yaml-cpp reports problems by exception; they are caught here and become file:line errors, so
// nothing throws across the API.
#include <yaml-cpp/yaml.h>

#include "config/section_assembler.hpp"
#include "config/text.hpp"
#include "telephony/config/yaml.hpp"

namespace telephony::config {
namespace {

using detail::HeaderOptions;
using detail::SectionAssembler;

class YamlSections {
 public:
  YamlSections(std::string file, ConfigFile& out, Errors& errors)
      : file_(std::move(file)), errors_(errors), assembler_(out, errors) {}

  // `top` maps section names to section bodies.
  void load(const YAML::Node& top) {
    if (!top.IsMap()) {
      if (!top.IsNull()) error(top, "expected a mapping of section names at the top level");
      return;
    }
    for (const auto& kv : top) section(kv.first, kv.second);
  }

  Location at(const YAML::Node& n) const { return Location{file_, n.Mark().line + 1}; }
  void error(const YAML::Node& n, std::string message) {
    errors_.items.push_back(Error{std::move(message), at(n).to_string()});
  }

 private:
  static bool is_special(const std::string& key) { return key == "_template" || key == "_inherits" || key == "_append"; }

  void special(const std::string& key, const YAML::Node& v, HeaderOptions& opts, std::vector<std::string>& names) {
    if (key == "_template" || key == "_append") {
      if (!v.IsScalar() || !(is_true_word(v.Scalar()) || is_false_word(v.Scalar()))) {
        error(v, key + " must be true or false");
        return;
      }
      (key == "_template" ? opts.is_template : opts.append) = is_true_word(v.Scalar());
      return;
    }
    if (v.IsScalar()) {
      names.push_back(v.Scalar());
    } else if (v.IsSequence()) {
      for (const auto& p : v) {
        if (p.IsScalar()) {
          names.push_back(p.Scalar());
        } else {
          error(p, "_inherits lists section names (scalars)");
        }
      }
    } else {
      error(v, "_inherits must be a section name or a list of them");
    }
  }

  void section(const YAML::Node& key, const YAML::Node& body) {
    if (!key.IsScalar()) {
      error(key, "a section name must be a scalar");
      return;
    }
    const std::string& name = key.Scalar();
    HeaderOptions opts;
    std::vector<std::string> parents;  // owns the names HeaderOptions views
    // Header options first, wherever they are written, as `[x](!,a)` precedes the entries.
    if (body.IsMap()) {
      for (const auto& kv : body)
        if (kv.first.IsScalar() && is_special(kv.first.Scalar())) special(kv.first.Scalar(), kv.second, opts, parents);
    } else if (body.IsSequence()) {
      for (const auto& item : body)
        if (item.IsMap() && item.size() == 1 && item.begin()->first.IsScalar() &&
            is_special(item.begin()->first.Scalar()))
          special(item.begin()->first.Scalar(), item.begin()->second, opts, parents);
    } else if (!body.IsNull()) {
      error(body, "section '" + name + "' must be a mapping, a list of single-key mappings, or empty");
    }
    for (const auto& p : parents) opts.parents.push_back(p);
    assembler_.open(name, opts, at(key));

    if (body.IsMap()) {
      for (const auto& kv : body) entries(kv.first, kv.second);
    } else if (body.IsSequence()) {
      for (const auto& item : body) {
        if (!item.IsMap() || item.size() != 1) {
          error(item, "items of section '" + name + "' must be single-key mappings (`- key: value`)");
          continue;
        }
        entries(item.begin()->first, item.begin()->second);
      }
    }
  }

  void entries(const YAML::Node& key, const YAML::Node& value) {
    if (!key.IsScalar()) {
      error(key, "an entry name must be a scalar");
      return;
    }
    std::string_view name = key.Scalar();
    if (is_special(std::string(name))) return;
    bool object = false;
    if (name.size() >= 2 && name.substr(name.size() - 2) == "=>") {
      object = true;
      name = detail::trim(name.substr(0, name.size() - 2));
    }
    if (name.empty()) {
      error(key, "an entry name must not be empty");
      return;
    }
    if (value.IsScalar() || value.IsNull()) {
      assembler_.add(name, value.IsNull() ? std::string_view{} : std::string_view(value.Scalar()), object, at(key));
    } else if (value.IsSequence()) {
      for (const auto& v : value) {
        if (v.IsScalar() || v.IsNull()) {
          assembler_.add(name, v.IsNull() ? std::string_view{} : std::string_view(v.Scalar()), object, at(v));
        } else {
          error(v, "entry '" + std::string(name) + "': list items must be scalars");
        }
      }
    } else {
      error(value, "entry '" + std::string(name) + "' must be a scalar or a list of scalars");
    }
  }

  std::string file_;
  Errors& errors_;
  SectionAssembler assembler_;
};

Result<YAML::Node, Errors> read_yaml(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Unexpected<Errors>{Errors{{Error{"cannot read YAML file", path}}}};
  } catch (const YAML::Exception& e) {
    return Unexpected<Errors>{
        Errors{{Error{e.msg, e.mark.is_null() ? path : path + ":" + std::to_string(e.mark.line + 1)}}}};
  }
}

}  // namespace

Result<ConfigFile, Errors> load_yaml(const std::filesystem::path& file) {
  const std::string path = file.string();
  auto doc = read_yaml(path);
  if (!doc) return Unexpected<Errors>{doc.error()};
  ConfigFile out;
  Errors errors;
  out.path = path;
  out.files_read.push_back(path);
  try {
    YamlSections(path, out, errors).load(*doc);
  } catch (const YAML::Exception& e) {
    errors.items.push_back(Error{e.msg, path});
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

Result<std::map<std::string, ConfigFile>, Errors> load_yaml_bundle(const std::filesystem::path& file) {
  const std::string path = file.string();
  auto doc = read_yaml(path);
  if (!doc) return Unexpected<Errors>{doc.error()};
  std::map<std::string, ConfigFile> out;
  Errors errors;
  try {
    const YAML::Node& top = *doc;
    if (!top.IsMap()) {
      errors.items.push_back(Error{"expected a mapping of config file names at the top level",
                                   path + ":" + std::to_string(top.Mark().line + 1)});
    } else {
      for (const auto& kv : top) {
        const std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1);
        if (!kv.first.IsScalar()) {
          errors.items.push_back(Error{"a config file name must be a scalar", where});
          continue;
        }
        const std::string& name = kv.first.Scalar();
        if (out.count(name)) {
          errors.items.push_back(Error{"config file '" + name + "' appears twice in the bundle", where});
          continue;
        }
        ConfigFile& cf = out[name];
        cf.path = name;
        cf.files_read.push_back(path);
        YamlSections(path, cf, errors).load(kv.second);
      }
    }
  } catch (const YAML::Exception& e) {
    errors.items.push_back(Error{e.msg, path});
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

}  // namespace telephony::config
