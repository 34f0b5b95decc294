"""Test classes of the challenges, one module per challenge (``NN_topic.py``).

Each module defines two mappings, graded by ``tests/test_challenges.py``:

- ``CORRECT``: name -> ``{answer cell id: source}``, answers that are correct by the
  statement in another form than the solution (loops, another stable formula, other
  cache contents); each must get full marks and no hint;
- ``BUGGY``: name -> ``({answer cell id: source}, phrase)``, answers with one classic
  bug; each must lose points, and its hint should contain ``phrase``.

Answer cells not named keep the solution's code.
"""
