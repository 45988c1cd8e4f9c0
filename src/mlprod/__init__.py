"""mlprod: production-grade machine learning repositories, generated and kept to standard."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlprod")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
