"""Detect answer cells that use ``nnscratch`` instead of the learner's own code.

The check is static (on the cell's source, after IPython's magics are translated to
Python) and flags:

- ``import nnscratch`` / ``import nnscratch.x as y`` / ``from nnscratch... import``;
- the bare name ``nnscratch`` (e.g. a module the setup cell imported);
- a string that names the package as a module, ``"nnscratch"`` or ``"nnscratch.x"``
  (``importlib.import_module``, ``__import__``, ``sys.modules[...]``), or that contains
  an import statement of it (``exec("from nnscratch import ...")``).

A cell that does not parse is checked line by line for import statements instead.
"""

from __future__ import annotations

import ast
import re

PACKAGE = "nnscratch"
_MODULE_STRING = re.compile(rf"\s*{PACKAGE}(\.\w+)*\s*")
_IMPORT_TEXT = re.compile(rf"(^|[\s;:(])(import|from)\s+{PACKAGE}\b", re.MULTILINE)


def uses_nnscratch(source: str) -> bool:
    """True when the code in ``source`` imports or refers to the nnscratch package."""
    try:
        tree = ast.parse(_as_python(source))
    except (SyntaxError, ValueError):
        return bool(_IMPORT_TEXT.search(source))
    return any(_refers_to_package(node) for node in ast.walk(tree))


def _refers_to_package(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(_is_package(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _is_package(node.module or "")
    if isinstance(node, ast.Name):
        return node.id == PACKAGE
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_MODULE_STRING.fullmatch(node.value) or _IMPORT_TEXT.search(node.value))
    return False


def _is_package(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def _as_python(source: str) -> str:
    """``source`` with IPython syntax (``%magic``, ``!cmd``) translated to Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return source
    return TransformerManager().transform_cell(source)
