#include "telephony/documentation.hpp"

namespace telephony {

std::string render_help(std::string_view kind, std::string_view name, const Documentation& doc) {
  std::string out = "  -= Info about " + std::string(kind) + " '" + std::string(name) + "' =- \n\n";
  auto block = [&](std::string_view title, const std::string& text) {
    out += "[" + std::string(title) + "]\n" + (text.empty() ? std::string("Not available") : text) + "\n\n";
  };
  block("Synopsis", doc.synopsis);
  block("Description", doc.description);
  block("Syntax", doc.syntax);
  std::string args;
  for (const auto& [n, meaning] : doc.arguments) args += "    " + n + ": " + meaning + "\n";
  if (!args.empty()) args.pop_back();
  block("Arguments", args);
  std::string see;
  for (const auto& s : doc.see_also) see += (see.empty() ? "" : ", ") + s;
  block("See Also", see);
  return out;
}

}  // namespace telephony
