"""`mlprod check`: audit a git repository against the standards of the generated project."""
