"""Work around duplicated inline ``<script>`` blocks in Sphinx 7.4 HTML pages.

Extensions that call ``app.add_js_file(None, body=...)`` after the builder is set up
(sphinx-togglebutton, sphinx-thebe) get their script twice in every page: Sphinx 7.4
stores it once as ``filename=None`` and again as ``filename=''`` when it re-adds the
registry's assets before writing. The second ``const THEBE_JS_URL = ...`` is then a
console error ("Identifier has already been declared"). Normalising ``None`` to ``''``
before writing lets Sphinx's own duplicate check drop the copy.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.builders.html._assets import _JavaScript


def normalise_inline_scripts(app: Sphinx, builder: Builder) -> None:
    js_files = getattr(builder, "_js_files", None)
    if js_files is None:
        return
    normalised: list[_JavaScript] = []
    for js in js_files:
        if js.filename is None:
            js = _JavaScript("", priority=js.priority, **js.attributes)
        if js not in normalised:
            normalised.append(js)
    js_files[:] = normalised


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("write-started", normalise_inline_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
