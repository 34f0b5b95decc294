"""Challenge notebooks: exercise generation, self-checks and class grading with nbval.

Modules, in the order a grading run uses them:

- ``roles``: cell roles (setup/answer/check/hidden) and check metadata;
- ``notebooks``: reading notebooks with nbformat, clearing outputs;
- ``exercises``: solution regions -> ``NotImplementedError`` stubs; exercises/ from solutions/;
- ``imports``: does an answer cell use ``nnscratch``?
- ``submissions``: ``SUBMISSIONS/<student>/<exercise>.ipynb`` discovery;
- ``assemble``: the graded notebook (solution + the learner's answer cells);
- ``sanitize``, ``kernel_launcher``: nbval's sanitizer and the limited grading kernel;
- ``runner``, ``pytest_plugin``, ``nbval_patches``: one pytest/nbval/xdist run, per-cell records;
- ``results``: records -> points, problems, notes;
- ``gradebook``: gradebook.csv, gradebook.md, feedback/<student>.md;
- ``grade``: ``grade_class`` and ``check_notebook``, used by ``nnscratch.cli``.
"""
