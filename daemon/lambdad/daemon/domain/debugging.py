"""The function settings that put it under a debugger: names in its Environment Variables.

They are part of a function's configuration (`FunctionRegistry.set_debug` writes them, the rest of
the environment is kept); what they do to an execution environment is `runtime/debugging.py`'s.
"""

DEBUG_PORT_VARIABLE = "LAMBDAD_DEBUG_PORT"
DEBUG_WAIT_VARIABLE = "LAMBDAD_DEBUG_WAIT"
