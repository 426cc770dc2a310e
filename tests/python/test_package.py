"""The package as shipped: every public name of the type stubs exists at run time with the
parameters the stubs give it, and help() texts say what things do."""
import ast
import inspect
import os
import pydoc
import unittest

import telephony

PKG = os.path.dirname(telephony.__file__)


def stub_defs(stub_path):
    """{qualified name: [parameter names]} of the functions and methods in a .pyi file."""
    with open(stub_path) as f:
        tree = ast.parse(f.read())
    out = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                out[prefix + node.name] = None
                visit(node.body, prefix + node.name + ".")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                names = [x.arg for x in a.posonlyargs + a.args]
                if a.vararg:
                    names.append("*" + a.vararg.arg)
                names += [x.arg for x in a.kwonlyargs]
                if a.kwarg:
                    names.append("**" + a.kwarg.arg)
                decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in node.decorator_list}
                if "classmethod" in decorators:
                    names = names[1:]
                out[prefix + node.name] = None if "property" in decorators or "overload" in decorators else names
    visit(tree.body, "")
    return out


def runtime_params(obj):
    sig = inspect.signature(obj)
    names = []
    for p in sig.parameters.values():
        prefix = "*" if p.kind == p.VAR_POSITIONAL else "**" if p.kind == p.VAR_KEYWORD else ""
        names.append(prefix + p.name)
    return names


class Stubs(unittest.TestCase):
    def check(self, stub, module):
        self.assertTrue(os.path.exists(os.path.join(PKG, stub)), f"{stub} is not shipped")
        for name, params in stub_defs(os.path.join(PKG, stub)).items():
            obj = module
            for part in name.split("."):
                self.assertTrue(hasattr(obj, part), f"{stub}: {name} does not exist at run time")
                obj = getattr(obj, part)
            if params is None or not (inspect.isfunction(obj) or inspect.ismethod(obj)):
                continue
            self.assertEqual(runtime_params(obj), params, f"{stub}: {name} parameters differ")

    def test_stubs_match_the_package(self):
        self.check("__init__.pyi", telephony)
        self.check("ami.pyi", telephony.ami)
        self.check("dialplan.pyi", telephony.dialplan)
        self.check("spool.pyi", telephony.spool)
        self.assertTrue(os.path.exists(os.path.join(PKG, "py.typed")))

    def test_help_texts(self):
        text = pydoc.render_doc(telephony.Engine, renderer=pydoc.plaintext)
        for needle in ("register_application", "coroutine", "aevents", "load_dialplan", "Ctrl-C"):
            self.assertIn(needle, text)
        for cls in (telephony.Channel, telephony.Event, telephony.OriginateResult, telephony.ami.Client,
                    telephony.dialplan.DialplanBuilder, telephony.spool.CallFile):
            self.assertTrue(cls.__doc__ and len(cls.__doc__) > 40, cls)
        for name in ("answer", "hangup", "play", "read_digits", "get_variable", "set_variable"):
            self.assertTrue(getattr(telephony.Channel, name).__doc__, name)

    def test_version(self):
        self.assertRegex(telephony.__version__, r"^\d+\.\d+\.\d+")


if __name__ == "__main__":
    unittest.main()
