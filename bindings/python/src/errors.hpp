// The exceptions the `telephony` module raises, created once at import (module.cpp) and used by
// every binding file. Hierarchy (Python names):
//   telephony.Error(Exception)
//     HangupError          — the channel was hung up (or its application was abandoned)
//     EngineStoppedError   — the engine stopped while the operation was pending
//     ConfigError(ValueError)       — .errors: every problem as "file:line: message"
//     PromptNotFound(FileNotFoundError)
//     OriginateError(ValueError)    — the request was refused before any channel existed
//     AMIError             — telephony.ami: connection, login or protocol failure
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "telephony/result.hpp"

namespace telephony::python {

namespace py = pybind11;

struct ExceptionTypes {
  PyObject* error = nullptr;
  PyObject* hangup = nullptr;
  PyObject* engine_stopped = nullptr;
  PyObject* config = nullptr;
  PyObject* prompt_not_found = nullptr;
  PyObject* originate = nullptr;
  PyObject* ami = nullptr;
};

ExceptionTypes& exception_types();
void define_exceptions(py::module_& m);

// Sets the Python error and throws py::error_already_set. GIL held.
[[noreturn]] void raise_error(PyObject* type, const std::string& message);
// ConfigError with every error as "where: message" in .errors and all of them in the message.
[[noreturn]] void raise_config_error(const Errors& errors);

}  // namespace telephony::python
