"""Challenge notebooks: exercise generation, self-checks and class grading with nbval.

Modules, in the order a grading run uses them:

- ``roles``: cell roles (setup/answer/check/hidden), check metadata and the SEED line;
- ``notebooks``: reading notebooks with nbformat, the text of cell outputs;
- ``selfcheck``: comparing a check's output with the expected one (also copied into
  every exercise for the in-notebook verdict);
- ``exercises``: solution regions -> stubs, the self-check cell; exercises/ from solutions/;
- ``submissions``: ``SUBMISSIONS/<student>/<exercise>.ipynb`` discovery;
- ``assemble``: the notebooks to run (reference, submission, self-check), nnscratch use;
- ``sandbox``, ``kernel_launcher``: the bubblewrap sandbox and limits of every kernel;
- ``runner``, ``plugin``: one pytest/nbval/xdist run, per-cell records, nbval patches;
- ``results``: records and reference outputs -> points, problems, notes;
- ``gradebook``: gradebook.csv, gradebook.md, feedback/<student>.md;
- ``grade``: ``grade_class`` and ``check_notebook``, used by ``nnscratch.cli``.
"""
