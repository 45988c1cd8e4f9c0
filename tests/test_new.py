"""`mlprod new` gives the tree that stock cookiecutter gives, from the bundled template."""

from __future__ import annotations

import filecmp
import json
import locale
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bakery import REPO_ROOT, template_context

from mlprod.cli import main
from mlprod.errors import UsageError
from mlprod.new import parse_options, public_options


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def generate(cmd, cwd):
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


def test_mlprod_new_equals_stock_cookiecutter(tmp_path):
    options = ["deployment=both", "ci=gitlab", "project_name=Churn Model"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    generate([sys.executable, "-m", "mlprod", "new", "--no-input", *options], tmp_path / "a")
    generate(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT), *options],
        tmp_path / "b",
    )
    a, b = tmp_path / "a" / "churn-model", tmp_path / "b" / "churn-model"
    assert tree(a) == tree(b)
    assert not filecmp.dircmp(a, b).diff_files


def test_unknown_option_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "colour=blue"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("mlprod new: error: unknown option 'colour'")
    assert list(tmp_path.iterdir()) == []


def test_existing_project_directory_is_refused_and_kept(tmp_path):
    cmd = [sys.executable, "-m", "mlprod", "new", "--no-input"]
    generate(cmd, tmp_path)
    marker = tmp_path / "my-ml-project" / "work.txt"
    marker.write_text("mine")
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "already exists" in result.stderr
    assert marker.read_text() == "mine"


def test_an_output_directory_that_does_not_exist_is_created(tmp_path):
    target = tmp_path / "projects" / "2026"
    generate([sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(target)], tmp_path)
    assert (target / "my-ml-project" / "Makefile").is_file()


def test_a_refused_answer_leaves_no_created_output_directory(tmp_path):
    target = tmp_path / "projects" / "2026"
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(target),
         "author_email=nobody"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    # The hook's reason alone: cookiecutter's log and traceback are silenced.
    assert result.stderr == (
        "error: author_email 'nobody' is not an email address; e.g. author_email=team@example.com\n"
    )
    assert list(tmp_path.iterdir()) == []


# In process: the same command through `mlprod.cli.main`, so that the fast tier sees every
# line of `mlprod new`. capfd, not capsys: cookiecutter runs the hooks in a subprocess.

FIRST_COMMIT = f"Initial commit from mlprod-template {template_context()['_mlprod_version']}"


@pytest.fixture(autouse=True)
def removal_only_under(tmp_path, monkeypatch):
    """Refuse any removal outside the test's directory: a broken `mlprod new` could
    otherwise remove an ancestor of the output directory."""
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        if not Path(path).resolve().is_relative_to(tmp_path.resolve()):
            raise AssertionError(f"mlprod new removed {path}, outside {tmp_path}")
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)


def mlprod_new(capfd, *args) -> tuple[int, str, str]:
    code = main(["new", *map(str, args)])
    out, err = capfd.readouterr()
    return code, out, err


def head_subject(project: Path) -> str:
    return git_output(project, "log", "-1", "--format=%s").strip()


