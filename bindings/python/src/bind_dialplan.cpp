// Bindings of the typed dialplan builder (telephony/dialplan/dialplan.hpp). telephony.dialplan
// (Python) puts the fluent context/extension API on top.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "errors.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/dialplan.hpp"
#include "telephony/dialplan/module.hpp"

namespace telephony::python {

namespace {
void check(const Result<void>& r) {
  if (!r) raise_error(PyExc_ValueError, r.error().to_string());
}

// The builder is single-use (build() freezes it); the Python object keeps it until then.
struct BuilderBox {
  std::optional<dialplan::DialplanBuilder> builder = dialplan::DialplanBuilder();
  dialplan::DialplanBuilder& get() {
    if (!builder) raise_error(PyExc_RuntimeError, "this DialplanBuilder was already built");
    return *builder;
  }
};
}  // namespace

void bind_dialplan(py::module_& m) {
  m.def("_split_args", [](const std::string& data) { return dialplan::split_args(data); }, py::arg("data"));
  py::class_<dialplan::Dialplan, std::shared_ptr<dialplan::Dialplan>>(m, "_Dialplan")
      .def_property_readonly("contexts",
                             [](const dialplan::Dialplan& d) {
                               std::vector<std::string> names;
                               for (const auto& c : d.contexts()) names.push_back(c.name);
                               return names;
                             })
      .def("exists",
           [](const dialplan::Dialplan& d, const std::string& context, const std::string& exten, int priority,
              const std::string& caller) { return d.exists(context, exten, priority, caller); },
           py::arg("context"), py::arg("exten"), py::arg("priority") = 1, py::arg("caller") = "")
      .def(
          "show",
          [](const dialplan::Dialplan& d, const std::string& what) {
            auto r = dialplan::render_dialplan(d, what);
            if (!r) raise_error(PyExc_KeyError, r.error().message);
            return *r;
          },
          py::arg("what") = "")
      .def_property_readonly("warnings", [](const dialplan::Dialplan& d) {
        std::vector<std::string> out;
        for (const auto& w : d.warnings()) out.push_back(w.to_string());
        return out;
      });

  py::class_<BuilderBox>(m, "_DialplanBuilder")
      .def(py::init<>())
      .def("add_context", [](BuilderBox& b, const std::string& name) { b.get().add_context(name); })
      .def(
          "add_priority",
          [](BuilderBox& b, const std::string& context, const std::string& exten, int number, const std::string& app,
             const std::string& data, const std::string& label) {
            dialplan::Priority p;
            p.number = number;
            p.app = app;
            p.data = data;
            p.label = label;
            check(b.get().add_priority(context, exten, std::move(p)));
          },
          py::arg("context"), py::arg("exten"), py::arg("number"), py::arg("app"), py::arg("data") = "",
          py::arg("label") = "")
      .def("add_hint",
           [](BuilderBox& b, const std::string& context, const std::string& exten, const std::string& hint) {
             check(b.get().add_hint(context, exten, hint));
           })
      .def("add_include", [](BuilderBox& b, const std::string& context,
                             const std::string& spec) { check(b.get().add_include(context, spec)); })
      .def("add_ignore_pattern",
           [](BuilderBox& b, const std::string& context, const std::string& p) { b.get().add_ignore_pattern(context, p); })
      .def("set_global",
           [](BuilderBox& b, const std::string& name, const std::string& value) { b.get().set_global(name, value); })
      .def("set_autofallthrough", [](BuilderBox& b, bool on) { b.get().general().autofallthrough = on; })
      .def("set_clearglobalvars", [](BuilderBox& b, bool on) { b.get().general().clearglobalvars = on; })
      .def("last_priority", [](BuilderBox& b, const std::string& context,
                               const std::string& exten) { return b.get().last_priority(context, exten); })
      .def("build", [](BuilderBox& b) {
        auto plan = b.get().build();
        b.builder.reset();
        return std::const_pointer_cast<dialplan::Dialplan>(plan);
      });
}

}  // namespace telephony::python
