"""The sandbox's pieces, without starting kernels: limits, the bwrap command, CPU quotas."""

from __future__ import annotations

import resource

from nnscratch.grading import kernel_launcher, runner, sandbox


def test_zero_means_no_limit(monkeypatch):
    calls = []
    monkeypatch.setattr(resource, "setrlimit", lambda *args: calls.append(args))
    monkeypatch.setattr(kernel_launcher.Path, "write_text", lambda *args: None)
    kernel_launcher.apply_limits({"NNSCRATCH_MEMORY_MB": "0", "NNSCRATCH_PROCESSES": "64"})
    assert calls == [(resource.RLIMIT_NPROC, (64, 64)), (resource.RLIMIT_CORE, (0, 0))]


def test_the_sandbox_binds_nothing_writable_from_the_host():
    env = sandbox.sandbox_environment(memory_mb=100, processes=8, file_mb=10, threads=1,
                                      python_bin=sandbox.Path("/usr/bin"))
    args = sandbox.bwrap_command(["python"], connection_fd=3, info_fd=4, scratch_mb=10, env=env)
    binds = [args[i] for i, arg in enumerate(args) if arg in ("--bind", "--dev-bind")]
    assert binds == []
    assert "--unshare-net" in args or "--unshare-all" in args
    assert "--clearenv" in args and "--die-with-parent" in args and "--new-session" in args
    assert args[args.index("--cap-drop") + 1] == "ALL"
    for path in ("/", "/dev"):
        assert ("--remount-ro", path) in list(zip(args, args[1:], strict=False))


def test_the_python_roots_hold_no_folder_twice():
    roots = sandbox.python_roots()
    assert roots and all(not (a != b and a in b.parents) for a in roots for b in roots)


def test_a_cgroup_quota_caps_the_cpus(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert runner._cgroup_quota(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert runner._cgroup_quota(tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert runner._cgroup_quota(tmp_path) == 2.0
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert runner._cgroup_quota(tmp_path) is None


def test_an_environment_under_tmp_keeps_tmp_a_folder(monkeypatch):
    monkeypatch.setattr(sandbox, "python_roots", lambda: [sandbox.Path("/tmp/clone/.venv")])
    env = sandbox.sandbox_environment(memory_mb=100, processes=8, file_mb=10, threads=1,
                                      python_bin=sandbox.Path("/tmp/clone/.venv/bin"))
    args = sandbox.bwrap_command(["python"], connection_fd=3, info_fd=4, scratch_mb=10, env=env)
    pairs = list(zip(args, args[1:], strict=False))
    assert ("--ro-bind", "/tmp/clone/.venv") in pairs
    assert not any(a == "--symlink" and args[i + 2] == "/tmp" for i, a in enumerate(args[:-2]))
