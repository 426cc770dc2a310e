// `dialplan show` in Asterisk's layout (show_dialplan_helper in pbx.c).
#include <algorithm>
#include <cstdio>

#include "telephony/dialplan/module.hpp"

namespace telephony::dialplan {

namespace {

std::string column(const char* fmt, const std::string& a, const std::string& b, const std::string& c) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, fmt, a.c_str(), b.c_str(), c.c_str());
  std::string out(buf);
  // snprintf truncates very long data; keep the full text in that case.
  if (out.size() >= sizeof buf - 1) out = "  " + a + " " + b + " [" + c + "]\n";
  return out;
}

std::string source(const config::Location& where, const std::string& registrar) {
  if (where.file.empty()) return registrar;
  auto slash = where.file.rfind('/');
  return (slash == std::string::npos ? where.file : where.file.substr(slash + 1)) + ":" + std::to_string(where.line);
}

std::string describe(const Priority& p) {
  std::string label = p.label.empty() ? "" : "(" + p.label + ")";
  return std::to_string(p.number) + label + ". " + p.app + "(" + p.data + ")";
}

struct Counts {
  std::size_t contexts = 0, extensions = 0, priorities = 0;
};

void render_context(const Context& c, std::string_view exten, std::string& out, Counts& n) {
  std::vector<const ExtensionGroup*> groups;
  for (const auto& g : c.groups) groups.push_back(&g);
  std::stable_sort(groups.begin(), groups.end(),
                   [](const ExtensionGroup* a, const ExtensionGroup* b) { return compare(a->pattern, b->pattern) < 0; });
  std::string body;
  for (const auto* g : groups) {
    if (!exten.empty() && !g->pattern.match(exten).match && g->pattern.text() != exten) continue;
    for (const auto& e : g->variants) {
      std::string head = e.cid.empty() ? "'" + e.name + "' =>" : "'" + e.name + "' (CID match '" + e.cid + "') =>";
      bool first = true;
      ++n.extensions;
      if (e.hint) {
        body += column("  %-17s %-45s [%s]\n", head, "hint: " + *e.hint, source(e.where, c.registrar));
        first = false;
        ++n.priorities;
      }
      for (const auto& p : e.priorities) {
        body += column("  %-17s %-45s [%s]\n", first ? head : "", describe(p), source(p.where, c.registrar));
        first = false;
        ++n.priorities;
      }
    }
  }
  if (!exten.empty() && body.empty()) return;
  ++n.contexts;
  out += "[ Context '" + c.name + "' created by '" + c.registrar + "' ]\n" + body;
  if (exten.empty()) {
    for (const auto& inc : c.includes)
      out += column("  %-17s %-45s [%s]\n", "Include =>", "'" + inc.text + "'", source(inc.where, c.registrar));
    for (const auto& ip : c.ignore_patterns)
      out += column("  %-17s %-45s [%s]\n", "Ignore pattern =>", "'" + ip + "'", c.registrar);
    for (const auto& sw : c.switches)
      out += column("  %-17s %-45s [%s]\n", "Alt. Switch =>", "'" + sw.data + "'", source(sw.where, c.registrar));
  }
  out += "\n";
}

}  // namespace

Result<std::string> render_dialplan(const Dialplan& plan, std::string_view what) {
  std::string_view exten, ctx = what;
  if (auto at = what.find('@'); at != std::string_view::npos) {
    exten = what.substr(0, at);
    ctx = what.substr(at + 1);
  }
  std::string out;
  Counts n;
  for (const auto& c : plan.contexts()) {
    if (!ctx.empty() && c.name != ctx) continue;
    render_context(c, exten, out, n);
  }
  if (!ctx.empty() && !plan.context(ctx)) return fail("There is no existence of '" + std::string(ctx) + "' context");
  if (!exten.empty() && n.extensions == 0)
    return fail("There is no existence of " + std::string(exten) + "@" + std::string(ctx) + " extension");
  out += "-= " + std::to_string(n.extensions) + (n.extensions == 1 ? " extension" : " extensions") + " (" +
         std::to_string(n.priorities) + (n.priorities == 1 ? " priority" : " priorities") + ") in " +
         std::to_string(n.contexts) + (n.contexts == 1 ? " context" : " contexts") + ". =-\n";
  return out;
}

}  // namespace telephony::dialplan
