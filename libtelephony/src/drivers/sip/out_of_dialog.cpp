// Out-of-dialog requests and endpoint contact targets (see out_of_dialog.hpp).
#include "out_of_dialog.hpp"

#include "message_writer.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

std::string uri_with_user(std::string_view uri_text, std::string_view user) {
  auto u = parse_uri(uri_text);
  if (!u || !u->is_sip()) return std::string(uri_text);
  std::string out(u->scheme);
  out.append(":").append(user).append("@").append(u->host);
  if (u->port) out.append(":").append(std::to_string(u->port));
  if (!u->params.text().empty()) out.append(";").append(u->params.text());
  return out;
}

Result<std::vector<ContactTarget>> endpoint_targets(SipStack& stack, const SipConfig& cfg,
                                                    const EndpointOptions& ep,
                                                    std::string_view user) {
  std::optional<Destination> proxy;
  if (!ep.outbound_proxy.empty()) {
    auto pu = parse_uri(ep.outbound_proxy);
    if (!pu || !pu->is_sip()) return fail("bad outbound_proxy '" + ep.outbound_proxy + "'");
    auto d = stack.resolve(*pu, ep.transport);
    if (!d) return Unexpected<Error>{d.error()};
    proxy = *d;
  }
  std::vector<ContactTarget> out;
  for (const auto& aor : ep.aors) {
    for (const auto& b : stack.registrar().contacts(cfg, aor)) {
      ContactTarget t;
      t.uri = user.empty() ? b.uri : uri_with_user(b.uri, user);
      if (proxy) {
        t.dest = *proxy;
        t.route = "<" + ep.outbound_proxy + ">";
      } else if (b.transport) {
        t.dest = Destination{b.transport, b.source, b.connection};  // where its REGISTER came from
      } else {
        auto u = parse_uri(t.uri);
        if (!u) continue;
        auto r = stack.resolve(*u, ep.transport);
        if (!r) continue;
        t.dest = *r;
      }
      out.push_back(std::move(t));
    }
  }
  if (out.empty()) return fail("Endpoint " + ep.name + " has no contacts");
  return out;
}

void send_out_of_dialog(SipStack& stack, Method method, const OutOfDialogRequest& r,
                        const Destination& dest, ClientTransaction::Handler done) {
  const auto branch = new_branch();
  const std::string name(to_string(method));
  MessageWriter w;
  w.request_line(name, r.uri);
  w.header(Header::Via, stack.via(*dest.transport, branch));
  if (!r.route.empty()) w.header(Header::Route, r.route);
  w.header(Header::MaxForwards, "70");
  const std::string from =
      r.from.empty() ? "<sip:asterisk@" + dest.transport->advertised().to_string() + ">" : r.from;
  w.header(Header::From, from + ";tag=" + random_token(10));
  w.header(Header::To, r.to.empty() ? "<" + r.uri + ">" : r.to);
  w.header(Header::CallId, random_token(24) + "@libtelephony");
  w.header(Header::CSeq, "1 " + name);
  w.header(Header::Contact, stack.contact(*dest.transport, "asterisk"));
  for (const auto& [h, v] : r.headers) w.header(h, v);
  w.header(Header::UserAgent, stack.user_agent());
  auto bytes = w.finish(r.content_type, r.body);
  stack.log_message(false, bytes, dest.address);
  if (!done) done = [](StoredPtr) {};
  stack.send_request(method, branch, std::move(bytes), dest, stack.engine().io().get_executor(),
                     std::move(done));
}

}  // namespace telephony::sip
