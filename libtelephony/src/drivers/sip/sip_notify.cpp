// NOTIFY on request (Asterisk's res_pjsip_notify): AMI PJSIPNotify to an endpoint (every contact
// of its AORs), an arbitrary URI, or a channel's dialog, with the headers and body either from
// `Variable: name=value` lines or from a section of pjsip_notify.conf (`Option:`). A `Content`
// entry is a line of the body (each ends with CRLF; `Content-Type` says its type); any other
// entry is a header, except the ones the dialog owns (Call-ID, Contact, CSeq, To, From,
// Record-Route, Route, Via, Content-Length), which are refused with an error naming them.
#include "call_session.hpp"
#include "message_writer.hpp"
#include "out_of_dialog.hpp"
#include "sip_console.hpp"
#include "sip_stack.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

struct NotifyContent {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;
};

Result<NotifyContent> build_content(const std::vector<std::pair<std::string, std::string>>& items) {
  NotifyContent out;
  for (const auto& [name, value] : items) {
    if (iequals(name, "Content")) {
      out.body.append(value).append("\r\n");
    } else if (iequals(name, "Content-Type")) {
      out.content_type = value;
    } else {
      for (std::string_view reserved : {"Call-ID", "Contact", "CSeq", "To", "From", "Record-Route", "Route", "Via",
                                        "Content-Length"})
        if (iequals(name, reserved)) return fail("the " + std::string(reserved) + " header of a NOTIFY cannot be set");
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
        return fail("'" + name + "' is not a header name");
      out.headers.emplace_back(name, value);
    }
  }
  if (!out.body.empty() && out.content_type.empty()) return fail("Content needs a Content-Type");
  return out;
}

// An out-of-dialog NOTIFY to `uri` at `dest`, from our address.
void send_notify(SipStack& stack, const std::string& uri, const Destination& dest, const NotifyContent& c,
                 const std::string& route) {
  send_out_of_dialog(stack, Method::Notify, OutOfDialogRequest{uri, {}, {}, route, c.headers, c.content_type, c.body},
                     dest);
}

// Every contact of the endpoint's AORs (through its outbound_proxy when set). The number sent.
Result<std::size_t> notify_endpoint(SipStack& stack, std::string_view name, const NotifyContent& c) {
  auto cfg = stack.config();
  auto ep = cfg->endpoint(name);
  if (!ep) return fail("Unable to retrieve endpoint " + std::string(name));
  auto targets = endpoint_targets(stack, *cfg, *ep);
  if (!targets) return Unexpected<Error>{targets.error()};
  for (const auto& t : *targets) send_notify(stack, t.uri, t.dest, c, t.route);
  return targets->size();
}

}  // namespace

void register_sip_notify_action(manager::Server& server, std::weak_ptr<SipStack> weak) {
  using manager::ActionArgument;
  server.register_action(
      "PJSIPNotify", manager::Privilege::System,
      manager::ActionDoc{
          "Send a NOTIFY to either an endpoint, an arbitrary URI, or inside a SIP dialog.",
          "Sends a NOTIFY to an endpoint (every contact of its AORs), an arbitrary URI, or inside the dialog of a "
          "SIP channel. One (and only one) of Endpoint, URI or Channel; one of Option (a section of "
          "pjsip_notify.conf) or Variable (name=value, repeated; 'Content' lines form the body, 'Content-Type' "
          "its type, other names are headers).",
          {ActionArgument{"Endpoint", false, "The endpoint to which to send the NOTIFY."},
           ActionArgument{"URI", false, "Arbitrary URI to which to send the NOTIFY."},
           ActionArgument{"Channel", false, "Channel name to send the NOTIFY. Must be a SIP channel."},
           ActionArgument{"Option", false, "The config section name from pjsip_notify.conf to use."},
           ActionArgument{"Variable", false, "Appends variables as headers/content to the NOTIFY (name=value)."}},
          {"PJSIPQualify"}},
      [weak](std::shared_ptr<manager::ActionResponder> r) {
        auto stack = weak.lock();
        if (!stack) return r->error("The SIP stack is not running");
        const auto& req = r->request();
        std::string endpoint(req.get_or("Endpoint"));
        const std::string uri(req.get_or("URI"));
        const std::string channel(req.get_or("Channel"));
        const std::string option(req.get_or("Option"));
        const auto variables = req.get_all("Variable");
        if (option.empty() == variables.empty())
          return r->error("PJSIPNotify requires either an Option or Variable(s).You must use only one of them.");
        const int targets = !endpoint.empty() + !uri.empty() + !channel.empty();
        if (targets != 1)
          return r->error(targets ? "PJSIPNotify requires either an endpoint name, a SIP URI, or a channel.  "
                                    "You must use only one of them."
                                  : "PJSIPNotify requires either an endpoint name, a SIP URI, or a channel.");
        std::vector<std::pair<std::string, std::string>> items;
        if (!option.empty()) {
          auto templates = stack->notify_templates();
          if (!templates || !templates->count(option)) return r->error("Unable to find notify type '" + option + "'");
          items = templates->at(option);
        } else {
          for (auto line : variables) {
            const auto eq = line.find('=');
            if (eq == std::string_view::npos || eq == 0)
              return r->error("Invalid Variable '" + std::string(line) + "': expected name=value");
            items.emplace_back(std::string(trim_lws(line.substr(0, eq))), std::string(line.substr(eq + 1)));
          }
        }
        auto content = build_content(items);
        if (!content) return r->error(content.error().message);
        if (!channel.empty()) {
          auto chan = stack->engine().find_channel(channel);
          auto session = chan ? session_of(*chan) : nullptr;
          if (!session) return r->error("Channel not found");
          session->send_notify(content->headers, content->content_type, content->body);
          return r->success("NOTIFY sent");
        }
        if (!uri.empty()) {
          auto u = parse_uri(uri);
          if (!u || !u->is_sip()) return r->error("Unable to parse URI " + uri);
          auto dest = stack->resolve(*u);
          if (!dest) return r->error(dest.error().message);
          send_notify(*stack, uri, *dest, *content, {});
          return r->success("NOTIFY sent");
        }
        for (std::string_view prefix : {"sip/", "pjsip/"})
          if (endpoint.size() > prefix.size() && iequals(std::string_view(endpoint).substr(0, prefix.size()), prefix))
            endpoint.erase(0, prefix.size());
        auto sent = notify_endpoint(*stack, endpoint, *content);
        if (!sent) return r->error(sent.error().message);
        r->success("NOTIFY sent");
      });
}

Result<NotifyTemplates, Errors> load_notify_templates(const std::filesystem::path& config_dir) {
  NotifyTemplates out;
  if (!config::find_module_config(config_dir, "pjsip_notify.conf")) return out;
  auto file = config::load_module_config(config_dir, "pjsip_notify.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  Errors errors;
  for (const auto& s : file->sections) {
    if (s.is_template || iequals(s.name, "general")) continue;
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& e : s.entries) items.emplace_back(e.name, e.value);
    if (auto c = build_content(items); !c) errors.items.push_back(Error{"[" + s.name + "]: " + c.error().message, s.where.to_string()});
    out[s.name] = std::move(items);
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

}  // namespace telephony::sip
