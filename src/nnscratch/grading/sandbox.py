"""The sandbox every grading kernel runs in: bubblewrap, started by a kernel provisioner.

nbval starts kernels through jupyter_client, which asks the kernelspec's provisioner to
launch them. The grading kernelspec names ``nnscratch-sandbox`` (registered as a
``jupyter_client.kernel_provisioners`` entry point), so every kernel of ``nnscratch
grade`` and ``nnscratch check`` starts inside ``bwrap`` (Debian package ``bubblewrap``):

- **files**: a new, read-only root holding only ``/usr`` (with the ``/bin`` and ``/lib``
  links), the dynamic loader's files from ``/etc``, the Python installation and its
  environment, and the kernel's start-up script. Not the course repository, the
  solutions, the submissions, the notebook being run or the grader's output;
- **writes**: only ``/scratch`` (working directory, ``HOME`` and ``/tmp``) and two small
  folders for sockets and shared memory, all memory-backed with a size limit;
- **network**: an empty network namespace (no interface but its own loopback);
- **processes**: its own PID namespace (it cannot see, signal or trace anything outside),
  its own user, IPC and UTS namespaces, no capabilities, a new session, and it dies with
  the process that started it;
- **limits**: memory, processes and file size (``kernel_launcher.py``); time is limited by
  the grader, which kills the sandbox when a cell overruns.

The kernel and the grader talk over ZMQ's ``ipc`` transport. The kernel binds its
sockets in ``/run/kernel`` inside the sandbox; the grader reaches them through
``/proc/<pid>/root/run/kernel`` via a symlink in a private folder of its own, so no
folder of the host is writable from the sandbox. When the grader runs as root, the
kernel switches at start-up to an unused uid of its own.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.launcher import launch_kernel
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Integer, Unicode

PROVISIONER = "nnscratch-sandbox"
INSIDE_SOCKETS = "/run/kernel"
INSIDE_CONNECTION = "/run/nnscratch/connection.json"
INSIDE_LAUNCHER = "/run/nnscratch/kernel.py"
SCRATCH = "/scratch"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime")
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`), "
                "or pass --no-sandbox to run learner code without isolation")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here (the message says which)."""


