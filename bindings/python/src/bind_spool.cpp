// Binding of the call-file parser (telephony/spool/call_file.hpp): telephony.spool.CallFile.parse
// reads files with the same rules as the spooler that dials them.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "errors.hpp"
#include "telephony/spool/call_file.hpp"

namespace telephony::python {

void bind_spool(py::module_& m) {
  m.def(
      "_parse_call_file",
      [](const std::string& text, const std::string& name) {
        auto r = spool::parse_call_file(text, name);
        if (!r) raise_config_error(Errors{{r.error()}});
        const auto& f = *r;
        py::dict d;
        d["channel"] = f.channel;
        d["caller_id"] = f.callerid;
        d["max_retries"] = f.max_retries;
        d["retry_time"] = f.retry_time;
        d["wait_time"] = f.wait_time;
        d["account"] = f.account;
        d["context"] = f.context;
        d["extension"] = f.extension;
        d["priority"] = f.priority_label.empty() ? py::object(py::int_(f.priority)) : py::object(py::str(f.priority_label));
        d["variables"] = f.variables;
        d["application"] = f.application;
        d["data"] = f.data;
        d["always_delete"] = f.always_delete;
        d["archive"] = f.archive;
        d["codecs"] = f.codecs;
        d["early_media"] = f.early_media;
        d["attempts"] = f.attempts;
        d["status"] = f.status;
        std::vector<std::string> warnings;
        for (const auto& w : f.warnings) warnings.push_back(w.to_string());
        d["warnings"] = warnings;
        return d;
      },
      py::arg("text"), py::arg("name"));
}

}  // namespace telephony::python
