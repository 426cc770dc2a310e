// SIP MESSAGE out (RFC 3428) for AMI MessageSend (telephony/messaging.hpp), with the
// destinations res_pjsip_messaging accepts after the `pjsip:` (or `sip:`) scheme:
//
//   alice                    the endpoint's first contact (registered or static)
//   alice@example.com        the same; the domain is discarded
//   PJSIP/1234@alice         the endpoint's first contact with the user replaced (dial-string form)
//   alice/sip:bob@host:5070  the endpoint's transport and proxy, that Request-URI (also
//                            alice/"Bob" <sip:bob@host>, alice/bob@host, alice/host)
//   sip:bob@host:5070        that URI from the default transport (also <sip:…>, "Bob" <sip:…>,
//                            bob@host, host)
//
// The MessageSend() application sends MESSAGE(body) the same way (a received message forwarded).
// From: the action's From (wrapped in <> when bare), else the endpoint's from_user/from_domain,
// else <sip:asterisk@our address>. Variables travel as extra headers (the ones the dialog owns
// are refused). The body is text/plain. The action answers once the request is queued; the
// final response is logged when it is not 2xx.
#include <algorithm>

#include "out_of_dialog.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/messaging.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// `"Bob" <sip:bob@host>`, `<sip:bob@host>`, `sip:bob@host`, `bob@host`, `host` -> a SIP URI.
std::string uri_from(std::string_view text) {
  text = trim_lws(text);
  if (auto lt = text.find('<'); lt != std::string_view::npos) {
    const auto gt = text.find('>', lt);
    text = text.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  }
  if (starts_with_ci(text, "sip:") || starts_with_ci(text, "sips:")) return std::string(text);
  return "sip:" + std::string(text);
}

std::string from_of(const OutgoingMessage& msg, const EndpointOptions* ep,
                    const Destination& dest) {
  if (!msg.from.empty()) {
    const std::string_view f = trim_lws(msg.from);
    if (f.find('<') != std::string_view::npos) return std::string(f);
    return "<" + uri_from(f) + ">";
  }
  if (ep && (!ep->from_user.empty() || !ep->from_domain.empty())) {
    const std::string user = ep->from_user.empty() ? "asterisk" : ep->from_user;
    const std::string domain =
        ep->from_domain.empty() ? dest.transport->advertised().to_string() : ep->from_domain;
    return "<sip:" + user + "@" + domain + ">";
  }
  return {};  // send_out_of_dialog's default
}

}  // namespace

Result<MessageDestination> parse_message_destination(std::string_view to, const SipConfig& cfg) {
  const std::string whole(to);
  to = trim_lws(to);
  if (starts_with_ci(to, "pjsip:")) to.remove_prefix(6);
  MessageDestination d;
  if (starts_with_ci(to, "PJSIP/") || starts_with_ci(to, "SIP/")) {
    const auto rest = to.substr(to.find('/') + 1);
    const auto at = rest.rfind('@');
    if (at == std::string_view::npos) return fail("'" + whole + "': expected PJSIP/user@endpoint");
    d.user = std::string(rest.substr(0, at));
    d.endpoint = cfg.endpoint(rest.substr(at + 1));
    if (!d.endpoint) return fail("no endpoint '" + std::string(rest.substr(at + 1)) + "'");
  } else if (const auto slash = to.find('/');
             slash != std::string_view::npos && to.find('<') > slash && to.find(':') > slash) {
    d.endpoint = cfg.endpoint(to.substr(0, slash));
    if (!d.endpoint) return fail("no endpoint '" + std::string(to.substr(0, slash)) + "'");
    d.uri = uri_from(to.substr(slash + 1));
  } else if (to.find(':') == std::string_view::npos && to.find('<') == std::string_view::npos &&
             cfg.endpoint(to.substr(0, to.find('@')))) {
    d.endpoint = cfg.endpoint(to.substr(0, to.find('@')));  // endpoint, or endpoint@domain
  } else {
    d.uri = uri_from(to);
  }
  return d;
}

