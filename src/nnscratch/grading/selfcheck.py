"""Self-check: compare what a check prints with its expected output, number by number.

The grader and the exercise notebooks use this same code. ``nnscratch exercises`` copies
this file into a cell of every exercise, so a learner sees a PASS/FAIL verdict under each
check in plain Jupyter, Colab or Binder without the course package. The file therefore
uses the standard library only.

Two outputs are the same when their words and punctuation are equal (spacing is ignored)
and every number is close to the expected one: ``|actual - expected| <= rtol * scale``,
where ``scale`` is the largest magnitude of the expected numbers inside the same
``[...]`` (a printed array), or the expected number itself outside brackets. ``nan``
matches only ``nan``; ``inf`` only ``inf`` of the same sign.
"""

import math
import re

RTOL = 1e-6
_TOKEN = re.compile(r"""
    (?P<number>(?<![\w.])[-+]?(?:nan|inf|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?![\w.]))
  | (?P<text>\w+|\S)
  | (?P<newline>\n)
""", re.VERBOSE)


def tokens(text: str) -> list[tuple[str, str, int, float]]:
    """(kind, text, line, scale) of each word, symbol and number of ``text``.

    ``kind`` is ``"number"`` or ``"text"``; ``scale`` (numbers only) is the largest
    magnitude among the numbers of the outermost ``[...]`` group holding the number.
    """
    found: list[tuple[str, str, int, float]] = []
    line, depth, group = 1, 0, []
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "newline":
            line += 1
            continue
        if kind == "number":
            found.append(("number", value, line, abs(float(value))))
            if depth:
                group.append(len(found) - 1)
            continue
        found.append(("text", value, line, 0.0))
        if value == "[":
            depth += 1
        elif value == "]" and depth:
            depth -= 1
            if depth == 0:
                _share_scale(found, group)
                group = []
    _share_scale(found, group)
    return found


def _share_scale(found: list, group: list[int]) -> None:
    finite = [found[i][3] for i in group if math.isfinite(found[i][3])]
    scale = max(finite, default=0.0)
    for i in group:
        kind, value, line, own = found[i]
        found[i] = (kind, value, line, max(own, scale) if math.isfinite(own) else own)


def _close(expected: str, actual: str, scale: float, rtol: float) -> bool:
    e, a = float(expected), float(actual)
    if math.isnan(e) or math.isnan(a) or math.isinf(e) or math.isinf(a):
        return (math.isnan(e) and math.isnan(a)) or e == a
    return abs(a - e) <= rtol * scale


def compare_outputs(expected: str, actual: str, rtol: float = RTOL) -> str | None:
    """None when ``actual`` matches ``expected``, else the first difference, in words."""
    want, got = tokens(expected), tokens(actual)
    for index, (kind, value, line, scale) in enumerate(want):
        if index >= len(got):
            return f"line {line}: expected {_show(kind, value)}, got the end of the output"
        other_kind, other, _, _ = got[index]
        same = (other_kind == kind == "number" and _close(value, other, scale, rtol)) or \
            (other_kind == kind == "text" and other == value)
        if not same:
            return f"line {line}: expected {_show(kind, value)}, got {_show(other_kind, other)}"
    if len(got) > len(want):
        kind, value, line, _ = got[len(want)]
        return f"line {line}: unexpected output {_show(kind, value)}"
    return None


def _show(kind: str, value: str) -> str:
    return value if kind == "number" else repr(value)


def run_code(source: str, namespace: dict, name: str, show=repr) -> None:
    """Run a cell's code in ``namespace``; print its last expression's value as Jupyter
    does (``show`` turns the value into text)."""
    import ast

    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
        if value is not None:
            print(show(value))


def register(expected: dict[str, tuple[float, float, str]]) -> None:
    """Define the ``%%check <id>`` cell magic of an exercise notebook.

    ``expected`` maps each visible check id to ``(points, rtol, expected output)``. The
    magic runs the cell, shows what it prints, then a PASS or FAIL line; a failure
    lists the ``Hint: ...`` lines the check wrote to stderr as probable mistakes.
    """
    import contextlib
    import io
    import sys

    from IPython import get_ipython
    from IPython.core.magic import register_cell_magic

    shell = get_ipython()

    class Tee(io.StringIO):
        """Keeps a copy of what the check prints, and still shows it."""

        def __init__(self, stream):
            super().__init__()
            self.stream = stream

        def write(self, text: str) -> int:
            self.stream.write(text)
            return super().write(text)

    @register_cell_magic("check")
    def check(line: str, cell: str) -> None:
        check_id = line.strip()
        points, rtol, want = expected[check_id]
        captured, errors = Tee(sys.stdout), io.StringIO()
        failure = None
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(errors):
            try:
                run_code(cell, shell.user_ns, f"<{check_id}>",
                         lambda value: shell.display_formatter.format(value)[0]["text/plain"])
            except Exception as error:  # the check raised: show it as Jupyter would
                failure = f"raised {type(error).__name__}: {error}"
                shell.showtraceback()
        hints = [text[len("Hint:"):].strip() for text in errors.getvalue().splitlines()
                 if text.startswith("Hint:")]
        sys.stderr.write("".join(text for text in errors.getvalue().splitlines(keepends=True)
                                 if not text.startswith("Hint:")))
        failure = failure or compare_outputs(want, captured.getvalue(), rtol)
        if failure is None:
            print(f"PASS {check_id}: {points:g}/{points:g} points")
            return
        print(f"FAIL {check_id}: 0/{points:g} points; {failure}")
        for hint in hints:
            print(f"     probable mistake: {hint}")