def git_output(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def test_new_in_process_creates_the_output_directory_and_applies_every_answer(
    tmp_path, monkeypatch, capfd
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "projects" / "2026"
    code, out, err = mlprod_new(
        capfd, "--no-input", "--output-dir", target, "project_name=Churn Model", "ci=gitlab"
    )
    assert (code, err) == (0, "")
    assert out.startswith("\nCreated churn-model/ with the batch deployment scaffold.\n")
    project = target / "churn-model"
    assert "# Churn Model" in (project / "README.md").read_text(encoding="utf-8")
    # The post-generation hook ran: unselected files removed, the first commit made.
    assert (project / ".gitlab-ci.yml").is_file()
    assert not (project / ".github").exists()
    assert not (project / "src" / "churn_model" / "serve.py").exists()
    assert head_subject(project) == FIRST_COMMIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projects"]
    assert sorted(p.name for p in target.iterdir()) == ["churn-model"]


def test_new_in_process_defaults_to_the_current_directory(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    code, out, err = mlprod_new(capfd, "--no-input")
    assert (code, err) == (0, "")
    assert out.startswith("\nCreated my-ml-project/ with the batch deployment scaffold.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-ml-project"]
    assert head_subject(tmp_path / "my-ml-project") == FIRST_COMMIT


def test_a_refused_answer_in_process_prints_one_line_and_removes_what_it_made(
    tmp_path, monkeypatch, capfd, caplog
):
    monkeypatch.chdir(tmp_path)
    code, out, err = mlprod_new(
        capfd, "--no-input", "-o", tmp_path / "projects" / "2026", "author_email=nobody"
    )
    assert (code, out) == (1, "")
    # The hook's reason alone: no cookiecutter log line, no traceback.
    assert err == (
        "error: author_email 'nobody' is not an email address; e.g. author_email=team@example.com\n"
    )
    assert [record.name for record in caplog.records] == []
    assert list(tmp_path.iterdir()) == []


def test_a_refused_answer_keeps_an_output_directory_that_existed(tmp_path, capfd):
    (tmp_path / "mine.txt").write_text("kept")
    code, _, err = mlprod_new(capfd, "--no-input", "-o", tmp_path, "author_email=nobody")
    assert code == 1
    assert err.startswith("error: author_email 'nobody' is not an email address")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_an_existing_project_is_refused_in_process_with_the_fix(tmp_path, capfd):
    (tmp_path / "my-ml-project").mkdir()
    (tmp_path / "my-ml-project" / "work.txt").write_text("mine")
    code, out, err = mlprod_new(capfd, "--no-input", "-o", tmp_path)
    assert (code, out) == (2, "")
    assert err == (
        f'mlprod new: error: "{tmp_path / "my-ml-project"}" directory already exists; '
        "choose another project_slug or --output-dir\n"
    )
    assert [p.name for p in (tmp_path / "my-ml-project").iterdir()] == ["work.txt"]


def test_an_output_directory_that_is_a_file_is_refused(tmp_path, capfd):
    target = tmp_path / "projects"
    target.write_text("not a directory")
    code, out, err = mlprod_new(capfd, "--no-input", "-o", target)
    assert (code, out) == (2, "")
    assert err == (
        f"mlprod new: error: output directory {target} is a file; give a directory with -o\n"
    )
    assert target.read_text() == "not a directory"


def test_new_help_names_the_arguments(monkeypatch, capfd):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exit_:
        main(["new", "--help"])
    out = capfd.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith("usage: mlprod new [-h] [--no-input] [-o OUTPUT_DIR] [KEY=VALUE ...]\n")
    for line in [
        "  KEY=VALUE             template options, e.g. project_name='Churn Model' deployment=both",
        "  --no-input            do not prompt; use defaults and KEY=VALUE",
        "  -o OUTPUT_DIR, --output-dir OUTPUT_DIR\n"
        "                        where to create the project",
    ]:
        assert line in out


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("deployment", "option 'deployment' is not KEY=VALUE; write e.g. deployment=both"),
        ("=both", "option '=both' is not KEY=VALUE; write e.g. deployment=both"),
        ("colour=blue", "unknown option 'colour'; choose from: ci, deployment, project_name"),
    ],
)
def test_an_option_that_is_not_a_known_key_value_is_refused(pair, message):
    with pytest.raises(UsageError) as error:
        parse_options([pair], {"project_name", "deployment", "ci"})
    assert str(error.value) == message


def test_an_option_value_may_hold_an_equals_sign():
    pairs = ["project_name=a=b", "deployment=both"]
    assert parse_options(pairs, {"project_name", "deployment"}) == {
        "project_name": "a=b",
        "deployment": "both",
    }


@pytest.fixture
def ascii_locale():
    """The C locale, whose encoding is ASCII, as on a machine set up without UTF-8."""
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)


def test_public_options_are_the_template_options_without_private_keys(tmp_path, ascii_locale):
    context = {
        "project_name": "Straße Model",
        "deployment": ["batch", "realtime"],
        "_copy_without_render": ["*.ipynb"],
        "_mlprod_version": "1.0.0",
    }
    (tmp_path / "cookiecutter.json").write_text(
        json.dumps(context, ensure_ascii=False), encoding="utf-8"
    )
    assert public_options(tmp_path) == {
        "project_name": "Straße Model",
        "deployment": ["batch", "realtime"],
    }
