import copy
import json

import pytest

from check.conftest import CLEAN_NOTEBOOK, Repo
from mlprod.check.audit import Audit
from mlprod.check.config import Settings
from mlprod.check.repo import Repository
from mlprod.check.rules.notebooks import parse, traces_of_outputs

STREAM = [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
PADDING = "x" * 1_200_000  # makes a notebook larger than DATA001's 1 MB limit


def notebook(**cell_changes: object) -> str:
    document = copy.deepcopy(CLEAN_NOTEBOOK)
    document["cells"][1].update(cell_changes)
    return json.dumps(document)


def test_staged_outputs_are_reported(repo: Repo) -> None:
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
    repo.add("notebooks/explore.ipynb", notebook(outputs=outputs, execution_count=3))
    [finding] = repo.check().findings
    assert finding["code"] == "NB001"
    assert finding["message"] == "outputs in 1 cell, execution counts in 1 cell"


def test_execution_count_alone_is_reported(repo: Repo) -> None:
    repo.add("notebooks/explore.ipynb", notebook(execution_count=1))
    assert [(f["code"], f["message"]) for f in repo.check().findings] == [
        ("NB001", "outputs in 0 cells, execution counts in 1 cell")
    ]


def test_outputs_fix_strips_the_notebook_and_stages_it(repo: Repo) -> None:
    repo.add("notebooks/First Look.IPYNB", notebook(outputs=STREAM))
    [finding] = repo.check().of("NB001")
    assert (finding["path"], finding["message"], finding["fix"]) == (
        "notebooks/First Look.IPYNB",
        "outputs in 1 cell, execution counts in 0 cells",
        "nbstripout 'notebooks/First Look.IPYNB' && git add 'notebooks/First Look.IPYNB'",
    )


def test_the_index_is_read_not_the_working_copy(repo: Repo) -> None:
    repo.write("notebooks/explore.ipynb", notebook(execution_count=7))
    assert repo.check().findings == []
    repo.git("add", "notebooks/explore.ipynb")
    assert repo.check().codes == {"NB001"}


def test_notebook_above_scan_size_with_outputs_is_reported(repo: Repo) -> None:
    document = json.loads(notebook(execution_count=2))
    document["cells"][1]["source"] = ["x" * 2000]
    repo.add("notebooks/explore.ipynb", json.dumps(document, indent=1))
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    assert repo.check().codes == {"NB001"}


def test_notebook_above_scan_size_with_outputs_but_no_counts_is_reported(repo: Repo) -> None:
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
    document = json.loads(notebook(outputs=outputs, execution_count=None))
    document["cells"][1]["source"] = ["x" * 2000]
    text = json.dumps(document, indent=1)
    assert '"execution_count": null' in text
    assert text.index('"outputs"') < 1000
    repo.add("notebooks/explore.ipynb", text)
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("NB001", "notebooks/explore.ipynb")
    assert finding["message"] == "the notebook has outputs or execution counts"
    assert finding["fix"] == STRIP_FIX


def test_notebook_above_scan_size_without_outputs_passes(repo: Repo) -> None:
    document = json.loads(notebook())
    document["cells"][1]["source"] = ["x" * 2000]
    repo.add("notebooks/explore.ipynb", json.dumps(document, indent=1))
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    assert repo.check().findings == []


def test_filter_attribute_missing_is_reported(repo: Repo) -> None:
    repo.add(".gitattributes", "*.ipynb diff=jupyternotebook merge=jupyternotebook\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("NB002", ".gitattributes")
    assert (
        finding["message"] == "no nbstripout filter for 1 notebook (e.g. notebooks/explore.ipynb)"
    )


def test_filter_not_configured_in_clone_says_run_make_setup(repo: Repo) -> None:
    repo.git("config", "--unset", "filter.nbstripout.clean")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["fix"]) == (
        "NB002",
        ".git/config",
        "run make setup",
    )


def test_attribute_applies_to_new_notebooks_when_none_is_tracked(repo: Repo) -> None:
    repo.remove("notebooks/explore.ipynb")
    assert repo.check().findings == []
    repo.add(".gitattributes", "*.py text\n")
    assert {f["message"] for f in repo.check().of("NB002")} == {
        "no nbstripout filter for new notebooks"
    }


def test_drivers_not_configured_is_a_warning_saying_run_make_setup(repo: Repo) -> None:
    repo.git("config", "--unset", "diff.jupyternotebook.command")
    repo.git("config", "--unset", "merge.jupyternotebook.driver")
    checked = repo.check()
    [finding] = checked.findings
    assert (finding["code"], finding["severity"], finding["fix"]) == (
        "NB003",
        "warning",
        "run make setup",
    )
    assert "diff.jupyternotebook.command, merge.jupyternotebook.driver" in finding["message"]
    assert checked.code == 0


def test_driver_attributes_in_info_attributes_count(repo: Repo) -> None:
    repo.add(".gitattributes", "*.ipynb filter=nbstripout\n")
    assert [f["message"] for f in repo.check().findings] == [
        "no notebook diff driver for 1 notebook (e.g. notebooks/explore.ipynb)",
        "no notebook merge driver for 1 notebook (e.g. notebooks/explore.ipynb)",
    ]
    repo.write(".git/info/attributes", "*.ipynb diff=jupyternotebook merge=jupyternotebook\n")
    assert repo.check().findings == []


def test_invalid_json_is_reported(repo: Repo) -> None:
    repo.add("notebooks/broken.ipynb", '{"cells": [')
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("NB004", "notebooks/broken.ipynb")
    assert "not valid JSON (line 1)" in finding["message"]


def test_non_utf8_notebook_is_reported(repo: Repo) -> None:
    repo.add("notebooks/latin1.ipynb", b'{"cells": [], "note": "caf\xe9"}')
    assert [(f["code"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "NB004",
            "the notebook is not UTF-8 text",
            "restore a valid version (git log -- notebooks/latin1.ipynb) or remove the file",
        )
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the notebook is not valid JSON (line 1)"),
        ('{\n"cells": [', "the notebook is not valid JSON (line 2)"),
        ("[" * 100_000, "the notebook is not valid JSON"),
        ("[]", "not a Jupyter notebook: the top level is not a JSON object"),
        ('{"cells": []}', "not a Jupyter notebook: no integer 'nbformat' version"),
        ('{"nbformat": "4", "cells": []}', "not a Jupyter notebook: no integer 'nbformat' version"),
        (
            '{"nbformat": true, "cells": []}',
            "not a Jupyter notebook: no integer 'nbformat' version",
        ),
        (
            '{"nbformat": 4, "metadata": [], "cells": []}',
            "not a Jupyter notebook: 'metadata' is not an object",
        ),
        ('{"nbformat": 4}', "not a Jupyter notebook: 'cells' is not a list"),
        ('{"nbformat": 4, "cells": {}}', "not a Jupyter notebook: 'cells' is not a list"),
        ('{"nbformat": 3}', "not a Jupyter notebook: 'worksheets' is not a list of objects"),
        (
            '{"nbformat": 3, "worksheets": [{"cells": []}, []]}',
            "not a Jupyter notebook: 'worksheets' is not a list of objects",
        ),
        (
            '{"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code"}]}, {"cells": [7]}]}',
            "not a Jupyter notebook: cell 2 is not an object",
        ),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "raw"}, {"cell_type": "sql"}]}',
            "not a Jupyter notebook: cell 2 has cell_type 'sql'",
        ),
        ('{"nbformat": 4, "cells": [{}]}', "not a Jupyter notebook: cell 1 has cell_type None"),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}',
            "not a Jupyter notebook: cell 1 has a source that is not text",
        ),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ["a", 1]}]}',
            "not a Jupyter notebook: cell 1 has a source that is not text",
        ),
        (
            '{"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code", "input": {}}]}]}',
            "not a Jupyter notebook: cell 1 has a source that is not text",
        ),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "code", "source": "", "outputs": {}}]}',
            "not a Jupyter notebook: cell 1 has 'outputs' that is not a list",
        ),
    ],
)
def test_invalid_notebooks_are_told_apart(content: str, problem: str) -> None:
    assert parse(content.encode()) == (problem, 0, 0)


