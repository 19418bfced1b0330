"""Started by Python when lambdad runs a function under the debugger (see runtime/debugging.py).

Python imports `sitecustomize` from sys.path at start-up; lambdad puts this directory on
PYTHONPATH only for functions with LAMBDAD_DEBUG_PORT. The variable is taken out of the
environment first, so the debug adapter and any subprocess of the handler do not try to
listen on the same port.
"""

import os
import sys

_port = os.environ.pop("LAMBDAD_DEBUG_PORT", "")
if _port:
    _path = os.environ.pop("LAMBDAD_DEBUGPY_PATH", "")
    if _path and _path not in sys.path:
        sys.path.append(_path)
    import debugpy

    debugpy.listen((os.environ.pop("LAMBDAD_DEBUG_HOST", "0.0.0.0"), int(_port)))
    if os.environ.pop("LAMBDAD_DEBUG_WAIT", "").lower() in {"1", "true", "yes"}:
        debugpy.wait_for_client()
