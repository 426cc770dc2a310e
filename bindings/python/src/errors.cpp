#include "errors.hpp"

namespace telephony::python {

ExceptionTypes& exception_types() {
  static ExceptionTypes types;
  return types;
}

namespace {
PyObject* define(py::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string qualified = std::string("telephony.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (PyTuple_Check(bases)) Py_DECREF(bases);
  if (!type) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;
}

// A new reference to a tuple of the given types (released by define()).
PyObject* bases(std::initializer_list<PyObject*> types) {
  PyObject* tuple = PyTuple_New(static_cast<Py_ssize_t>(types.size()));
  Py_ssize_t i = 0;
  for (PyObject* t : types) {
    Py_INCREF(t);
    PyTuple_SET_ITEM(tuple, i++, t);
  }
  return tuple;
}
}  // namespace

void define_exceptions(py::module_& m) {
  auto& t = exception_types();
  t.error = define(m, "Error", PyExc_Exception, "Base class of every error the telephony module raises.");
  t.hangup = define(m, "HangupError", t.error,
                    "The channel was hung up while the operation ran (or its dialplan application was "
                    "abandoned). An application that lets it propagate ends quietly.");
  t.engine_stopped = define(m, "EngineStoppedError", t.error, "The engine stopped while the operation was pending.");
  t.config = define(m, "ConfigError", bases({t.error, PyExc_ValueError}),
                    "A configuration or dialplan was rejected. .errors lists every problem as "
                    "'file:line: message'.");
  t.prompt_not_found = define(m, "PromptNotFound", bases({t.error, PyExc_FileNotFoundError}),
                              "No sound file exists for the prompt in the channel's language.");
  t.originate = define(m, "OriginateError", bases({t.error, PyExc_ValueError}),
                       "An originate request was refused before any channel was created.");
  t.ami = define(m, "AMIError", t.error, "An AMI connection, login or protocol failure.");
}

void raise_error(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

void raise_config_error(const Errors& errors) {
  py::list items;
  for (const auto& e : errors.items) items.append(e.to_string());
  py::object exc = py::reinterpret_borrow<py::object>(exception_types().config)(errors.to_string());
  exc.attr("errors") = items;
  PyErr_SetObject(exception_types().config, exc.ptr());
  throw py::error_already_set();
}

}  // namespace telephony::python
