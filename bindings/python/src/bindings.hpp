// The pieces of the `telephony._telephony` extension module, one function per binding file.
#pragma once

#include <pybind11/pybind11.h>

namespace telephony::python {

namespace py = pybind11;

void bind_runtime(py::module_& m);   // Inbox, Operation, AppCall, FunctionCall, Event, EventStream
void bind_engine(py::module_& m);    // EngineHost, ChannelHandle, originate, enums
void bind_dialplan(py::module_& m);  // DialplanBuilder, Dialplan
void bind_ami(py::module_& m);       // Message, Parser, AmiConnection
void bind_spool(py::module_& m);     // call-file parsing

}  // namespace telephony::python
