"""The one exception type the command line turns into a one-line message."""


class UsageError(Exception):
    """Bad input from the user: printed as `mlprod: error: <message>` with exit code 2."""
