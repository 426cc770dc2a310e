// Header and method names: the table behind Header/Method and their lookups. Lookup narrows by
// length and first letter before comparing, so a header costs one switch and at most a few
// short case-insensitive compares.
#include <array>

#include "telephony/sip/message.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

struct HeaderName {
  Header id;
  std::string_view name;
  char compact;  // 0: none
};

constexpr std::array<HeaderName, static_cast<std::size_t>(Header::Count)> kHeaders{{
    {Header::Other, "", 0},
    {Header::Accept, "Accept", 0},
    {Header::AcceptEncoding, "Accept-Encoding", 0},
    {Header::AcceptLanguage, "Accept-Language", 0},
    {Header::AlertInfo, "Alert-Info", 0},
    {Header::Allow, "Allow", 0},
    {Header::AllowEvents, "Allow-Events", 'u'},
    {Header::Authorization, "Authorization", 0},
    {Header::CallId, "Call-ID", 'i'},
    {Header::CallInfo, "Call-Info", 0},
    {Header::Contact, "Contact", 'm'},
    {Header::ContentDisposition, "Content-Disposition", 0},
    {Header::ContentEncoding, "Content-Encoding", 'e'},
    {Header::ContentLanguage, "Content-Language", 0},
    {Header::ContentLength, "Content-Length", 'l'},
    {Header::ContentType, "Content-Type", 'c'},
    {Header::CSeq, "CSeq", 0},
    {Header::Date, "Date", 0},
    {Header::Diversion, "Diversion", 0},
    {Header::Event, "Event", 'o'},
    {Header::Expires, "Expires", 0},
    {Header::From, "From", 'f'},
    {Header::MaxForwards, "Max-Forwards", 0},
    {Header::MinExpires, "Min-Expires", 0},
    {Header::MinSE, "Min-SE", 0},
    {Header::PAssertedIdentity, "P-Asserted-Identity", 0},
    {Header::PPreferredIdentity, "P-Preferred-Identity", 0},
    {Header::Path, "Path", 0},
    {Header::Privacy, "Privacy", 0},
    {Header::ProxyAuthenticate, "Proxy-Authenticate", 0},
    {Header::ProxyAuthorization, "Proxy-Authorization", 0},
    {Header::ProxyRequire, "Proxy-Require", 0},
    {Header::RAck, "RAck", 0},
    {Header::Reason, "Reason", 0},
    {Header::RecordRoute, "Record-Route", 0},
    {Header::ReferTo, "Refer-To", 'r'},
    {Header::ReferredBy, "Referred-By", 'b'},
    {Header::Replaces, "Replaces", 0},
    {Header::Require, "Require", 0},
    {Header::RetryAfter, "Retry-After", 0},
    {Header::Route, "Route", 0},
    {Header::RSeq, "RSeq", 0},
    {Header::Server, "Server", 0},
    {Header::SessionExpires, "Session-Expires", 'x'},
    {Header::Subject, "Subject", 's'},
    {Header::SubscriptionState, "Subscription-State", 0},
    {Header::Supported, "Supported", 'k'},
    {Header::Timestamp, "Timestamp", 0},
    {Header::To, "To", 't'},
    {Header::Unsupported, "Unsupported", 0},
    {Header::UserAgent, "User-Agent", 0},
    {Header::Via, "Via", 'v'},
    {Header::Warning, "Warning", 0},
    {Header::WwwAuthenticate, "WWW-Authenticate", 0},
}};

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Index by (first letter, length): 26 letters x lengths up to 20, each a short list of ids.
struct NameIndex {
  static constexpr std::size_t kMaxLen = 20;
  std::array<std::array<std::array<Header, 3>, kMaxLen + 1>, 26> slots{};
  std::array<Header, 26> compact{};
  constexpr NameIndex() {
    for (const auto& h : kHeaders) {
      if (h.id == Header::Other) continue;
      auto& slot = slots[static_cast<std::size_t>(lower(h.name[0]) - 'a')][h.name.size()];
      for (auto& s : slot)
        if (s == Header::Other) {
          s = h.id;
          break;
        }
      if (h.compact) compact[static_cast<std::size_t>(h.compact - 'a')] = h.id;
    }
  }
};
constexpr NameIndex kIndex{};

struct MethodName {
  Method m;
  std::string_view name;
};
constexpr std::array<MethodName, 14> kMethods{{
    {Method::Invite, "INVITE"},
    {Method::Ack, "ACK"},
    {Method::Bye, "BYE"},
    {Method::Cancel, "CANCEL"},
    {Method::Options, "OPTIONS"},
    {Method::Register, "REGISTER"},
    {Method::Info, "INFO"},
    {Method::Update, "UPDATE"},
    {Method::Prack, "PRACK"},
    {Method::Refer, "REFER"},
    {Method::Notify, "NOTIFY"},
    {Method::Subscribe, "SUBSCRIBE"},
    {Method::Message, "MESSAGE"},
    {Method::Publish, "PUBLISH"},
}};

}  // namespace

Header header_from_name(std::string_view name) {
  if (name.empty()) return Header::Other;
  const char first = lower(name[0]);
  if (first < 'a' || first > 'z') return Header::Other;
  const auto letter = static_cast<std::size_t>(first - 'a');
  if (name.size() == 1) return kIndex.compact[letter];
  if (name.size() > NameIndex::kMaxLen) return Header::Other;
  for (Header id : kIndex.slots[letter][name.size()]) {
    if (id == Header::Other) break;
    if (iequals(kHeaders[static_cast<std::size_t>(id)].name, name)) return id;
  }
  return Header::Other;
}

std::string_view canonical_name(Header h) { return kHeaders[static_cast<std::size_t>(h)].name; }

std::string_view to_string(Method m) {
  for (const auto& e : kMethods)
    if (e.m == m) return e.name;
  return {};
}

Method method_from(std::string_view token) {
  switch (token.size()) {
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
      for (const auto& e : kMethods)
        if (e.name == token) return e.m;
      return Method::Unknown;
    default:
      return Method::Unknown;
  }
}

}  // namespace telephony::sip
