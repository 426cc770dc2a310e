// The native half of the `telephony` package; the Python half (telephony/*.py) builds the public
// classes on it. Everything here releases the GIL while engine code runs (see inbox.hpp).
#include "bindings.hpp"
#include "errors.hpp"
#include "telephony/version.hpp"

PYBIND11_MODULE(_telephony, m) {
  namespace tp = telephony::python;
  m.doc() = "Native core of the telephony package (libtelephony bindings). Use the telephony package.";
  m.attr("library_version") = std::string(telephony::library_version());
  tp::define_exceptions(m);
  tp::bind_runtime(m);
  tp::bind_engine(m);
  tp::bind_dialplan(m);
  tp::bind_ami(m);
  tp::bind_spool(m);
}
