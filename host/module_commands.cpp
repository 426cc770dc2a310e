#include "module_commands.hpp"

#include <strings.h>

#include "telephony/module_hooks.hpp"

namespace telephonyd {

namespace {

// "chan_sip.so" -> "chan_sip": Asterisk users name modules with their file suffix.
std::string bare(std::string n) {
  if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) n.resize(n.size() - 3);
  return n;
}

}  // namespace

void register_module_commands(telephony::Engine& engine, std::vector<std::shared_ptr<telephony::Module>> catalogue) {
  auto cat = std::make_shared<std::vector<std::shared_ptr<telephony::Module>>>(std::move(catalogue));
  telephony::Engine* e = &engine;
  auto complete_from = [cat, e](bool loaded) {
    return [cat, e, loaded](const std::vector<std::string>& a) {
      std::vector<std::string> out;
      if (a.size() != 1) return out;
      for (const auto& m : *cat)
        if (static_cast<bool>(e->module(m->name())) == loaded) out.emplace_back(m->name());
      return out;
    };
  };
  (void)engine.commands().add(telephony::ConsoleCommand{
      "module load",
      {"Load a module by name", "module load <module name>",
       "Loads a module that is not running (one whose config file was added since start, or that was unloaded) "
       "from its configuration file.",
       {}, {"module unload", "module reload", "module show"}},
      [cat, e](const std::vector<std::string>& a) {
        if (a.size() != 1) return telephony::ConsoleResult{2, ""};
        const std::string name = bare(a[0]);
        if (e->module(name)) return telephony::ConsoleResult{1, "Module '" + name + "' is already loaded.\n"};
        for (const auto& m : *cat) {
          if (::strcasecmp(std::string(m->name()).c_str(), name.c_str()) != 0) continue;
          auto r = m->load(e->options().dirs.config);
          if (!r) return telephony::ConsoleResult{1, "Unable to load module " + name + ":\n" + r.error().to_string() + "\n"};
          e->add_module(m);
          telephony::announce_modules_loaded(*e);
          return telephony::ConsoleResult{0, "Loaded " + name + "\n"};
        }
        return telephony::ConsoleResult{1, "Unable to load module " + name + ": no such module\n"};
      },
      complete_from(false)});
  (void)engine.commands().add(telephony::ConsoleCommand{
      "module unload",
      {"Unload a module by name", "module unload <module name>",
       "Stops a running module and forgets it. logger and pbx_config cannot be unloaded.", {},
       {"module load", "module show"}},
      [e](const std::vector<std::string>& a) {
        if (a.size() != 1) return telephony::ConsoleResult{2, ""};
        const std::string name = bare(a[0]);
        auto m = e->module(name);
        if (!m) return telephony::ConsoleResult{1, "Unable to unload module " + name + ": not loaded\n"};
        if (name == "logger" || name == "pbx_config")
          return telephony::ConsoleResult{1, "Unable to unload module " + name + ": the daemon needs it (use '" +
                                                 (name == "logger" ? "logger reload" : "dialplan reload") + "')\n"};
        m->unload();
        e->remove_module(name);
        return telephony::ConsoleResult{0, "Unloaded " + name + "\n"};
      },
      complete_from(true)});
}

}  // namespace telephonyd
