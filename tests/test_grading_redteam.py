"""A hostile class, graded once in the sandbox: every attack fails, the class is graded.

Each student is the fixture solution ``01_basics`` (7 points) or ``02_tiny`` (2 points)
with answer cells rewritten by someone who wants the marks, or wants to do harm. The
hostile code knows everything a learner knows: the exercise with its visible expected
outputs, the solutions' code, and (here) even the absolute paths of the other
submissions, the solutions, the output folder and a TCP server listening on this
machine. The tests assert the scores, that no byte outside the grader's scratch folder
changed, that nothing connected anywhere, and that grading ended within its stated bound.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import shutil
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest

from nnscratch.cli import main
from nnscratch.grading.exercises import EXPECTED, make_exercise
from nnscratch.grading.runner import Limits
from nnscratch.grading.sandbox import sandbox_problem

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
TIMEOUT, NOTEBOOK_TIMEOUT, JOBS = 5, 60, 2

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def solution(name: str) -> nbformat.NotebookNode:
    return nbformat.read(FIXTURES / "solutions" / f"{name}.ipynb", as_version=4)


def with_answers(name: str, **sources: str) -> nbformat.NotebookNode:
    """The solution ``name`` with the given answer cells (``answer_relu=...``) replaced."""
    nb = copy.deepcopy(solution(name))
    for cell in nb.cells:
        key = cell.id.replace("-", "_")
        if key in sources:
            cell.source = sources[key]
    return nb


def public_outputs() -> dict[str, str]:
    """Check source -> expected output, as the exercises show them to every learner."""
    found = {}
    for name in ("01_basics", "02_tiny"):
        exercise = make_exercise(solution(name))
        for cell in exercise.cells:
            meta = cell.metadata.get("nnscratch", {})
            if EXPECTED in meta:
                found[cell.source.partition("\n")[2]] = meta[EXPECTED]
    return found


# The forger: answers that compute nothing, files searched for expected outputs, and an
# IPython input transformer that turns every check cell into a print of the output the
# exercise shows (hidden checks: the solution's code is public, so the forger knows it).
FORGER = '''
import glob, json, os, sys
FOUND = []
for pattern in ["*.ipynb", "../*.ipynb", "/scratch/**/*.ipynb", "/tmp/**/*.ipynb",
                "/run/**/*", {roots!r}[0] + "/**/*.ipynb"]:
    FOUND += glob.glob(pattern, recursive=True)
KNOWN = {known!r}
for path in FOUND:  # any notebook with outputs would give the expected text away
    try:
        for cell in json.load(open(path)).get("cells", []):
            text = "".join(o.get("text", "") for o in cell.get("outputs", []))
            if text:
                KNOWN["".join(cell["source"])] = text
    except Exception:
        pass


def forge(lines):
    source = "".join(lines)
    for check, text in KNOWN.items():
        if check.strip() and check.strip() in source:
            return [f"print({{text!r}}, end='')\\n"]
    return lines


get_ipython().input_transformers_cleanup.append(forge)


def relu(x):
    return 0 * x
'''

READER = '''
import os, time
start, seen = time.monotonic(), []
for folder, dirs, files in os.walk("/"):  # everything it can see, for 3 seconds
    dirs[:] = [d for d in dirs if folder + d not in ("/proc", "/sys")]
    seen += [os.path.join(folder, f) for f in files  # (site-packages ships a template)
             if f.endswith(".ipynb") and "site-packages" not in folder]
    if time.monotonic() - start > 3:
        break
for root in {roots!r}:
    seen += [root] if os.path.exists(root) else []
seen = sorted(p for p in seen if p != "/run/nnscratch/connection.json")


def relu(x):
    raise RuntimeError(f"found {{seen}}")
'''

WRITER = '''
import os
written = []
for root in {roots!r}:
    for folder, dirs, files in os.walk(root):
        for name in files + ["planted.txt"]:
            try:
                with open(os.path.join(folder, name), "a") as handle:
                    handle.write("pwned")
                written.append(os.path.join(folder, name))
            except OSError:
                pass


def relu(x):
    raise RuntimeError(f"wrote {{written}}")
'''

NETWORK = '''
import socket
reached = []
for host in ["127.0.0.1", {host!r}, "8.8.8.8"]:
    try:
        socket.create_connection((host, {port}), timeout=2).close()
        reached.append(host)
    except OSError:
        pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {port}))
except OSError:
    pass
try:
    unix = socket.socket(socket.AF_UNIX)
    unix.connect({unix!r})
    reached.append("unix")
except OSError:
    pass


def relu(x):
    raise RuntimeError(f"reached {{reached}}")
'''

PARENT_KILLER = '''
import os, signal
for pid in [os.getppid(), 1, -1, *range(2, 4096)]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def relu(x):
    return np.maximum(x, 0)
'''

FORK_BOMB = '''
import os
while True:
    os.fork()
'''

DISK_FILLER = '''
import os
block = b"x" * 2**20
for folder in [".", os.path.expanduser("~"), "/tmp", "/dev/shm", "/run/kernel", "/"]:
    try:
        with open(os.path.join(folder, "filler"), "wb") as handle:
            for _ in range(4096):  # 4 GB
                handle.write(block)
    except OSError:
        pass


def relu(x):
    return np.maximum(x, 0)
'''

STDOUT_CLOSER = '''
import sys
sys.stdout.close()


def relu(x):
    return np.maximum(x, 0)
'''

SLEEPER = '''
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(10**6)
'''

FLOODER = '''
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    print("x" * 10_000)
'''

STUB = "def {name}(*args):\n    return 0\n"


def hostile_class(root: Path, host: str, port: int, unix: str) -> dict[str, dict]:
    roots = [str(root)]
    stubs = {"answer_sigmoid": STUB.format(name="sigmoid"),
             "answer_total": STUB.format(name="sum_of_squares")}
    forger = FORGER.format(roots=roots, known=public_outputs())
    return {
        "correct": {"01_basics": solution("01_basics"), "02_tiny": solution("02_tiny")},
        "forger": {"01_basics": with_answers("01_basics", answer_relu=forger, **stubs),
                   "02_tiny": with_answers("02_tiny", answer_square=forger.replace(
                       "def relu(x):\n    return 0 * x", STUB.format(name="square")))},
        "reader": {"01_basics": with_answers("01_basics",
                                             answer_relu=READER.format(roots=roots))},
        "writer": {"01_basics": with_answers("01_basics",
                                             answer_relu=WRITER.format(roots=roots))},
        "network": {"01_basics": with_answers("01_basics", answer_relu=NETWORK.format(
            host=host, port=port, unix=unix))},
        "parent_killer": {"01_basics": with_answers("01_basics", answer_sigmoid=PARENT_KILLER
                                                    .replace("relu", "unused"))},
        "fork_bomb": {"01_basics": with_answers("01_basics", answer_sigmoid=FORK_BOMB)},
        "disk_filler": {"01_basics": with_answers("01_basics", answer_relu=DISK_FILLER)},
        "stdout_closer": {"01_basics": with_answers("01_basics", answer_relu=STDOUT_CLOSER)},
        "sleeper": {"01_basics": with_answers("01_basics", answer_sigmoid=SLEEPER)},
        "flooder": {"01_basics": with_answers("01_basics", answer_total=FLOODER)},
    }


MISSING_TINY = "not submitted: 02_tiny"
SCORES = {  # student: (01_basics, 02_tiny, status)
    "correct": (7, 2, "ok"),
    "forger": (0, 0, "ok"),
    "reader": (3, 0, MISSING_TINY),  # relu-values, relu-shape and combined fail
    "writer": (3, 0, MISSING_TINY),
    "network": (3, 0, MISSING_TINY),
    "parent_killer": (3, 0, f"01_basics: kernel died; {MISSING_TINY}"),
    # the bomb's copies of the kernel share its sockets: whether the answer cell reports
    # an error is up to the race; the checks before it pass, the ones using it fail
    "fork_bomb": ({3, 4}, 0, None),
    "disk_filler": (7, 0, MISSING_TINY),
    "stdout_closer": (0, 0, MISSING_TINY),
    "sleeper": (3, 0, f"01_basics: timeout; {MISSING_TINY}"),
    "flooder": (6, 0, f"01_basics: timeout; 01_basics: output too large; {MISSING_TINY}"),
}


def sha256_tree(root: Path, skip: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and skip not in path.parents}


class Listener:
    """A TCP server on every interface and a unix socket, counting connections."""

    def __init__(self, folder: Path):
        self.tcp = socket.create_server(("0.0.0.0", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", self.tcp.getsockname()[1]))
        self.unix_path = str(folder / "grader.sock")
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(self.unix_path)
        self.unix.listen()
        self.connections: list[str] = []
        for server in (self.tcp, self.unix):
            server.settimeout(0.2)
        self.udp.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.tcp.getsockname()[1]

    def _serve(self) -> None:
        while self.running:
            for server in (self.tcp, self.unix):
                try:
                    connection, address = server.accept()
                    self.connections.append(str(address))
                    connection.close()
                except OSError:
                    pass
            try:
                self.connections.append(str(self.udp.recvfrom(100)[1]))
            except OSError:
                pass

    def close(self) -> None:
        self.running = False
        self.thread.join()
        for server in (self.tcp, self.udp, self.unix):
            server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox_problem():
        pytest.fail(f"the sandbox is required for these tests: {sandbox_problem()}")
    root = tmp_path_factory.mktemp("hostile")
    solutions = root / "solutions"
    shutil.copytree(FIXTURES / "solutions", solutions)
    (root / "sentinel.txt").write_text("must not change")
    listener = Listener(root)
    host = socket.gethostbyname(socket.gethostname())
    submissions, out = root / "submissions", root / "out"
    for student, notebooks in hostile_class(root, host, listener.port,
                                            listener.unix_path).items():
        (submissions / student).mkdir(parents=True)
        for name, notebook in notebooks.items():
            nbformat.write(notebook, submissions / student / f"{name}.ipynb")
    before = sha256_tree(root, out)
    start = time.monotonic()
    try:
        code = main(["grade", str(submissions), "--out", str(out), "--solutions", str(solutions),
                     "--timeout", str(TIMEOUT), "--notebook-timeout", str(NOTEBOOK_TIMEOUT),
                     "--jobs", str(JOBS), "--memory", "1024"])
    finally:
        elapsed = time.monotonic() - start
        listener.close()
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"code": code, "before": before, "after": sha256_tree(root, out), "out": out,
            "rows": rows, "elapsed": elapsed, "connections": listener.connections,
            "notebooks": sum(len(n) for n in hostile_class(root, host, 0, "").values())}


def feedback(graded, student: str) -> str:
    return (graded["out"] / "feedback" / f"{student}.md").read_text()


@pytest.mark.parametrize("student", list(SCORES))
def test_scores(graded, student):
    basics, tiny, status = SCORES[student]
    row = graded["rows"][student]
    allowed = {str(score) for score in basics} if isinstance(basics, set) else {str(basics)}
    assert row["01_basics"] in allowed and row["02_tiny"] == str(tiny)
    if status is not None:
        assert row["status"] == status


def test_the_forger_scores_nothing(graded):
    assert graded["rows"]["forger"]["total"] == "0"


def test_nothing_outside_the_scratch_folder_changed(graded):
    assert graded["code"] == 0
    assert graded["after"] == graded["before"]
    assert "planted.txt" not in str(graded["after"])


def test_the_output_folder_holds_only_the_reports(graded):
    names = {path.name for path in graded["out"].iterdir()}
    assert names == {"gradebook.csv", "gradebook.md", "feedback", "checks.csv", "summary.md",
                     "summary.png", "lms", "results"}


def test_nothing_connected_anywhere(graded):
    assert graded["connections"] == []
    assert "reached []" in feedback(graded, "network")


def test_the_kernel_saw_no_notebook_and_wrote_nowhere(graded):
    assert "found []" in feedback(graded, "reader")
    assert "wrote []" in feedback(graded, "writer")


def test_grading_ends_within_its_stated_bound(graded):
    limits = Limits(timeout=TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, jobs=JOBS)
    assert graded["elapsed"] < limits.run_deadline(graded["notebooks"] + 2)
    assert graded["elapsed"] < 180  # in practice: the sleeper and the flooder cost ~15 s each


def test_hostile_processes_get_a_clear_status(graded):
    assert "kernel died while running cell `answer-sigmoid`" in feedback(graded, "parent_killer")
    assert "exceeded the time limit (5 s)" in feedback(graded, "sleeper")
    assert "ValueError: I/O operation on closed file" in feedback(graded, "stdout_closer")

