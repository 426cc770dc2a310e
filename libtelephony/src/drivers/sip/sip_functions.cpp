// PJSIP_HEADER(): read the headers of the INVITE that created a SIP channel, and add headers to
// the INVITE an outbound SIP channel sends (set in a pre-dial handler, as on Asterisk).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sip_console.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"
#include "telephony/sip/uri.hpp"
#include "transaction.hpp"

namespace telephony::sip {

namespace {

using AddedHeaders = std::vector<std::pair<std::string, std::string>>;

struct Args {
  std::string action;
  std::string name;
  int number = 1;
};

Result<Args> split_args(std::string_view args) {
  Args a;
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= args.size()) {
    auto comma = args.find(',', pos);
    parts.emplace_back(trim_lws(args.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (parts.size() < 2 || parts[1].empty()) return fail("PJSIP_HEADER: usage PJSIP_HEADER(<action>,<name>[,<number>])");
  a.action = parts[0];
  a.name = parts[1];
  if (parts.size() > 2 && !parts[2].empty()) {
    try {
      a.number = std::stoi(parts[2]);
    } catch (...) {
      return fail("PJSIP_HEADER: '" + parts[2] + "' is not a header number");
    }
  }
  return a;
}

Result<std::string> read_header(const dialplan::FunctionCall& call) {
  auto a = split_args(call.args);
  if (!a) return Unexpected<Error>{a.error()};
  if (a->action != "read") return fail("PJSIP_HEADER: only 'read' can be read; use Set() for add/update/remove");
  if (!call.channel) return fail("PJSIP_HEADER: requires a channel");
  auto stored = std::static_pointer_cast<StoredMessage>(call.channel->datastore("sip/invite"));
  if (!stored) return std::string();  // not a SIP channel created by an INVITE: empty, as Asterisk
  int seen = 0;
  for (std::size_t i = 0; i < stored->msg.header_count(); ++i) {
    const auto& h = stored->msg.header(i);
    const bool match = h.id != Header::Other ? header_from_name(a->name) == h.id : iequals(h.name, a->name);
    if (match && ++seen == a->number) return std::string(h.value);
  }
  return std::string();
}

Result<void> write_header(const dialplan::FunctionCall& call, std::string_view value) {
  auto a = split_args(call.args);
  if (!a) return Unexpected<Error>{a.error()};
  if (!call.channel) return fail("PJSIP_HEADER: requires a channel");
  auto added = std::static_pointer_cast<AddedHeaders>(
      call.channel->datastore_or_create("sip/add_headers", [] { return std::make_shared<AddedHeaders>(); }));
  if (a->action == "add") {
    added->emplace_back(a->name, std::string(value));
  } else if (a->action == "update") {
    bool found = false;
    for (auto& [n, v] : *added)
      if (iequals(n, a->name)) {
        v = std::string(value);
        found = true;
      }
    if (!found) return fail("PJSIP_HEADER: no header '" + a->name + "' to update");
  } else if (a->action == "remove") {
    std::erase_if(*added, [&](const auto& nv) { return a->name == "*" || iequals(nv.first, a->name); });
  } else {
    return fail("PJSIP_HEADER: unknown action '" + a->action + "' (read, add, update, remove)");
  }
  return {};
}

}  // namespace

void register_sip_functions(Engine& engine) {
  auto f = std::make_shared<dialplan::Function>();
  f->name = "PJSIP_HEADER";
  f->doc.synopsis = "Gets headers from an inbound PJSIP channel. Adds, updates or removes the specified SIP header from "
                    "an outbound PJSIP channel.";
  f->doc.syntax = "PJSIP_HEADER(action,name[,number])";
  f->doc.description =
      "read: the value of the number'th header called name in the INVITE that created this channel (empty when "
      "absent). add: Set(PJSIP_HEADER(add,X-Name)=value) adds a header to the INVITE this channel sends (use a "
      "pre-dial handler on the outbound channel). update replaces an added header's value, remove drops added "
      "headers (name * for all).";
  f->doc.arguments = {{"action", "read, add, update or remove"}, {"name", "the header name"},
                      {"number", "which header when there are several (1-based, default 1)"}};
  f->doc.see_also = {"PJSIP_DIAL_CONTACTS"};
  f->read = read_header;
  f->write = write_header;
  (void)engine.functions().add("PJSIP_HEADER", std::move(f));
}

}  // namespace telephony::sip
