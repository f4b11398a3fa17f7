# hyperlocal's Python runtime, started as `python3 <this file>`. The runtime itself is
# hyperlocal_python_runtime.py beside it, imported as a module: Python compiles a script from source
# at every start (over 1 MB of compiler memory that every idle environment then keeps), while an
# imported module loads the bytecode compiled once in __pycache__ (python-executable.ts).
import sys

import hyperlocal_python_runtime

sys.exit(hyperlocal_python_runtime.main())
