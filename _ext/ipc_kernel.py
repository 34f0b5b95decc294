"""Execute the chapters with a kernel that talks over ipc sockets instead of TCP.

ipykernel logs "Kernel is running over TCP without encryption" for every kernel started
the default way, once per chapter in the build log. The kernelspec in ``_ext/jupyter``
(``nnscratch-book``) uses the ``nnscratch-ipc`` provisioner of the course package: the
kernel's sockets are files in a private folder, with no port and no warning. This
extension puts that kernelspec on Jupyter's search path; ``_config.yml`` makes it the
kernel of every notebook (``nb_kernel_rgx_aliases``).
"""

from __future__ import annotations

import os
from pathlib import Path

KERNELS = Path(__file__).resolve().parent / "jupyter"


def setup(app):
    paths = [str(KERNELS), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
