"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}"""

import os
from importlib.metadata import PackageNotFoundError, version

# Arrow's default allocator (mimalloc) keeps the pages it frees, so streaming a Parquet file
# holds tens of MB more than the data needs (benchmarks/batch_predict.py of the template);
# the system allocator gives them back. Arrow reads this once, when pyarrow first loads, so
# it is set here, before any module imports pandas. A choice made in the environment wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

try:
    __version__ = version("{{ cookiecutter.project_slug }}")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