Result<void> send_sip_message(SipStack& stack, const OutgoingMessage& msg) {
  const auto cfg = stack.config();
  auto parsed = parse_message_destination(msg.to, *cfg);
  if (!parsed) return Unexpected<Error>{parsed.error()};
  const auto& ep = parsed->endpoint;
  const auto& uri = parsed->uri;
  const auto& user = parsed->user;
  OutOfDialogRequest r;
  r.content_type = "text/plain";
  r.body = msg.body;
  for (const auto& [name, value] : msg.variables) {
    for (std::string_view reserved :
         {"Call-ID", "Contact", "CSeq", "To", "From", "Record-Route", "Route", "Via",
          "Content-Length", "Content-Type", "Max-Forwards"})
      if (iequals(name, reserved))
        return fail("the " + std::string(reserved) + " header of a MESSAGE cannot be set");
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
      return fail("'" + name + "' is not a header name");
    r.headers.emplace_back(name, value);
  }
  Destination dest;
  if (uri.empty()) {
    auto targets = endpoint_targets(stack, *cfg, *ep, user);
    if (!targets) return Unexpected<Error>{targets.error()};
    r.uri = targets->front().uri;  // Asterisk's default contact: the first
    r.route = targets->front().route;
    dest = targets->front().dest;
  } else {
    auto u = parse_uri(uri);
    if (!u || !u->is_sip()) return fail("'" + msg.to + "' is not a SIP URI");
    auto d = stack.resolve(*u, ep ? std::string_view(ep->transport) : std::string_view());
    if (!d) return Unexpected<Error>{d.error()};
    r.uri = uri;
    dest = *d;
  }
  r.from = from_of(msg, ep.get(), dest);
  std::weak_ptr<SipStack> weak = stack.shared_from_this();
  const std::string target = r.uri;
  send_out_of_dialog(stack, Method::Message, r, dest, [weak, target](StoredPtr resp) {
    auto self = weak.lock();
    if (!self || (resp && resp->msg.status() < 300)) return;
    self->engine().log().warning(
        "res_pjsip_messaging",
        "MESSAGE to " + target + " failed: " +
            (resp ? std::to_string(resp->msg.status()) + " " + std::string(resp->msg.reason())
                  : std::string("no response")));
  });
  return {};
}

}  // namespace telephony::sip

// ---------------------------------------------------------------------------------------------
// MESSAGE in

