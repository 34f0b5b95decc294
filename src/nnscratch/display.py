"""Show the library's own source in a notebook, so the book never drifts from the code."""

from __future__ import annotations

import inspect


def show_source(*objects):
    """Syntax-highlighted source of functions, classes or modules (IPython ``Code``).

    In a notebook the returned object renders as highlighted code; elsewhere its
    ``str()`` is the plain source.
    """
    from IPython.display import Code

    if not objects:
        raise ValueError("show_source needs at least one function, class or module")
    text = "\n\n".join(inspect.getsource(obj).rstrip() for obj in objects)
    return Code(text + "\n", language="python")
