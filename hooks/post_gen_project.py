"""Finish a generated project with hooks/project_finish.py (prune, first commit, next steps).

cookiecutter runs a rendered copy of this file from a temporary directory, with the new
project as the working directory, so the steps are imported from the template's own
`hooks/` folder, which cookiecutter names in `_repo_dir` (cookiecutter 2.2 or later). They
live there, not in the `mlprod` package, because plain cookiecutter needs no mlprod.
"""

import json
import sys
from pathlib import Path

# Rendered by cookiecutter; stays valid Python unrendered so that ruff can lint this file.
CONTEXT = json.loads(r"""{{ cookiecutter|tojson }}""")

if __name__ == "__main__":
    if "_repo_dir" not in CONTEXT:
        sys.exit("error: the template needs cookiecutter 2.2 or later; pip install -U cookiecutter")
    sys.path.insert(0, str(Path(CONTEXT["_repo_dir"]) / "hooks"))
    from project_finish import finish

    sys.exit(finish(CONTEXT, Path.cwd()))