def test_a_notebook_not_in_utf8_is_told_apart() -> None:
    assert parse(b'{"nbformat": 4, "cells": [], "note": "caf\xe9"}') == (
        "the notebook is not UTF-8 text",
        0,
        0,
    )


@pytest.mark.parametrize(
    "content",
    [
        # nbformat 3 knew heading cells, and its cells need no cell_type.
        '{"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "heading", "source": "A"}]}]}',
        '{"nbformat": 3, "worksheets": [{"cells": [{"input": ["a", "b"]}]}]}',
        '{"nbformat": 3, "worksheets": [{}]}',
        # Outputs matter on code cells only; a source may be one string.
        '{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": "# A", "outputs": {}}]}',
        '{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["x = 1"]}]}',
        '{"nbformat": 5, "metadata": {}, "cells": []}',
    ],
)
def test_unusual_but_valid_notebooks_pass(content: str) -> None:
    assert parse(content.encode()).problem == ""


def test_outputs_and_counts_are_counted_per_cell() -> None:
    cells = [
        {"cell_type": "code", "source": "", "outputs": [{"output_type": "stream"}]},
        {"cell_type": "code", "source": "", "outputs": [], "execution_count": 0},
        {"cell_type": "code", "source": "", "outputs": [], "execution_count": None},
        {"cell_type": "markdown", "source": ""},
    ]
    assert parse(json.dumps({"nbformat": 4, "cells": cells}).encode()) == ("", 1, 1)
    old = [{"cell_type": "code", "input": "", "outputs": [], "prompt_number": 2}] * 3
    notebook3 = {"nbformat": 3, "worksheets": [{"cells": old}]}
    assert parse(json.dumps(notebook3).encode()) == ("", 0, 3)