@functools.cache
def sandbox_problem() -> str | None:
    """None when bwrap can start a sandbox here, else why not (one sentence)."""
    if shutil.which("bwrap") is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    trial = [*_namespace_options(), "--ro-bind", "/", "/", "true"]
    result = subprocess.run(trial, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        return (f"bubblewrap cannot create a sandbox on this machine ({reason}); user "
                "namespaces may be disabled. Enable them, or pass --no-sandbox to run "
                "learner code without isolation")
    return None


def _namespace_options() -> list[str]:
    """bwrap's namespace and capability options.

    An ordinary user gets a user namespace of its own (no capabilities, and no further
    user namespaces). Root does not need one: the sandbox keeps only the capabilities to
    change its uid, and the start-up script switches to an unused uid at once.
    """
    common = ["bwrap", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if os.geteuid() != 0:
        return [*common, "--unshare-all", "--unshare-user", "--disable-userns"]
    return [*common, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--unshare-ipc",
            "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]


def python_roots() -> list[Path]:
    """The folders the kernel's Python needs: its installation and its environment."""
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.add(Path(sys.executable).resolve().parent.parent)
    return sorted(root for root in roots
                  if not any(other != root and other in root.parents for other in roots))


def bwrap_command(command: list[str], *, connection_fd: int, info_fd: int, scratch_mb: int,
                  env: dict[str, str]) -> list[str]:
    """The bwrap command line that runs ``command`` in the sandbox."""
    args = [*_namespace_options(), "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
    targets = [*python_roots(), Path(INSIDE_LAUNCHER)]
    for parent in sorted({parent for path in targets for parent in path.parents}):
        args += ["--perms", "0755", "--dir", str(parent)]  # else root gets 0700 folders
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for root in python_roots():
        args += ["--ro-bind", str(root), str(root)]
    args += ["--ro-bind", str(Path(__file__).with_name("kernel_launcher.py")), INSIDE_LAUNCHER,
             "--perms", "0444", "--ro-bind-data", str(connection_fd), INSIDE_CONNECTION,
             "--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(16 * 2**20), "--tmpfs", "/dev/shm",
             "--perms", "1777", "--size", str(2**20), "--tmpfs", INSIDE_SOCKETS,
             "--perms", "1777", "--size", str(scratch_mb * 2**20), "--tmpfs", SCRATCH,
             "--perms", "1777", "--dir", f"{SCRATCH}/tmp"]
    if Path("/tmp") not in {parent for path in targets for parent in path.parents}:
        args += ["--symlink", f"{SCRATCH}/tmp", "/tmp"]  # else /tmp holds the environment
    args += ["--remount-ro", "/dev", "--remount-ro", "/",
             "--chdir", SCRATCH, "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--info-fd", str(info_fd), "--", *command]


def sandbox_environment(*, memory_mb: int, processes: int, file_mb: int, threads: int,
                        python_bin: Path) -> dict[str, str]:
    """The kernel's whole environment inside the sandbox (nothing is inherited)."""
    env = {"HOME": SCRATCH, "TMPDIR": f"{SCRATCH}/tmp", "USER": "learner", "LOGNAME": "learner",
           "PATH": f"{python_bin}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": f"{SCRATCH}/.config/matplotlib", "IPYTHONDIR": f"{SCRATCH}/.ipython",
           "NNSCRATCH_MEMORY_MB": str(memory_mb), "NNSCRATCH_PROCESSES": str(processes),
           "NNSCRATCH_FILE_MB": str(file_mb)}
    if os.geteuid() == 0:  # an unused uid of its own: its process count starts at zero
        env["NNSCRATCH_UID"] = str(secrets.randbelow(2**30) + 2**30)
    env.update({name: str(threads) for name in _THREAD_VARS})
    return env


class IpcProvisioner(LocalProvisioner):
    """A local kernel that talks over ipc sockets in a private folder, not over TCP.

    Registered as ``nnscratch-ipc``: the book executes its chapters with it (no TCP port
    and no "running over TCP without encryption" warning), and the sandbox extends it.
    The kernelspec's command may start with ``python``: it becomes this Python.
    """

    runtime_dir = Unicode("", help="where the private folder of each kernel goes").tag(
        config=True)

    kernel_dir: Path | None = None

    def socket_prefix(self) -> Path:
        return self.kernel_dir / "ipc"

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        self.kernel_dir = Path(tempfile.mkdtemp(prefix="k-", dir=self.runtime_dir or None))
        km.transport = "ipc"
        km.ip = str(self.socket_prefix())
        km.connection_file = str(self.kernel_dir / "connection.json")
        kwargs = await super().pre_launch(**kwargs)
        if kwargs["cmd"] and kwargs["cmd"][0] == "python":
            kwargs["cmd"][0] = sys.executable
        return kwargs

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self.kernel_dir is not None and not restart:
            shutil.rmtree(self.kernel_dir, ignore_errors=True)
            self.kernel_dir = None


class SandboxProvisioner(IpcProvisioner):
    """Launch a kernel inside bwrap and connect to it over ipc sockets.

    Configured from the kernelspec (``metadata.kernel_provisioner.config``).
    """

    memory_mb = Integer(4096, help="RLIMIT_DATA of the kernel, in MB").tag(config=True)
    processes = Integer(64, help="processes and threads the kernel may have").tag(config=True)
    scratch_mb = Integer(256, help="size of the writable /scratch, in MB").tag(config=True)
    threads = Integer(1, help="BLAS/OpenMP threads of the kernel").tag(config=True)

    def socket_prefix(self) -> Path:
        return self.kernel_dir / "s" / "ipc"  # s: a symlink into the sandbox, made at launch

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        problem = sandbox_problem()
        if problem:
            raise SandboxUnavailable(problem)
        kwargs = await super().pre_launch(**kwargs)
        connection = self.parent.connection_file
        kwargs["cmd"] = [INSIDE_CONNECTION if arg == connection else arg for arg in kwargs["cmd"]]
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        inside = {key: value.decode() if isinstance(value, bytes) else value
                  for key, value in self.connection_info.items()}
        inside["ip"] = f"{INSIDE_SOCKETS}/ipc"
        python_bin = Path(sys.executable).parent
        connection_read, connection_write = os.pipe()
        info_read, info_write = os.pipe()
        os.write(connection_write, json.dumps(inside).encode())
        os.close(connection_write)
        command = [str(python_bin / "python"), INSIDE_LAUNCHER,
                   *cmd[cmd.index(INSIDE_CONNECTION) - 1:]]
        env = sandbox_environment(memory_mb=self.memory_mb, processes=self.processes,
                                  file_mb=self.scratch_mb, threads=self.threads,
                                  python_bin=python_bin)
        argv = bwrap_command(command, connection_fd=connection_read, info_fd=info_write,
                             scratch_mb=self.scratch_mb, env=env)
        kwargs = LocalProvisioner._scrub_kwargs(kwargs)
        kwargs.pop("env", None)
        errors = self.kernel_dir / "bwrap.log"  # what bwrap says if it cannot start
        with open(errors, "w") as log:
            try:
                self.process = launch_kernel(argv, pass_fds=(connection_read, info_write),
                                             **{**kwargs, "stderr": log})
            finally:
                os.close(connection_read)
                os.close(info_write)
        self.pid = self.pgid = self.process.pid
        try:
            child = _read_child_pid(info_read)
        except SandboxUnavailable as err:
            reason = errors.read_text(errors="replace").strip().splitlines()[-1:]
            raise SandboxUnavailable(f"{err}: {reason[0] if reason else 'no message'}") from None
        finally:
            os.close(info_read)
        (self.kernel_dir / "s").symlink_to(f"/proc/{child}/root{INSIDE_SOCKETS}")
        return self.connection_info

def _read_child_pid(fd: int, timeout: float = 10.0) -> int:
    """The host PID of the sandbox's first process, from bwrap's ``--info-fd`` JSON."""
    data = b""
    while not data.rstrip().endswith(b"}"):
        ready, _, _ = select.select([fd], [], [], timeout)
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            raise SandboxUnavailable("bubblewrap did not start the sandbox")
        data += chunk
    return int(json.loads(data)["child-pid"])
