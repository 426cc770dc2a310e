// Bindings of the Python boundary: inboxes, operations, application and function calls, events.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "channel_handle.hpp"
#include "event_stream.hpp"
#include "inbox.hpp"
#include "python_apps.hpp"

namespace telephony::python {

namespace {
std::optional<std::chrono::milliseconds> to_ms(std::optional<double> seconds) {
  if (!seconds) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
}
}  // namespace

void bind_runtime(py::module_& m) {
  py::class_<InboxItem, std::shared_ptr<InboxItem>>(m, "_InboxItem");

  py::class_<Inbox, std::shared_ptr<Inbox>>(m, "_Inbox", "Work queued by engine threads for Python threads.")
      .def(py::init<>())
      .def(
          "take",
          [](Inbox& self, std::size_t max, std::optional<double> timeout) {
            std::vector<std::shared_ptr<InboxItem>> items;
            {
              py::gil_scoped_release release;
              items = self.take(max, to_ms(timeout));
            }
            // Each item cast as its own type, holder and all (no polymorphic downcast through
            // the base's holder).
            py::list out;
            for (auto& item : items) {
              if (auto a = std::dynamic_pointer_cast<AppCall>(item)) out.append(py::cast(a));
              else if (auto f = std::dynamic_pointer_cast<FunctionCall>(item)) out.append(py::cast(f));
              else if (auto o = std::dynamic_pointer_cast<Operation>(item)) out.append(py::cast(o));
            }
            return out;
          },
          py::arg("max") = 1, py::arg("timeout") = py::none())
      .def("fileno", &Inbox::fileno)
      .def("close", &Inbox::close, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", &Inbox::closed)
      .def_property_readonly("queued", &Inbox::queued)
      .def_property_readonly("waiting", &Inbox::waiting)
      .def(
          "wait_stalled",
          [](Inbox& self, double threshold, double timeout) {
            // Released and re-taken in plain code, not in a destructor: WorkerPool.stop() closes
            // the inbox and joins the supervisor before the interpreter finalises.
            PyThreadState* state = PyEval_SaveThread();
            const bool stalled = self.wait_stalled(
                std::chrono::milliseconds(static_cast<long>(threshold * 1000)),
                std::chrono::milliseconds(static_cast<long>(timeout * 1000)));
            PyEval_RestoreThread(state);
            return stalled;
          },
          py::arg("threshold"), py::arg("timeout"))
      .def("expect_taker", &Inbox::expect_taker, py::call_guard<py::gil_scoped_release>());

  py::class_<Operation, InboxItem, std::shared_ptr<Operation>>(m, "_Operation",
                                                               "The outcome of an engine operation.")
      .def(py::init<>())
      .def("wait", &Operation::wait, "Blocks (GIL released, Ctrl-C honoured) and returns the value.")
      .def("wait_for", &Operation::wait_for, py::arg("seconds"))
      .def("result", &Operation::result)
      .def_property_readonly("done", &Operation::done)
      .def_property_readonly("token", &Operation::token)
      .def("watch", &Operation::watch, py::arg("inbox"), py::arg("token"));

  py::class_<AppCall, InboxItem, std::shared_ptr<AppCall>>(m, "_AppCall")
      .def_property_readonly("id", &AppCall::id)
      .def_property_readonly("application", &AppCall::application)
      .def_property_readonly("data", &AppCall::data)
      .def_property_readonly("coroutine", &AppCall::coroutine)
      .def_property_readonly("abandoned", &AppCall::abandoned)
      .def_property_readonly("finished", &AppCall::finished)
      .def("channel",
           [](const std::shared_ptr<AppCall>& self) -> std::optional<ChannelHandle> {
             auto host = self->host();
             if (!host) return std::nullopt;
             return ChannelHandle(host, self->channel(), self);
           })
      .def("finish", &AppCall::finish, py::arg("hangup"), py::call_guard<py::gil_scoped_release>());

  py::class_<FunctionCall, InboxItem, std::shared_ptr<FunctionCall>>(m, "_FunctionCall")
      .def_property_readonly("name", &FunctionCall::name)
      .def_property_readonly("args", &FunctionCall::args)
      .def_property_readonly("value", &FunctionCall::value)
      .def("channel",
           [](const FunctionCall& self) -> std::optional<ChannelHandle> {
             auto host = self.host();
             if (!host || !self.channel()) return std::nullopt;
             return ChannelHandle(host, self.channel());
           })
      .def("succeed", &FunctionCall::succeed, py::arg("result"))
      .def("fail", &FunctionCall::fail, py::arg("message"));

  py::class_<PyEvent>(m, "Event",
                      "One event: .type is the AMI event name where the event has one (Newchannel, Hangup, "
                      "DialEnd, BridgeEnter, UserEvent ...) else the engine type (EventsLost, "
                      "PlaybackStarted); .fields holds its fields in AMI names (a repeated key maps to a list). "
                      "event['channel'] looks a field up case-insensitively, as AMI does.")
      .def_readonly("type", &PyEvent::type, "AMI event name, or the engine type for events AMI does not send.")
      .def_property_readonly(
          "engine_type",
          [](const PyEvent& e) -> std::optional<std::string> {
            if (e.engine_type.empty()) return std::nullopt;
            return e.engine_type;
          },
          "The engine's event type (ChannelHungUp, BridgeEntered ...); None for events read over AMI.")
      .def_readonly("seq", &PyEvent::seq, "The bus-wide sequence number (engine events); None over AMI.")
      .def_readonly("time", &PyEvent::time, "When the event was published, seconds since the epoch.")
      .def_property_readonly("fields", &PyEvent::fields, "dict of the fields (without Event).")
      .def_property_readonly(
          "headers",
          [](const PyEvent& e) {
            py::list l;
            for (const auto& h : e.message.headers())
              l.append(py::make_tuple(py::str(h.key.data(), h.key.size()), py::str(h.value.data(), h.value.size())));
            return l;
          },
          "Every header as (key, value) in wire order, Event first.")
      .def("get", &PyEvent::get, py::arg("key"), py::arg("default") = py::none(),
           "A field by name (case-insensitive), or default.")
      .def("__getitem__",
           [](const PyEvent& e, const std::string& key) {
             py::object v = e.get(key, py::none());
             if (v.is_none()) throw py::key_error(key);
             return v;
           })
      .def("__contains__", [](const PyEvent& e, const std::string& key) { return e.message.has(key); })
      .def("__repr__", &PyEvent::repr);

  py::class_<EventStream, std::shared_ptr<EventStream>>(m, "_EventStream")
      .def("take", &EventStream::take, py::arg("max") = 1024, py::arg("timeout") = py::none())
      .def("ready", &EventStream::ready)
      .def("close", &EventStream::close, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", &EventStream::closed)
      .def_property_readonly("lost", &EventStream::lost)
      .def_property_readonly("received", &EventStream::received);
}

}  // namespace telephony::python