namespace telephony::sip {

namespace {

// What MESSAGE() and MESSAGE_DATA() read on the channel that runs a received message.
struct ReceivedMessage {
  std::string to, from, body;
  std::vector<std::pair<std::string, std::string>> headers;
};
constexpr std::string_view kMessageStore = "message";

// The Message/ast_msg_queue channel: no media, nothing to answer or hang up on the wire.
class MessageTech : public ChannelTech {};

std::shared_ptr<ReceivedMessage> message_of(const dialplan::FunctionCall& call) {
  if (!call.channel) return nullptr;
  return std::static_pointer_cast<ReceivedMessage>(call.channel->datastore(kMessageStore));
}

std::string* message_field(ReceivedMessage& m, std::string_view field) {
  if (iequals(field, "to")) return &m.to;
  if (iequals(field, "from")) return &m.from;
  if (iequals(field, "body")) return &m.body;
  return nullptr;
}

}  // namespace

void receive_message(SipStack& stack, const EndpointOptions& ep,
                     std::shared_ptr<ServerTransaction> txn) {
  const Message& req = txn->request();
  auto ct = trim_lws(req.value(Header::ContentType));
  ct = trim_lws(ct.substr(0, ct.find(';')));
  if (!iequals(ct, "text/plain")) return txn->respond_simple(415, {}, "Accept: text/plain\r\n");
  const std::string context = ep.message_context.empty() ? ep.context : ep.message_context;
  std::string exten = "s";
  if (auto ruri = parse_uri(req.request_uri()); ruri && ruri->has_user())
    exten = unescape(ruri->user);
  Engine& engine = stack.engine();
  auto pbx = engine.pbx();
  if (!pbx || !pbx->exists(context, exten, 1, {})) {
    engine.log().notice("res_pjsip_messaging",
                        "MESSAGE from '" + ep.name + "' to extension '" + exten +
                            "' rejected: no such extension in context '" + context + "'");
    return txn->respond_simple(404);
  }
  auto msg = std::make_shared<ReceivedMessage>();
  auto from = parse_name_addr(req.value(Header::From));
  // Asterisk's MESSAGE(to) is the Request-URI; MESSAGE(from) the From header's name-addr.
  msg->to = std::string(req.request_uri());
  msg->from = from ? (from->display.empty() ? "<" + std::string(from->uri.text) + ">"
                                            : "\"" + std::string(from->display) + "\" <" +
                                                  std::string(from->uri.text) + ">")
                   : std::string(req.value(Header::From));
  msg->body = std::string(req.body());
  for (std::size_t i = 0; i < req.header_count(); ++i)
    msg->headers.emplace_back(std::string(req.header(i).name), std::string(req.header(i).value));
  txn->respond_simple(202);

  Engine::ChannelInit init;
  init.tech = "Message";
  init.resource = "ast_msg_queue";
  init.impl = std::make_unique<MessageTech>();
  init.direction = ChannelDirection::Inbound;
  auto chan = engine.create_channel(std::move(init));
  chan->datastore_or_create(kMessageStore, [&] { return msg; });
  if (from) {
    CallerId cid;
    cid.name = std::string(from->display);
    cid.number = unescape(from->uri.user);
    chan->set_caller(cid);
  }
  chan->set_location({context, exten, 1});
  pbx->start(chan);
}

void register_message_functions(Engine& engine) {
  auto f = std::make_shared<dialplan::Function>();
  f->name = "MESSAGE";
  f->doc.synopsis = "Create a message or read fields from a message.";
  f->doc.syntax = "MESSAGE(argument)";
  f->doc.description =
      "On the channel that runs a received SIP MESSAGE (its endpoint's message_context, else its "
      "context, at the "
      "Request-URI's user): to (the Request-URI), from (the From name-addr) or body. Writing "
      "changes the field.";
  f->doc.arguments = {{"argument", "to, from or body"}};
  f->doc.see_also = {"MESSAGE_DATA"};
  f->read = [](const dialplan::FunctionCall& call) -> Result<std::string> {
    auto m = message_of(call);
    if (!m) return std::string();  // not a message channel: empty, as Asterisk
    auto* field = message_field(*m, trim_lws(call.args));
    if (!field)
      return fail("MESSAGE: unknown argument '" + std::string(call.args) + "' (to, from, body)");
    return *field;
  };
  f->write = [](const dialplan::FunctionCall& call, std::string_view value) -> Result<void> {
    if (!call.channel) return fail("MESSAGE: requires a channel");
    auto m = std::static_pointer_cast<ReceivedMessage>(call.channel->datastore_or_create(
        kMessageStore, [] { return std::make_shared<ReceivedMessage>(); }));
    auto* field = message_field(*m, trim_lws(call.args));
    if (!field)
      return fail("MESSAGE: unknown argument '" + std::string(call.args) + "' (to, from, body)");
    *field = std::string(value);
    return {};
  };
  (void)engine.functions().add("MESSAGE", std::move(f));

  auto d = std::make_shared<dialplan::Function>();
  d->name = "MESSAGE_DATA";
  d->doc.synopsis = "Read or write custom data attached to a message.";
  d->doc.syntax = "MESSAGE_DATA(argument)";
  d->doc.description =
      "A header of the received SIP MESSAGE (the first of that name; empty when absent).";
  d->doc.arguments = {{"argument", "the header name"}};
  d->doc.see_also = {"MESSAGE"};
  d->read = [](const dialplan::FunctionCall& call) -> Result<std::string> {
    auto m = message_of(call);
    if (!m) return std::string();
    const auto want = trim_lws(call.args);
    for (const auto& [name, value] : m->headers)
      if (iequals(name, want) || (header_from_name(want) != Header::Other &&
                                  header_from_name(name) == header_from_name(want)))
        return value;
    return std::string();
  };
  (void)engine.functions().add("MESSAGE_DATA", std::move(d));

  // MessageSend(destination[,from]): sends MESSAGE(body) (a received message forwarded, or one
  // built with Set(MESSAGE(body)=…)) through the driver of the destination's scheme.
  auto app = std::make_shared<dialplan::Application>();
  app->name = "MessageSend";
  app->doc.synopsis = "Send a text message.";
  app->doc.syntax = "MessageSend(destination[,from])";
  app->doc.description =
      "Sends MESSAGE(body) to destination (pjsip:alice, pjsip:PJSIP/1234@alice, sip:bob@host … as "
      "the AMI "
      "MessageSend action takes them). from defaults to MESSAGE(from). Sets MESSAGE_SEND_STATUS: "
      "SUCCESS, "
      "INVALID_PROTOCOL (no loaded driver carries the scheme), INVALID_URI (no destination) or "
      "FAILURE.";
  app->doc.arguments = {{"destination", "where to send, with its technology scheme"},
                        {"from", "the sender (a SIP URI or name-addr); default MESSAGE(from)"}};
  app->doc.see_also = {"MESSAGE", "MESSAGE_DATA"};
  app->run = [](dialplan::Execution& x,
                std::string_view data) -> boost::asio::awaitable<dialplan::AppResult> {
    Channel& chan = x.channel();
    const auto comma = data.find(',');
    OutgoingMessage out;
    out.to = std::string(trim_lws(data.substr(0, comma)));
    if (comma != std::string_view::npos) out.from = std::string(trim_lws(data.substr(comma + 1)));
    auto m = std::static_pointer_cast<ReceivedMessage>(chan.datastore(kMessageStore));
    if (m) {
      out.body = m->body;
      if (out.from.empty()) out.from = m->from;
    }
    std::string status = "SUCCESS";
    auto* carrier = dynamic_cast<MessageTechnology*>(
        x.engine().drivers().find(message_technology_of(out.to)).get());
    if (out.to.empty()) {
      status = "INVALID_URI";
    } else if (!carrier) {
      status = "INVALID_PROTOCOL";
    } else if (auto sent = carrier->send_message(out); !sent) {
      x.engine().log().warning("res_pjsip_messaging", chan.name() + ": MessageSend to " + out.to +
                                                          " failed: " + sent.error().message);
      status = "FAILURE";
    }
    chan.set_variable("MESSAGE_SEND_STATUS", status);
    co_return dialplan::AppResult::Continue;
  };
  (void)engine.applications().add("MessageSend", std::move(app));
}

}  // namespace telephony::sip
