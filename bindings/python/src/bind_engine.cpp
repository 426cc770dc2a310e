// Bindings of the engine: EngineHost (telephony.Engine's core), ChannelHandle (telephony.Channel's
// core), originate and its result, and the enums users compare against.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <boost/asio/post.hpp>

#include "bindings.hpp"
#include "channel_handle.hpp"
#include "engine_host.hpp"
#include "errors.hpp"
#include "event_stream.hpp"
#include "python_apps.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/originate.hpp"

namespace telephony::python {

namespace {

std::shared_ptr<EventStream> subscribe(EngineHost& host, std::vector<std::string> types, std::size_t capacity) {
  auto stream = std::make_shared<EventStream>(EventStream::Options{std::move(types), capacity});
  {
    EngineCall released;
    stream->subscribe(host.engine().events());
  }
  host.track_stream(stream);
  return stream;
}

void install_plan(EngineHost& host, const Result<std::shared_ptr<const dialplan::Dialplan>, Errors>& plan) {
  if (!plan) raise_config_error(plan.error());
  EngineCall released;
  for (const auto& w : (*plan)->warnings()) host.engine().log().warning("pbx_config", w.to_string());
  dialplan::install_dialplan(host.engine())->replace(*plan);
}

OriginateRequest make_request(const std::string& channel, const std::optional<std::string>& application,
                              const std::string& data, const std::optional<std::string>& context,
                              const std::optional<std::string>& exten, int priority, double timeout,
                              const std::vector<std::pair<std::string, std::string>>& variables,
                              const std::optional<std::string>& caller_id, const std::string& account,
                              const std::string& channel_id) {
  OriginateRequest req;
  req.dial = channel;
  req.timeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  if (caller_id) req.caller_id = CallerId::parse(*caller_id);
  req.variables = variables;
  req.account = account;
  req.channel_id = channel_id;
  if (application) {
    req.application = *application;
    req.data = data;
  } else {
    if (!context && !exten)
      raise_error(exception_types().originate, "originate needs application= or context=/exten= (where the "
                                               "answered call goes)");
    req.context = context.value_or("default");
    req.exten = exten.value_or("s");
    req.priority = priority;
  }
  return req;
}

}  // namespace

void bind_engine(py::module_& m) {
  py::enum_<ChannelState>(m, "ChannelState", "Channel states, with Asterisk's numbers (AMI ChannelState).",
                          py::arithmetic())
      .value("DOWN", ChannelState::Down)
      .value("RESERVED", ChannelState::Reserved)
      .value("OFF_HOOK", ChannelState::OffHook)
      .value("DIALING", ChannelState::Dialing)
      .value("RING", ChannelState::Ring)
      .value("RINGING", ChannelState::Ringing)
      .value("UP", ChannelState::Up)
      .value("BUSY", ChannelState::Busy)
      .value("DIALING_OFFHOOK", ChannelState::DialingOffhook)
      .value("PRE_RING", ChannelState::PreRing)
      .def_property_readonly("text", [](ChannelState s) { return std::string(to_string(s)); },
                             "Asterisk's description (ChannelStateDesc): 'Up', 'Ringing' ...");

  py::enum_<OriginateReason>(m, "OriginateReason",
                             "How an originate ended, with Asterisk's reason codes (OriginateResponse Reason).",
                             py::arithmetic())
      .value("FAILURE", OriginateReason::Failure)
      .value("HANGUP", OriginateReason::Hangup)
      .value("NO_ANSWER", OriginateReason::NoAnswer)
      .value("ANSWERED", OriginateReason::Answered)
      .value("BUSY", OriginateReason::Busy)
      .value("CONGESTION", OriginateReason::Congestion)
      .def_property_readonly("text", [](OriginateReason r) { return std::string(reason_text(r)); },
                             "Asterisk's text ('Remote end is Busy' ...).");

  py::class_<OriginateResult>(m, "OriginateResult", "What an originate came to (it does not wait for the call's end).")
      .def_readonly("reason", &OriginateResult::reason, "OriginateReason: ANSWERED, BUSY, NO_ANSWER ...")
      .def_property_readonly(
          "channel",
          [](const OriginateResult& r) -> std::optional<std::string> {
            if (!r.channel) return std::nullopt;
            return r.channel->name;
          },
          "Name of the new channel, None when none could be created.")
      .def_property_readonly("uniqueid", &OriginateResult::uniqueid)
      .def_property_readonly("cause", [](const OriginateResult& r) { return static_cast<int>(r.cause); },
                             "Q.850 cause when the call was not answered (17 busy, 19 no answer ...).")
      .def_property_readonly("cause_text", [](const OriginateResult& r) { return std::string(cause_text(r.cause)); })
      .def_readonly("error", &OriginateResult::error, "What went wrong; empty when answered.")
      .def_readonly("failed_channel", &OriginateResult::failed_channel,
                    "The OutgoingSpoolFailed channel that ran the context's `failed` extension, if any.")
      .def_property_readonly("answered", &OriginateResult::answered)
      .def("__bool__", &OriginateResult::answered)
      .def("__repr__", [](const OriginateResult& r) {
        return "<OriginateResult " + std::string(reason_text(r.reason)) +
               (r.channel ? " channel=" + r.channel->name : std::string()) + ">";
      });

  py::class_<ChannelHandle>(m, "_ChannelHandle")
      .def_property_readonly("name", [](const ChannelHandle& h) { return h.channel()->name(); })
      .def_property_readonly("uniqueid", [](const ChannelHandle& h) { return h.channel()->uniqueid(); })
      .def_property_readonly("linkedid", [](const ChannelHandle& h) { return h.channel()->linkedid(); })
      .def_property_readonly("state", [](const ChannelHandle& h) { return h.channel()->state(); })
      .def_property_readonly("caller", [](const ChannelHandle& h) {
        auto c = h.channel()->caller();
        return std::make_pair(c.name, c.number);
      })
      .def_property_readonly("snapshot", [](const ChannelHandle& h) {
        auto s = h.channel()->snapshot();
        py::dict d;
        d["context"] = s.context;
        d["exten"] = s.exten;
        d["priority"] = s.priority;
        d["language"] = s.language;
        d["accountcode"] = s.accountcode;
        d["application"] = s.application;
        d["data"] = s.data;
        d["bridge_id"] = s.bridge_id;
        return d;
      })
      .def_property_readonly("gone", &ChannelHandle::gone)
      .def("answer", &ChannelHandle::answer)
      .def("hangup", &ChannelHandle::hangup, py::arg("cause"))
      .def("play", &ChannelHandle::play, py::arg("prompts"), py::arg("interrupt"))
      .def("read_digits", &ChannelHandle::read_digits, py::arg("count"), py::arg("timeout"), py::arg("terminators"))
      .def("get_variable", &ChannelHandle::get_variable, py::arg("name"))
      .def("set_variable", &ChannelHandle::set_variable, py::arg("name"), py::arg("value"))
      .def("variables", [](const ChannelHandle& h) {
        std::vector<std::pair<std::string, std::string>> out;
        {
          EngineCall released;
          for (auto& v : h.channel()->variables()) out.emplace_back(v.name, v.value);
        }
        return out;
      });

  py::class_<EngineHost, std::shared_ptr<EngineHost>>(m, "_EngineHost")
      .def(py::init([](std::optional<std::filesystem::path> config_dir, std::optional<unsigned> threads,
                       std::filesystem::path state_dir, std::optional<std::filesystem::path> sounds_dir,
                       std::string system_name, double function_timeout) {
             HostOptions o;
             o.config_dir = std::move(config_dir);
             o.threads = threads;
             o.state_dir = std::move(state_dir);
             o.sounds_dir = std::move(sounds_dir);
             o.system_name = std::move(system_name);
             o.function_timeout = std::chrono::milliseconds(static_cast<long long>(function_timeout * 1000));
             return EngineHost::create(std::move(o));
           }),
           py::arg("config_dir"), py::arg("threads"), py::arg("state_dir"), py::arg("sounds_dir"),
           py::arg("system_name"), py::arg("function_timeout"))
      .def("start", &EngineHost::start, py::call_guard<py::gil_scoped_release>())
      .def(
          "stop", [](EngineHost& h, double grace) { h.stop(std::chrono::milliseconds(static_cast<long long>(grace * 1000))); },
          py::arg("grace"), py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("running", &EngineHost::running)
      .def_property_readonly("stopped", &EngineHost::stopped)
      .def_property_readonly("workers", &EngineHost::workers)
      .def("set_app_inbox", &EngineHost::set_app_inbox)
      .def("set_dispatcher", &EngineHost::set_dispatcher)
      .def("log", [](EngineHost& h, int level, const std::string& text) {
        EngineCall released;
        h.log(static_cast<LogLevel>(level), text);
      })
      .def_property_readonly("dirs", [](EngineHost& h) {
        const auto& d = h.engine().options().dirs;
        py::dict out;
        out["config"] = d.config;
        out["spool"] = d.spool;
        out["sounds"] = d.sounds;
        out["run"] = d.run;
        out["db"] = d.db;
        out["log"] = d.log;
        out["recordings"] = d.recordings;
        return out;
      })
      .def("load_dialplan_file",
           [](EngineHost& h, const std::filesystem::path& file) {
             Result<std::shared_ptr<const dialplan::Dialplan>, Errors> plan = Unexpected<Errors>{Errors{}};
             {
               EngineCall released;
               plan = dialplan::load_dialplan_file(file, {.config_dir = file.parent_path()});
             }
             install_plan(h, plan);
           })
      .def("load_dialplan_text",
           [](EngineHost& h, const std::string& text, const std::string& name) {
             Result<std::shared_ptr<const dialplan::Dialplan>, Errors> plan = Unexpected<Errors>{Errors{}};
             {
               EngineCall released;
               plan = dialplan::load_dialplan_string(text, name);
             }
             install_plan(h, plan);
           })
      .def("install_dialplan",
           [](EngineHost& h, std::shared_ptr<dialplan::Dialplan> plan) {
             install_plan(h, Result<std::shared_ptr<const dialplan::Dialplan>, Errors>(std::move(plan)));
           })
      .def("register_application",
           [](EngineHost& h, const std::string& name, bool coroutine, std::string synopsis, std::string description) {
             Documentation doc;
             doc.synopsis = std::move(synopsis);
             doc.description = std::move(description);
             doc.syntax = name + "([args])";
             EngineCall released;
             register_python_application(h, name, coroutine, std::move(doc));
           })
      .def("register_function",
           [](EngineHost& h, const std::string& name, bool readable, bool writable, std::string synopsis,
              std::string description) {
             Documentation doc;
             doc.synopsis = std::move(synopsis);
             doc.description = std::move(description);
             doc.syntax = name + "([args])";
             EngineCall released;
             register_python_function(h, name, readable, writable, std::move(doc));
           })
      .def("originate",
           [](EngineHost& h, const std::string& channel, std::optional<std::string> application, std::string data,
              std::optional<std::string> context, std::optional<std::string> exten, int priority, double timeout,
              std::vector<std::pair<std::string, std::string>> variables, std::optional<std::string> caller_id,
              std::string account, std::string channel_id) {
             auto req = make_request(channel, application, data, context, exten, priority, timeout, variables,
                                     caller_id, account, channel_id);
             Result<void> valid;
             {
               EngineCall released;
               valid = validate_originate(h.engine(), req);
             }
             if (!valid) raise_error(exception_types().originate, valid.error().to_string());
             auto op = h.track(std::make_shared<Operation>());
             if (op->done()) return op;
             EngineCall released;
             EngineHost* host = &h;
             originate(h.engine(), std::move(req), [op, host](const OriginateResult& r) {
               op->complete([r] { return py::cast(r); });
               host->untrack(op.get());
             });
             return op;
           })
      .def("channels",
           [](const std::shared_ptr<EngineHost>& h) {
             std::vector<Channel::Ptr> chans;
             {
               EngineCall released;
               chans = h->engine().channels();
             }
             std::vector<ChannelHandle> out;
             for (auto& c : chans) out.emplace_back(h, c);
             return out;
           })
      .def("find_channel",
           [](const std::shared_ptr<EngineHost>& h, const std::string& name) -> std::optional<ChannelHandle> {
             Channel::Ptr c;
             {
               EngineCall released;
               c = h->engine().find_channel(name);
             }
             if (!c) return std::nullopt;
             return ChannelHandle(h, c);
           })
      .def("subscribe", &subscribe, py::arg("types"), py::arg("capacity"))
      .def("command",
           [](EngineHost& h, const std::string& line) {
             EngineCall released;
             auto r = h.engine().commands().execute(line);
             return std::make_pair(r.status, r.output);
           })
      .def("user_event",
           [](EngineHost& h, const std::string& name, std::optional<ChannelHandle> chan,
              std::vector<std::pair<std::string, std::string>> headers) {
             EngineCall released;
             UserEventRaised ev;
             ev.name = name;
             if (chan) ev.channel = chan->channel()->snapshot();
             ev.headers = std::move(headers);
             h.engine().events().emit(std::move(ev));
           })
      // Benchmarks and tests: `count` UserEvents (`UserEvent: name`, `N: i`) published from an
      // engine thread in a tight loop — an event source as fast as the bus itself.
      .def("_emit_user_events",
           [](EngineHost& h, const std::string& name, std::size_t count) {
             EngineCall released;
             Engine* engine = &h.engine();
             boost::asio::post(engine->io(), [engine, name, count] {
               for (std::size_t i = 0; i < count; ++i) {
                 UserEventRaised ev;
                 ev.name = name;
                 ev.headers.emplace_back("N", std::to_string(i));
                 engine->events().emit(std::move(ev));
               }
             });
           })
      .def("get_global",
           [](EngineHost& h, const std::string& name) -> std::optional<std::string> {
             EngineCall released;
             auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(h.engine().pbx());
             return pbx ? pbx->globals().get(name) : std::nullopt;
           })
      .def("set_global",
           [](EngineHost& h, const std::string& name, const std::string& value) {
             EngineCall released;
             dialplan::install_dialplan(h.engine())->globals().set(name, value);
           })
      .def_property_readonly("ami_port",
                             [](EngineHost& h) -> std::optional<int> {
                               auto mod = std::dynamic_pointer_cast<manager::ManagerModule>(h.engine().module("manager"));
                               if (!mod || !mod->server()) return std::nullopt;
                               return static_cast<int>(mod->port());
                             })
      .def_property_readonly("channel_count", [](EngineHost& h) { return h.engine().channel_count(); })
      .def_property_readonly("published_events", [](EngineHost& h) { return h.engine().events().published(); });
}

}  // namespace telephony::python