def test_invalid_notebook_above_scan_size_is_not_judged_on_its_head(repo: Repo) -> None:
    repo.add("notebooks/explore.ipynb", json.dumps(CLEAN_NOTEBOOK, indent=1) + " " * 2000)
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    assert repo.check().findings == []


def test_nbformat_3_notebook_is_understood(repo: Repo) -> None:
    old = {
        "nbformat": 3,
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": "1", "outputs": [], "prompt_number": 4}]}
        ],
    }
    repo.add("notebooks/old.ipynb", json.dumps(old))
    assert repo.check().codes == {"NB001"}


def test_outputs_past_the_scanned_head_of_a_large_notebook_are_reported(repo: Repo) -> None:
    document = json.loads(notebook(execution_count=None))
    document["cells"][0]["source"] = ["# A long introduction\n", "x" * 50_000]
    document["cells"].append(
        {
            "cell_type": "code",
            "execution_count": 7,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "7\n"}],
            "source": ["print(7)\n"],
        }
    )
    text = json.dumps(document, indent=1)
    assert text.index('"execution_count": 7') > 50_000  # far past the 1 kB read
    repo.add("notebooks/explore.ipynb", text)
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    [finding] = repo.check().findings
    assert (finding["code"], finding["message"]) == (
        "NB001",
        "the notebook has outputs or execution counts",
    )


def test_repository_without_notebooks_needs_no_notebook_setup(repo: Repo) -> None:
    repo.remove("notebooks/explore.ipynb")
    (repo.root / "notebooks/explore.ipynb").unlink()
    (repo.root / "notebooks").rmdir()
    repo.add(".gitattributes", "*.py text\n")
    repo.git("config", "--unset", "filter.nbstripout.clean")
    assert repo.check().findings == []
    repo.add("analysis/first.ipynb", json.dumps(CLEAN_NOTEBOOK))
    assert repo.check().codes == {"NB002", "NB003"}


def test_counts_of_cells_are_in_the_plural_beyond_one(repo: Repo) -> None:
    document = json.loads(notebook(outputs=STREAM, execution_count=None))
    document["cells"].append({**document["cells"][1], "execution_count": 2})
    repo.add("notebooks/explore.ipynb", json.dumps(document))
    assert [f["message"] for f in repo.check().of("NB001")] == [
        "outputs in 2 cells, execution counts in 1 cell"
    ]


def test_several_notebooks_without_the_filter_are_counted(repo: Repo) -> None:
    repo.add("notebooks/a.ipynb", json.dumps(CLEAN_NOTEBOOK))
    repo.add(".gitattributes", "*.ipynb diff=jupyternotebook merge=jupyternotebook\n")
    assert [f["message"] for f in repo.check().of("NB002")] == [
        "no nbstripout filter for 2 notebooks (e.g. notebooks/a.ipynb)"
    ]


def large_notebook(outputs: list, execution_count: int | None, metadata: dict | None = None) -> str:
    document = json.loads(notebook(outputs=outputs, execution_count=execution_count))
    document["cells"][0]["source"] = ["# Explore\n", PADDING]
    document["cells"][1]["metadata"] = metadata or {}
    return json.dumps(document, indent=1)


DVC_FIX = (
    "git rm --cached notebooks/explore.ipynb && dvc add notebooks/explore.ipynb && "
    "git add notebooks/explore.ipynb.dvc notebooks/.gitignore"
)
STRIP_FIX = "nbstripout notebooks/explore.ipynb && git add notebooks/explore.ipynb"


def large_file_fix(repo: Repo, text: str, scan_size: str = "10MB") -> str:
    """DATA001's fix for a notebook over 1 MB, the notebook rules left out (they would
    parse the notebook first and leave their reading to DATA001)."""
    repo.add("notebooks/explore.ipynb", text)
    repo.add("pyproject.toml", f'[tool.mlprod]\nmax-scan-size = "{scan_size}"\n')
    [finding] = repo.check("--select", "DATA001").findings
    assert finding["message"].startswith("file of 1.2")
    return finding["fix"]


