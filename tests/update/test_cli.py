"""`mlprod update` refuses what it must before touching anything, and merges with real git."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bakery import bake_project, template_context

from mlprod.errors import UsageError
from mlprod.update.cli import missing_base, recorded, report
from mlprod.update.git import Git
from mlprod.update.merge import Outcome
from mlprod.update.record import Record
from mlprod.update.render import Template
from update import tiny
from update.changes import git

STATE = ("status", "--porcelain=v1", "--untracked-files=all")


@pytest.fixture
def project(tmp_path) -> Path:
    """A freshly generated batch project, on a feature branch."""
    path = bake_project(tmp_path / "out")
    git(path, "switch", "--quiet", "-c", "feature/update")
    return path


def state(project: Path) -> tuple[str, str, bytes, bool]:
    merging = (project / ".git" / "MERGE_HEAD").exists()
    index = (project / ".git" / "index").read_bytes()
    return git(project, *STATE), git(project, "rev-parse", "HEAD"), index, merging


def new_error(tmp_path: Path, *options: str) -> str:
    """What `mlprod new` says about the same answers."""
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path / "new"),
         *options],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[0].removeprefix("mlprod new: ")


def test_a_dirty_work_tree_is_refused_and_kept(cli, project):
    (project / "params.yaml").write_text("sample:\n  rows: 10\n")
    before = state(project)
    code, out, err = cli("update", project)
    assert code == 2
    assert err == (
        "mlprod update: error: the work tree has uncommitted changes; "
        "commit or stash them (git stash) first\n"
    )
    assert state(project) == before


def test_main_is_refused(cli, project):
    git(project, "switch", "--quiet", "main")
    before = state(project)
    code, _, err = cli("update", project)
    assert code == 2
    assert err.startswith("mlprod update: error: on branch main")
    assert err.strip().endswith("run git switch -c update/template first")
    assert state(project) == before


@pytest.mark.parametrize(
    "answer", ["deployment=never", "colour=blue", "project_slug=", "author_email=nobody"]
)
def test_a_bad_set_is_refused_with_the_message_of_mlprod_new(cli, project, tmp_path, answer):
    before = state(project)
    code, out, err = cli("update", project, "--set", answer)
    assert code == 2
    assert err.strip().splitlines() == [f"mlprod update: {new_error(tmp_path, answer)}"]
    assert state(project) == before


def test_checkout_without_template_is_refused(cli, project):
    code, _, err = cli("update", project, "--checkout", "v9")
    assert code == 2
    assert "--checkout needs --template" in err


def test_a_directory_that_is_not_a_repository_is_refused(cli, tmp_path):
    code, _, err = cli("update", tmp_path)
    assert code == 2
    assert err == (
        f"mlprod update: error: {tmp_path} is not a git repository; "
        "run mlprod update in a project\n"
    )


def test_without_template_changes_update_does_nothing(cli, project):
    before = state(project)
    code, out, _ = cli("update", project)
    version = template_context()["_mlprod_version"]
    assert (code, out) == (0, f"mlprod update: already up to date with mlprod-template {version}\n")
    assert state(project) == before


def test_set_deployment_both_adds_the_serving_scaffold(cli, project):
    code, out, _ = cli("update", project, "--set", "deployment=both")
    assert code == 0, out
    assert "(set deployment=both) cleanly" in out.splitlines()[0]
    staged = git(project, "diff", "--cached", "--name-status").splitlines()
    assert "A\tsrc/my_ml_project/serve.py" in staged
    assert "A\ttests/test_serve.py" in staged
    assert '"fastapi>=0.115",' in (project / "pyproject.toml").read_text()
    assert "\nserve: ## " in (project / "Makefile").read_text()
    assert '"deployment": "both"' in (project / ".cruft.json").read_text()
    # Uncommitted, as `git merge --no-commit` leaves it; the commit will record the render.
    assert git(project, "rev-parse", "MERGE_HEAD").strip()
    message = (project / ".git" / "MERGE_MSG").read_text()
    assert message.startswith("Update to mlprod-template")


def test_a_broken_record_is_refused_with_how_to_restore_it(cli, project):
    (project / ".cruft.json").write_text('{"template": "x"}\n')
    git(project, "commit", "--quiet", "--no-verify", "-am", "broken record")
    code, _, err = cli("update", project)
    assert code == 2
    assert err == (
        "mlprod update: error: .cruft.json is not a record of mlprod-template (no "
        "context.cookiecutter with _mlprod_version); restore it from history, e.g. "
        "git log -p -- .cruft.json\n"
    )


# --- the whole command on a tiny template (fast) ---------------------------------------

TINY_ANSWERS = {"project_name": "Tiny", "project_slug": "tiny", "deployment": "batch"}


def tiny_release(where: Path, version: str, readme: str = tiny.README) -> Path:
    return tiny.tiny_template(where, version=version, readme=readme)


@pytest.fixture
def tiny_project(tmp_path) -> Path:
    """A project generated from a tiny template 0.2.0, its first commit as the hook makes
    it, then a team commit on a feature branch."""
    from cookiecutter.main import cookiecutter

    template = tiny_release(tmp_path / "release-0.2.0", "0.2.0")
    path = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path / "out")))
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "Initial commit from mlprod-template 0.2.0")
    git(path, "switch", "--quiet", "-c", "feature/update")
    (path / "docs").mkdir()
    (path / "docs" / "NOTES.md").write_text("Our notes.\n")
    git(path, "add", "docs/NOTES.md")
    git(path, "commit", "--quiet", "-m", "Team notes")
    return path


NEW_README = (
    "# {{ cookiecutter.project_name }}\n\nDeployment: {{ cookiecutter.deployment }}\n\nMore.\n"
)
CLEAN_TAIL = "Left uncommitted for review: git diff --cached; make test && make lint; git commit\n"


def test_an_update_from_a_template_directory_merges_and_says_what(cli, tiny_project, tmp_path):
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0", readme=NEW_README)
    code, out, err = cli("update", tiny_project, "--template", release)
    assert (code, err) == (0, "")
    assert out == (
        "mlprod update: merged mlprod-template 0.2.0 -> 0.3.0 cleanly\n"
        "  M .cruft.json\n"
        "  M README.md\n" + CLEAN_TAIL
    )
    assert (tiny_project / "README.md").read_text() == "# Tiny\n\nDeployment: batch\n\nMore.\n"
    merge_head = git(tiny_project, "rev-parse", "MERGE_HEAD").strip()
    assert git(tiny_project, "log", "-1", "--format=%B", merge_head) == (
        "mlprod-template 0.3.0\n\nMlprod-Render: 0.3.0\n\n"
    )
    # The new render's parent is the old one: the project's first commit.
    first = git(tiny_project, "rev-list", "--max-parents=0", "HEAD").strip()
    assert git(tiny_project, "rev-parse", f"{merge_head}^").strip() == first
    assert (tiny_project / ".git" / "MERGE_MSG").read_text() == (
        "Update to mlprod-template 0.2.0 -> 0.3.0\n"
    )


def test_a_dry_run_lists_the_changes_and_changes_nothing(cli, tiny_project, tmp_path):
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0", readme=NEW_README)
    (tiny_project / "scratch.txt").write_text("untracked: no reason to refuse\n")
    before = state(tiny_project)
    code, out, _ = cli(
        "update", tiny_project, "--template", release, "--dry-run",
        "--set", "deployment=both", "--set", "project_name=Tiny Two",
    )  # fmt: skip
    assert code == 0
    assert out == (
        "mlprod update: would merge mlprod-template 0.2.0 -> 0.3.0 "
        "(set deployment=both project_name=Tiny Two) cleanly\n"
        "  M .cruft.json\n"
        "  M README.md\n"
        "Nothing was changed (--dry-run).\n"
    )
    assert state(tiny_project) == before


def test_a_conflict_is_reported_with_how_to_resolve_it(cli, tiny_project, tmp_path):
    (tiny_project / "README.md").write_text("# Tiny\n\nDeployment: batch\n\nOurs.\n")
    git(tiny_project, "commit", "--quiet", "-am", "Our README")
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0", readme=NEW_README)
    code, out, _ = cli("update", tiny_project, "--template", release)
    assert code == 1
    assert out == (
        "mlprod update: merged mlprod-template 0.2.0 -> 0.3.0 with 1 conflict\n"
        "  M .cruft.json\n"
        "  conflict (both modified): README.md\n" + RESOLVE
    )
    assert "<<<<<<<" in (tiny_project / "README.md").read_text()


def test_an_update_run_in_the_project_directory_needs_no_path(
    cli, tiny_project, tmp_path, monkeypatch
):
    monkeypatch.chdir(tiny_project / "docs")
    code, out, _ = cli("update", "--template", tiny_release(tmp_path / "same", "0.2.0"))
    assert (code, out) == (0, "mlprod update: already up to date with mlprod-template 0.2.0\n")


def test_changes_the_project_already_has_are_not_merged_again(cli, tiny_project, tmp_path):
    (tiny_project / "README.md").write_text("# Tiny\n\nDeployment: batch\n\nMore.\n")
    git(tiny_project, "commit", "--quiet", "-am", "The template's change, by hand")
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0", readme=NEW_README)
    code, out, _ = cli("update", tiny_project, "--template", release, "--dry-run")
    # Only the record's version is left to merge.
    assert (code, out.splitlines()[1:3]) == (
        0,
        ["  M .cruft.json", "Nothing was changed (--dry-run)."],
    )


def test_an_update_from_a_template_repository_names_its_commits(cli, tiny_project, tmp_path):
    repository = tiny.template_repository(tmp_path / "template", "0.2.0", readme=NEW_README)
    (repository.cwd / "cookiecutter.json").write_text(
        (repository.cwd / "cookiecutter.json").read_text().replace("0.2.0", "0.3.0")
    )
    head = tiny.commit_all(repository, "0.3.0")
    code, out, _ = cli("update", tiny_project, "--template", repository.cwd)
    assert code == 0
    assert out.splitlines()[0] == (
        f"mlprod update: merged mlprod-template 0.2.0 -> 0.3.0 ({head[:7]}) cleanly"
    )
    record = Record.parse((tiny_project / ".cruft.json").read_text())
    assert (record.template, record.commit, record.checkout) == (str(repository.cwd), head, None)
    git(tiny_project, "commit", "--quiet", "--no-edit")
    # The next update starts from that commit: its render is in the history.
    (repository.cwd / tiny.SLUG_DIR / "README.md").write_text(NEW_README + "Even more.\n")
    (repository.cwd / "cookiecutter.json").write_text(
        (repository.cwd / "cookiecutter.json").read_text().replace("0.3.0", "0.4.0")
    )
    newer = tiny.commit_all(repository, "0.4.0")
    code, out, _ = cli("update", tiny_project, "--template", repository.cwd, "--dry-run")
    assert out.splitlines()[0] == (
        f"mlprod update: would merge mlprod-template 0.3.0 ({head[:7]}) -> 0.4.0 ({newer[:7]}) "
        "cleanly"
    )
    assert out.splitlines()[1:3] == ["  M .cruft.json", "  M README.md"]


def test_after_a_squash_the_old_render_is_made_again_and_nothing_is_left_in_temp(
    cli, tiny_project, tmp_path, monkeypatch
):
    repository = tiny.template_repository(tmp_path / "template", "0.2.0", readme=NEW_README)
    (repository.cwd / "cookiecutter.json").write_text(
        (repository.cwd / "cookiecutter.json").read_text().replace("0.2.0", "0.3.0")
    )
    tiny.commit_all(repository, "0.3.0")
    assert cli("update", tiny_project, "--template", repository.cwd)[0] == 0
    git(tiny_project, "commit", "--quiet", "--no-edit")
    # Squash the whole history: the 0.3.0 render is no longer in it.
    branch = git(tiny_project, "branch", "--show-current").strip()
    git(tiny_project, "checkout", "--quiet", "--orphan", "squashed")
    git(tiny_project, "commit", "--quiet", "-m", "Squashed")
    git(tiny_project, "branch", "--quiet", "-D", branch)
    (repository.cwd / tiny.SLUG_DIR / "README.md").write_text(NEW_README + "Even more.\n")
    (repository.cwd / "cookiecutter.json").write_text(
        (repository.cwd / "cookiecutter.json").read_text().replace("0.3.0", "0.4.0")
    )
    tiny.commit_all(repository, "0.4.0")
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code, out, err = cli("update", tiny_project, "--template", repository.cwd)
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == ["  M .cruft.json", "  M README.md", CLEAN_TAIL.strip()]
    assert (tiny_project / "README.md").read_text() == (
        "# Tiny\n\nDeployment: batch\n\nMore.\nEven more.\n"
    )
    assert list(temp.iterdir()) == []


def test_without_its_old_render_the_project_is_told_how_to_get_one(cli, tiny_project, tmp_path):
    # A record of a version nothing at hand renders, and no first commit of it.
    record = tiny_project / ".cruft.json"
    record.write_text(record.read_text().replace("0.2.0", "0.0.5"))
    git(tiny_project, "commit", "--quiet", "-am", "Record from elsewhere")
    before = state(tiny_project)
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0", readme=NEW_README)
    code, _, err = cli("update", tiny_project, "--template", release)
    assert code == 2
    assert err == (
        "mlprod update: error: the render of mlprod-template 0.0.5 this project was made from "
        "is not in this clone's history and no template at hand renders it; run make setup (it "
        "installs mlprod 0.0.5 in .venv), or pass --template <a clone of mlprod-template>\n"
    )
    assert state(tiny_project) == before


def test_the_missing_base_names_the_recorded_template_or_the_mlprod_one():
    from_git = Record("https://example.com/t.git", "abc1234", {}, "0.3.0")
    assert missing_base(from_git).endswith("pass --template <a clone of https://example.com/t.git>")
    release = Record("", "v0.1.0", {}, "0.1.0")
    assert missing_base(release).endswith("pass --template <a clone of the mlprod template>")


def test_a_repository_without_a_commit_is_refused(cli, tmp_path):
    git(tmp_path, "init", "--quiet")
    code, _, err = cli("update", tmp_path)
    assert (code, err) == (
        2,
        "mlprod update: error: the repository has no commit yet; "
        "commit the generated project first\n",
    )


def test_the_help_names_every_option(cli, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as done:
        cli("update", "--help")
    assert done.value.code == 0
    assert capsys.readouterr().out == HELP


HELP = """\
usage: mlprod update [-h] [--template SRC] [--checkout REF] [--set KEY=VALUE] [--dry-run] [path]

