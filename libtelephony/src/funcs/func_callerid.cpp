// Party identification: CALLERID and CONNECTEDLINE. Name, number and presentation live on the
// Channel; the fields the channel has no member for (ANI, DNID, tag, type of number) live in a
// channel datastore; RDNIS is the redirecting from-number (func_redirecting.cpp), as in Asterisk.
#include <cstdlib>
#include <mutex>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {
struct PresentationName {
  int value;
  const char* name;
};
constexpr PresentationName kPresentations[] = {
    {0x00, "allowed_not_screened"}, {0x01, "allowed_passed_screen"}, {0x02, "allowed_failed_screen"},
    {0x03, "allowed"},              {0x20, "prohib_not_screened"},   {0x21, "prohib_passed_screen"},
    {0x22, "prohib_failed_screen"}, {0x23, "prohib"},                {0x43, "unavailable"},
};
}  // namespace

std::string presentation_name(int value) {
  for (const auto& p : kPresentations)
    if (p.value == value) return p.name;
  return "unknown";
}

std::optional<int> presentation_value(std::string_view text) {
  auto t = to_lower(trim(text));
  for (const auto& p : kPresentations)
    if (t == p.name) return p.value;
  char* end = nullptr;
  long v = std::strtol(t.c_str(), &end, 0);
  if (!t.empty() && *end == '\0' && v >= 0 && v <= 0xff) return static_cast<int>(v);
  return std::nullopt;
}

namespace {

struct ExtraPartyInfo {
  std::mutex mu;
  std::string ani_num, ani_name, dnid, tag, connected_tag;
  int ton = 0;
  int connected_ton = 0;
};

// `"name" <num>`, or whichever part exists, as Asterisk merges a caller id for display.
std::string merge(const CallerId& id) {
  if (!id.name.empty() && !id.number.empty()) return "\"" + id.name + "\" <" + id.number + ">";
  if (!id.name.empty()) return id.name;
  return id.number;
}

// The data types and the party field each names; aliases map to one canonical name.
std::string canonical_type(std::string_view raw) {
  auto t = to_lower(trim(raw));
  if (t == "number") return "num";
  if (t == "ani") return "ani-num";
  if (t == "dnid") return "dnid-num";
  if (t == "rdnis") return "rdnis";
  if (t == "pres" || t == "num-pres" || t == "name-pres") return "pres";
  if (t == "num-plan" || t == "ton") return "ton";
  return t;
}

Result<std::string> callerid_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  const std::string type = canonical_type(a[0]);
  if (a.size() > 1) {  // parse the given caller id instead of the channel's
    auto id = CallerId::parse(a[1]);
    if (type == "all") return merge(id);
    if (type == "name") return id.name;
    if (type == "num") return id.number;
    return func_error(call, "data type '" + a[0] + "' cannot be read from a given caller id");
  }
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto id = (*chan)->caller();
  if (type == "all") return merge(id);
  if (type == "name") return id.name;
  if (type == "num") return id.number;
  if (type == "pres") return presentation_name(id.presentation);
  if (type == "rdnis") return redirecting_from_number(**chan);
  auto extra = channel_store<ExtraPartyInfo>(**chan, "callerid-extra");
  std::lock_guard lock(extra->mu);
  if (type == "ani-num") return extra->ani_num;
  if (type == "ani-name") return extra->ani_name;
  if (type == "dnid-num") return extra->dnid;
  if (type == "tag") return extra->tag;
  if (type == "ton") return std::to_string(extra->ton);
  return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
}

// The fields CALLERID() and CONNECTEDLINE() write alike (all, name, num, pres) into `id`; false
// when `type` is none of them.
Result<bool> write_party_field(const FunctionCall& call, CallerId& id, const std::string& type, std::string_view value) {
  if (type == "all") {
    auto parsed = CallerId::parse(value);
    id.name = parsed.name;
    id.number = parsed.number;
  } else if (type == "name") {
    id.name = std::string(value);
  } else if (type == "num") {
    id.number = std::string(value);
  } else if (type == "pres") {
    auto p = presentation_value(value);
    if (!p) return func_error(call, "unknown presentation '" + std::string(value) + "'");
    id.presentation = *p;
  } else {
    return false;
  }
  return true;
}