def test_large_notebook_with_outputs_only_is_stripped_not_versioned(repo: Repo) -> None:
    assert large_file_fix(repo, large_notebook(STREAM, None)) == STRIP_FIX


def test_large_notebook_with_a_count_only_in_metadata_goes_to_dvc(repo: Repo) -> None:
    # Its text holds a trace of a count, in a cell's metadata: parsed, it has no output.
    text = large_notebook([], None, metadata={"last_run": {"execution_count": 4}})
    assert '"execution_count": 4' in text
    assert large_file_fix(repo, text) == DVC_FIX


def test_large_notebook_above_scan_size_is_read_to_its_end_for_outputs(repo: Repo) -> None:
    # Its only output lies past the first piece read, so past the scanned head.
    document = json.loads(large_notebook([], None))
    document["cells"].append({**document["cells"][1], "outputs": STREAM})
    assert large_file_fix(repo, json.dumps(document, indent=1), "1kB") == STRIP_FIX


def test_large_notebook_above_scan_size_without_outputs_goes_to_dvc(repo: Repo) -> None:
    assert large_file_fix(repo, large_notebook([], None), "1kB") == DVC_FIX


def test_traces_of_outputs_answers_true_or_false(repo: Repo) -> None:
    repo.add("notebooks/plots.ipynb", notebook(outputs=STREAM))
    audit = Audit(Repository.open(repo.root), Settings(), None)
    entries = audit.entries
    assert traces_of_outputs(audit, entries["notebooks/explore.ipynb"]) is False
    assert traces_of_outputs(audit, entries["notebooks/plots.ipynb"]) is True
    # Answered again from the memo, the same.
    assert traces_of_outputs(audit, entries["notebooks/explore.ipynb"]) is False


def test_filter_not_configured_in_clone_names_the_setting(repo: Repo) -> None:
    repo.git("config", "--unset", "filter.nbstripout.clean")
    repo.remove("Makefile")
    assert [(f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "the nbstripout filter is not configured in this clone (filter.nbstripout.clean)",
            "run nbstripout --install && nbdime config-git --enable",
        )
    ]


def test_notebook_drivers_need_their_command_in_this_clone(repo: Repo) -> None:
    repo.git("config", "--unset", "merge.jupyternotebook.driver")
    repo.git("config", "--unset", "diff.jupyternotebook.command")
    repo.git("config", "diff.jupyternotebook.textconv", "nbdime show")
    assert [(f["path"], f["message"]) for f in repo.check().of("NB003")] == [
        (
            ".git/config",
            "the notebook drivers are not configured in this clone (merge.jupyternotebook.driver)",
        )
    ]


@pytest.mark.parametrize(
    "attributes", ["*.ipynb diff merge=union", "*.ipynb -diff -merge", "*.ipynb diff=binary"]
)
def test_attributes_that_name_no_driver_are_reported(repo: Repo, attributes: str) -> None:
    repo.add(".gitattributes", f"*.ipynb filter=nbstripout\n{attributes}\n")
    repo.add("notebooks/b.ipynb", json.dumps(CLEAN_NOTEBOOK))
    assert [(f["path"], f["message"]) for f in repo.check().of("NB003")] == [
        (".gitattributes", "no notebook diff driver for 2 notebooks (e.g. notebooks/b.ipynb)"),
        (".gitattributes", "no notebook merge driver for 2 notebooks (e.g. notebooks/b.ipynb)"),
    ]


def test_a_tracked_notebooks_folder_awaits_notebooks_even_if_not_checked_out(repo: Repo) -> None:
    repo.remove("notebooks/explore.ipynb")
    repo.add("notebooks/README.md", "Notebooks go here.\n")
    repo.add(".gitattributes", "*.py text\n")
    for path in (repo.root / "notebooks").iterdir():
        path.unlink()
    (repo.root / "notebooks").rmdir()
    assert [f["message"] for f in repo.check().of("NB002")] == [
        "no nbstripout filter for new notebooks"
    ]


def test_a_symlink_named_like_a_notebook_is_not_a_notebook(repo: Repo) -> None:
    repo.remove("notebooks/explore.ipynb")
    (repo.root / "notebooks/explore.ipynb").unlink()
    (repo.root / "notebooks").rmdir()
    (repo.root / "analysis.ipynb").symlink_to("README.md")
    repo.git("add", "analysis.ipynb")
    repo.add(".gitattributes", "*.py text\n")
    assert repo.check().findings == []