merge template changes and changed answers into a project

positional arguments:
  path             the project (default .)

options:
  -h, --help       show this help message and exit
  --template SRC   a template clone or URL (default: the bundled one)
  --checkout REF   branch, tag or commit of --template
  --set KEY=VALUE  change an answer, e.g. --set deployment=both (repeatable)
  --dry-run        list what would change and conflict; change nothing
"""


# --- the report -----------------------------------------------------------------------

TITLE = "mlprod-template 0.2.0 -> 0.3.0"
RESOLVE = (
    "Resolve each conflict (edit out the <<<<<<< ======= >>>>>>> markers, or git mergetool), "
    "then git add (or git rm) it; make test && make lint; git commit. "
    "To abandon the update: git merge --abort\n"
)


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_report_with_nothing_to_merge(capsys, dry_run):
    assert report(Outcome([], []), TITLE, dry_run=dry_run) == 0
    assert capsys.readouterr().out == (
        f"mlprod update: {TITLE}: the project already has every change\n"
    )


def test_a_clean_report_lists_the_changes(capsys):
    assert (
        report(
            Outcome(
                [("M", "Makefile"), ("A", "docs/x.md")],
                [],
            ),
            TITLE,
            False,
        )
        == 0
    )
    assert capsys.readouterr().out == (
        f"mlprod update: merged {TITLE} cleanly\n  M Makefile\n  A docs/x.md\n" + CLEAN_TAIL
    )
    assert report(Outcome([("D", "old.md")], []), TITLE, dry_run=True) == 0
    assert capsys.readouterr().out == (
        f"mlprod update: would merge {TITLE} cleanly\n  D old.md\n"
        "Nothing was changed (--dry-run).\n"
    )


def test_a_report_counts_conflicts_in_the_singular_and_the_plural(capsys):
    one = Outcome([], [("both modified", "Makefile")])
    assert report(one, TITLE, dry_run=False) == 1
    assert capsys.readouterr().out == (
        f"mlprod update: merged {TITLE} with 1 conflict\n"
        "  conflict (both modified): Makefile\n" + RESOLVE
    )
    two = Outcome([("M", "README.md")], [("both modified", "a"), ("deleted by both", "b")])
    assert report(two, TITLE, dry_run=True) == 1
    assert capsys.readouterr().out == (
        f"mlprod update: would merge {TITLE} with 2 conflicts\n"
        "  M README.md\n"
        "  conflict (both modified): a\n"
        "  conflict (deleted by both): b\n"
        "Nothing was changed (--dry-run).\n"
    )


# --- a project without a record ------------------------------------------------------

UNRECORDED_FILES = {
    "pyproject.toml": '[project]\nname = "tiny"\n\n'
    '[tool.hatch.build.targets.wheel]\npackages = ["src/tiny"]\n',
    "README.md": "# Tiny Model\n",
    "src/tiny/predict.py": "",
}


def unrecorded_project(tmp_path: Path, files: dict[str, str]) -> Git:
    """A 0.1.0 project: no record; its first commit as the 0.1.0 hook made it."""
    project = Git(tmp_path / "old")
    project.cwd.mkdir()
    project("init", "--quiet", "--initial-branch=main")
    for name, text in files.items():
        (project.cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (project.cwd / name).write_text(text)
    tiny.commit_all(project, "Initial commit from mlprod-template 0.1.0")
    return project


def test_a_project_without_a_record_is_read_from_its_first_commit(tmp_path):
    project = unrecorded_project(tmp_path, UNRECORDED_FILES)
    # Later renames do not change what the old render was made with.
    (project.cwd / "README.md").write_text("# Renamed Since\n")
    (project.cwd / "src" / "tiny" / "serve.py").write_text("")
    tiny.commit_all(project, "Team work")
    template = Template.at(tiny.tiny_template(tmp_path / "template", version="0.3.0"))
    record, changes = recorded(project, ["deployment=both"], template)
    assert (record.template, record.commit, record.version) == ("", "v0.1.0", "0.1.0")
    assert record.is_release
    assert record.answers["project_name"] == "Tiny Model"
    assert record.answers["project_slug"] == "tiny"
    assert record.answers["deployment"] == "batch"
    # An answer the files show, given again: a change to make.
    assert changes == {"deployment": "both"}


def test_an_answer_no_file_shows_is_asked_for_then_taken_as_the_old_one(tmp_path):
    # No README heading, no predict.py or serve.py: no name, no deployment.
    project = unrecorded_project(tmp_path, {"pyproject.toml": UNRECORDED_FILES["pyproject.toml"]})
    template = Template.at(tiny.tiny_template(tmp_path / "template", version="0.3.0"))
    with pytest.raises(UsageError) as refused:
        recorded(project, [], template)
    assert str(refused.value) == (
        "this project has no .cruft.json and its files do not show project_name, deployment; "
        "give them with --set, e.g. --set project_name=VALUE"
    )
    with pytest.raises(UsageError) as refused:
        recorded(project, ["project_name=Tiny Model"], template)
    assert str(refused.value) == (
        "this project has no .cruft.json and its files do not show deployment; "
        "give them with --set, e.g. --set deployment=VALUE"
    )
    record, changes = recorded(project, ["project_name=Tiny Model", "deployment=both"], template)
    assert (record.answers["project_name"], record.answers["deployment"]) == ("Tiny Model", "both")
    assert changes == {}


def test_a_project_with_no_0_1_0_first_commit_is_read_from_head(tmp_path):
    project = unrecorded_project(tmp_path, UNRECORDED_FILES)
    project("commit", "--quiet", "--amend", "-m", "Our own first commit")
    template = Template.at(tiny.tiny_template(tmp_path / "template", version="0.3.0"))
    record, changes = recorded(project, [], template)
    assert record.answers["project_name"] == "Tiny Model"
    assert changes == {}


def test_a_path_that_is_a_file_is_refused(cli, tiny_project):
    code, _, err = cli("update", tiny_project / "README.md")
    assert (code, err) == (
        2,
        f"mlprod update: error: {tiny_project / 'README.md'} is not a git repository; "
        "run mlprod update in a project\n",
    )


def test_an_option_the_record_predates_is_read_from_the_project(cli, tiny_project, tmp_path):
    release = tiny_release(
        tmp_path / "release-0.3.0",
        "0.3.0",
        readme=tiny.README + "Notebooks: {{ cookiecutter.notebook_format }}\n",
    )
    context = json.loads((release / "cookiecutter.json").read_text())
    context["notebook_format"] = ["ipynb", "jupytext"]
    (release / "cookiecutter.json").write_text(json.dumps(context))
    (tiny_project / "jupytext.toml").write_text('formats = "ipynb,py:percent"\n')
    git(tiny_project, "add", "jupytext.toml")
    git(tiny_project, "commit", "--quiet", "-m", "Paired notebooks")
    code, out, _ = cli("update", tiny_project, "--template", release)
    assert code == 0, out
    assert (tiny_project / "README.md").read_text().endswith("Notebooks: jupytext\n")
    record = Record.parse((tiny_project / ".cruft.json").read_text())
    assert record.answers["notebook_format"] == "jupytext"


def test_a_project_without_a_record_is_updated_from_its_first_commit(cli, tmp_path):
    project = unrecorded_project(tmp_path, UNRECORDED_FILES)
    project("switch", "--quiet", "-c", "update/template")
    release = tiny_release(tmp_path / "release-0.3.0", "0.3.0")
    code, out, _ = cli("update", project.cwd, "--template", release, "--set", "deployment=both")
    assert code == 0, out
    assert out.splitlines()[0] == (
        "mlprod update: merged mlprod-template 0.1.0 -> 0.3.0 (set deployment=both) cleanly"
    )
    assert (project.cwd / "README.md").read_text() == "# Tiny Model\n\nDeployment: both\n"