Result<void> callerid_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  const std::string type = canonical_type(a[0]);
  auto id = (*chan)->caller();
  auto shared = write_party_field(call, id, type, value);
  if (!shared) return Unexpected<Error>{shared.error()};
  if (!*shared && type == "rdnis") {
    set_redirecting_from_number(**chan, std::string(value));
    return {};
  }
  if (!*shared) {
    auto extra = channel_store<ExtraPartyInfo>(**chan, "callerid-extra");
    std::lock_guard lock(extra->mu);
    if (type == "ani-num") extra->ani_num = value;
    else if (type == "ani-name") extra->ani_name = value;
    else if (type == "dnid-num") extra->dnid = value;
    else if (type == "tag") extra->tag = value;
    else if (type == "ton") extra->ton = std::atoi(std::string(value).c_str());
    else return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
    return {};
  }
  (*chan)->set_caller(std::move(id));
  return {};
}

Result<std::string> connectedline_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  const std::string type = canonical_type(a[0]);
  auto id = (*chan)->connected();
  if (type == "all") return merge(id);
  if (type == "name") return id.name;
  if (type == "num") return id.number;
  if (type == "pres") return presentation_name(id.presentation);
  auto extra = channel_store<ExtraPartyInfo>(**chan, "callerid-extra");
  std::lock_guard lock(extra->mu);
  if (type == "tag") return extra->connected_tag;
  if (type == "ton") return std::to_string(extra->connected_ton);
  return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
}

Result<void> connectedline_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  if (a.size() > 1 && !a[1].empty() && a[1] != "i") return func_error(call, "unknown option '" + a[1] + "'");
  const std::string type = canonical_type(a[0]);
  auto id = (*chan)->connected();
  auto shared = write_party_field(call, id, type, value);
  if (!shared) return Unexpected<Error>{shared.error()};
  if (!*shared) {
    auto extra = channel_store<ExtraPartyInfo>(**chan, "callerid-extra");
    std::lock_guard lock(extra->mu);
    if (type == "tag") extra->connected_tag = value;
    else if (type == "ton") extra->connected_ton = std::atoi(std::string(value).c_str());
    else return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
    return {};
  }
  (*chan)->set_connected(std::move(id));
  return {};
}

}  // namespace

void register_callerid_functions(Engine& engine) {
  add_function(engine, "CALLERID",
               {"Gets or sets Caller*ID data on the channel.", "CALLERID(datatype[,CID])",
                "Gets or sets Caller*ID data on the channel. Reading 'all' gives \"name\" <num> (or whichever part "
                "is set); writing 'all' parses that form. With CID, the given text is parsed instead of the "
                "channel's caller id (name, num and all only). Example: Set(CALLERID(all)=\"Alice\" <1001>).",
                {{"datatype", "all, name, num (number), pres (num-pres, name-pres), ani (ani-num), ani-name, dnid "
                              "(dnid-num), rdnis, tag, ton"},
                 {"CID", "optional caller id text to parse instead of the channel's (read only)"}},
                {"CONNECTEDLINE"}},
               callerid_read, callerid_write);
  add_function(engine, "CONNECTEDLINE",
               {"Gets or sets Connected Line data on the channel.", "CONNECTEDLINE(datatype[,i])",
                "Gets or sets Connected Line data on the channel: the party this channel is talking to.",
                {{"datatype", "all, name, num (number), pres, tag, ton"},
                 {"i", "when writing: do not send the update to the far end (accepted; the update stays local)"}},
                {"CALLERID"}},
               connectedline_read, connectedline_write);
}

}  // namespace telephony::funcs
