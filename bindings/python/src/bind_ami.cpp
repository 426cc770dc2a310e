// Bindings of the AMI codec (ami::Message, ami::Parser, ami::Writer) and of the client
// connection behind telephony.ami.Client.
#include <pybind11/stl.h>

#include "ami_connection.hpp"
#include "bindings.hpp"
#include "errors.hpp"
#include "event_stream.hpp"
#include "telephony/manager/parser.hpp"
#include "telephony/manager/writer.hpp"

namespace telephony::python {

void bind_ami(py::module_& m) {
  py::class_<ami::Message>(m, "Message",
                           "One AMI message (action, response or event): headers in wire order, keys may repeat, "
                           "lookups are case-insensitive.")
      .def(py::init<>())
      .def(py::init([](const std::vector<std::pair<std::string, std::string>>& headers) {
             ami::Message msg;
             for (const auto& [k, v] : headers) msg.add(k, v);
             return msg;
           }),
           py::arg("headers"))
      .def(
          "add", [](ami::Message& self, const std::string& k, const std::string& v) -> ami::Message& { return self.add(k, v); },
          py::arg("key"), py::arg("value"), py::return_value_policy::reference_internal,
          "Appends a header (keeps earlier ones of the same key).")
      .def(
          "set", [](ami::Message& self, const std::string& k, const std::string& v) -> ami::Message& { return self.set(k, v); },
          py::arg("key"), py::arg("value"), py::return_value_policy::reference_internal)
      .def("remove", [](ami::Message& self, const std::string& k) { return self.remove(k); })
      .def(
          "get",
          [](const ami::Message& self, const std::string& key, py::object fallback) {
            py::object v = header_value(self, key);
            return v.is_none() ? fallback : v;
          },
          py::arg("key"), py::arg("default") = py::none(),
          "The value of `key` (a list when it repeats), or default.")
      .def("get_all",
           [](const ami::Message& self, const std::string& key) {
             std::vector<std::string> out;
             for (auto v : self.get_all(key)) out.emplace_back(v);
             return out;
           })
      .def("__getitem__",
           [](const ami::Message& self, const std::string& key) {
             py::object v = header_value(self, key);
             if (v.is_none()) throw py::key_error(key);
             return v;
           })
      .def("__contains__", [](const ami::Message& self, const std::string& key) { return self.has(key); })
      .def("__len__", &ami::Message::size)
      .def("__eq__", [](const ami::Message& a, const ami::Message& b) { return a == b; })
      .def_property_readonly("headers",
                             [](const ami::Message& self) {
                               std::vector<std::pair<std::string, std::string>> out;
                               for (const auto& h : self.headers()) out.emplace_back(h.key, h.value);
                               return out;
                             })
      .def("to_dict", [](const ami::Message& self) { return headers_dict(self); })
      .def_property_readonly("is_response", &ami::Message::is_response)
      .def_property_readonly("is_event", &ami::Message::is_event)
      .def_property_readonly("action", [](const ami::Message& s) { return std::string(s.action()); })
      .def_property_readonly("event", [](const ami::Message& s) { return std::string(s.event()); })
      .def_property_readonly("response", [](const ami::Message& s) { return std::string(s.response()); })
      .def_property_readonly("action_id", [](const ami::Message& s) { return std::string(s.action_id()); })
      .def_property_readonly("ok", [](const ami::Message& s) { return ami::iequals(s.response(), "Success"); },
                             "True for `Response: Success`.")
      .def("encode", [](const ami::Message& s) { return py::bytes(ami::Writer::to_string(s)); },
           "The message on the wire: CRLF lines and the blank line that ends it.")
      .def("__repr__", [](const ami::Message& s) {
        std::string out = "<ami.Message";
        for (const auto& h : s.headers()) {
          out += " " + std::string(h.key) + "=" + std::string(h.value);
          if (out.size() > 200) {
            out += " ...";
            break;
          }
        }
        return out + ">";
      });

  py::class_<ami::Parser>(m, "Parser",
                          "Incremental AMI framing: feed() bytes as they arrive, messages() returns the complete "
                          "ones. A rejected message raises AMIError with Asterisk's text and the byte offset.")
      .def(py::init([](bool client) {
             ami::ParserLimits l;
             if (client) {
               l.command_follows = true;
               l.max_headers = 4096;
               l.max_line = 64 * 1024;
             }
             return ami::Parser(l);
           }),
           py::arg("client") = true)
      .def("feed", [](ami::Parser& p, const py::bytes& data) {
        const std::string bytes = data;
        p.feed(bytes);
      })
      .def("messages", [](ami::Parser& p) {
        std::vector<ami::Message> out;
        while (auto r = p.next()) {
          if (!*r) raise_error(exception_types().ami, r->error().to_string());
          out.push_back(std::move(**r));
        }
        return out;
      });

  py::class_<AmiConnection>(m, "_AmiConnection")
      .def(py::init<std::string, std::uint16_t, double, std::size_t>(), py::arg("host"), py::arg("port"),
           py::arg("timeout"), py::arg("event_capacity"))
      .def("connect", &AmiConnection::connect)
      .def("login", &AmiConnection::login, py::arg("user"), py::arg("secret"), py::arg("events"), py::arg("md5"))
      .def("send", &AmiConnection::send)
      .def("send_list", &AmiConnection::send_list)
      .def("close", &AmiConnection::close)
      .def_property_readonly("is_open", &AmiConnection::is_open)
      .def_property_readonly("banner", &AmiConnection::banner)
      .def_property_readonly("events", &AmiConnection::events)
      .def_property_readonly("host", &AmiConnection::host)
      .def_property_readonly("port", &AmiConnection::port);
}

}  // namespace telephony::python
