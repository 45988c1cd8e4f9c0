"""Finding the old render: in the project's history, or by rendering the record again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bakery import template_context

from mlprod.template import template_dir
from mlprod.update.base import (
    RENDER_COMMITTER,
    from_history,
    render_message,
    rendered_again,
    rendering_templates,
)
from mlprod.update.git import RENDER_IDENTITY, Git
from mlprod.update.record import RECORD, Record
from mlprod.update.render import Template, clone
from update.tiny import commit_all, files_of, template_repository, tiny_template

ANSWERS = {"project_name": "Tiny", "project_slug": "tiny", "deployment": "batch"}


def record_text(version: str, **answers: str) -> str:
    context = {**ANSWERS, **answers, "_mlprod_version": version}
    data = {"template": "mlprod-template", "commit": f"v{version}", "checkout": None,
            "context": {"cookiecutter": context}, "directory": None, "skip": [".git"]}  # fmt: skip
    return json.dumps(data, indent=2) + "\n"


def record(version: str, **answers: str) -> Record:
    return Record.parse(record_text(version, **answers))


def new_repository(path: Path) -> Git:
    path.mkdir(parents=True)
    git = Git(path)
    git("init", "--quiet", "--initial-branch=main")
    return git


def commit(git: Git, message: str, files: dict[str, str], **env: str) -> str:
    for name, text in files.items():
        (git.cwd / name).write_text(text)
    git("add", "--all")
    git("commit", "--quiet", "--no-verify", "-m", message, env=env or None)
    return git("rev-parse", "HEAD").strip()


def render_commit(git: Git, version: str, files: dict[str, str], parent: str) -> str:
    """A render commit as mlprod makes it, merged into the project's branch."""
    index = git.cwd / ".git" / "render-index"
    env = {"GIT_INDEX_FILE": str(index)}
    git("read-tree", "--empty", env=env)
    for name, text in files.items():
        blob = git("hash-object", "-w", "--", str(write_temp(git, text))).strip()
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
    tree = git("write-tree", env=env).strip()
    render = git.commit_tree(tree, render_message(version), parent)
    merged = git("commit-tree", "HEAD^{tree}", "-p", "HEAD", "-p", render, "-m", "Update").strip()
    git("reset", "--quiet", "--hard", merged)
    return render


def write_temp(git: Git, text: str) -> Path:
    path = git.cwd / ".git" / "blob"
    path.write_text(text)
    return path


@pytest.fixture
def project(tmp_path) -> Git:
    return new_repository(tmp_path / "project")


def test_the_render_message_carries_the_trailer():
    assert render_message("0.3.0") == "mlprod-template 0.3.0\n\nMlprod-Render: 0.3.0\n"
    assert RENDER_COMMITTER == "mlprod-template@localhost 2000-01-01T00:00:00+00:00"


def test_the_first_commit_is_the_render_of_its_record(project):
    first = commit(project, "Initial commit from mlprod-template 0.2.0",
                   {RECORD: record_text("0.2.0"), "README.md": "# Tiny\n"})  # fmt: skip
    # A later commit of the team with the same subject is not a render.
    commit(project, "Initial commit from mlprod-template 0.2.0", {"README.md": "# Ours\n"})
    assert from_history(project, record("0.2.0"), "0.2.0") == first
    assert from_history(project, record("0.2.0", deployment="both"), "0.2.0") is None
    assert from_history(project, record("0.3.0"), "0.3.0") is None


def test_a_project_without_a_record_finds_its_first_commit_by_version(project):
    first = commit(project, "Initial commit from mlprod-template 0.1.0", {"README.md": "# T\n"})
    commit(project, "Team work", {"README.md": "# Ours\n"})
    assert from_history(project, None, "0.1.0") == first
    assert from_history(project, None, "0.2.0") is None
    # With a record, a first commit that has none is not its render.
    assert from_history(project, record("0.1.0"), "0.1.0") is None


def test_a_first_commit_with_a_record_is_not_the_render_of_an_unrecorded_project(project):
    commit(project, "Initial commit from mlprod-template 0.1.0", {RECORD: record_text("0.1.0")})
    assert from_history(project, None, "0.1.0") is None


def test_renders_merged_by_earlier_updates_are_found(project):
    first = commit(project, "Initial commit from mlprod-template 0.2.0",
                   {RECORD: record_text("0.2.0")})  # fmt: skip
    commit(project, "Team work", {"README.md": "# Ours\n"})
    render = render_commit(project, "0.3.0", {RECORD: record_text("0.3.0")}, first)
    assert from_history(project, record("0.3.0"), "0.3.0") == render
    assert from_history(project, record("0.2.0"), "0.2.0") == first


def test_a_copied_render_message_is_not_a_render(project):
    first = commit(project, "Initial commit from mlprod-template 0.2.0",
                   {RECORD: record_text("0.2.0")})  # fmt: skip
    # A cherry-pick or rebase copies the message, with the user as committer.
    commit(project, render_message("0.3.0"), {RECORD: record_text("0.3.0")})
    assert from_history(project, record("0.3.0"), "0.3.0") is None
    assert from_history(project, record("0.2.0"), "0.2.0") == first


def test_a_rebased_first_commit_is_not_a_render_but_later_renders_still_are(project):
    # Rebased: the author date is the original one, the commit date that of the rebase.
    first = commit(
        project,
        "Initial commit from mlprod-template 0.2.0",
        {RECORD: record_text("0.2.0"), "README.md": "# Tiny, rebased onto our notes\n"},
        GIT_AUTHOR_DATE="2024-01-01T00:00:00+00:00",
        GIT_COMMITTER_DATE="2024-02-01T00:00:00+00:00",
    )
    assert from_history(project, record("0.2.0"), "0.2.0") is None
    render = render_commit(project, "0.3.0", {RECORD: record_text("0.3.0")}, first)
    assert from_history(project, record("0.3.0"), "0.3.0") == render


def test_the_edge_of_a_shallow_clone_is_not_taken_for_the_first_commit(project, tmp_path):
    commit(project, "Initial commit from mlprod-template 0.2.0", {RECORD: record_text("0.2.0")})
    # A squash of the team's work that kept the first commit's subject and record.
    commit(project, "Initial commit from mlprod-template 0.2.0", {"README.md": "# Ours\n"})
    shallow = tmp_path / "shallow"
    Git(tmp_path)("clone", "--quiet", "--depth", "1", f"file://{project.cwd}", str(shallow))
    assert (shallow / ".git" / "shallow").is_file()
    assert from_history(Git(shallow), record("0.2.0"), "0.2.0") is None


# --- rendering the record again -------------------------------------------------------


def venv_template(project: Path, version: str) -> Path:
    where = project / ".venv" / "lib" / "python3.11" / "site-packages" / "mlprod" / "template"
    return tiny_template(where, version=version)


def test_a_release_is_rendered_by_the_bundled_or_the_venvs_template(tmp_path):
    project = tmp_path / "project"
    assert list(rendering_templates(record("0.0.7"), project, None)) == []
    venv_template(project, "0.0.7")
    found = list(rendering_templates(record("0.0.7"), project, None))
    assert [template.path for template in found] == [
        project / ".venv/lib/python3.11/site-packages/mlprod/template"
    ]
    bundled_version = template_context()["_mlprod_version"]
    found = list(rendering_templates(record(bundled_version), project, None))
    assert [template.path for template in found] == [template_dir()]
    # A record from a git commit is rendered only by that commit.
    from_git = Record("https://example.com/t.git", "abc1234", ANSWERS, "0.2.0")
    assert list(rendering_templates(from_git, project, None)) == []


def test_a_given_template_renders_the_recorded_commit(tmp_path):
    repo = template_repository(tmp_path / "template", version="0.2.0")
    old = repo("rev-parse", "HEAD").strip()
    (repo.cwd / "cookiecutter.json").write_text(
        (repo.cwd / "cookiecutter.json").read_text().replace("0.2.0", "0.3.0")
    )
    commit_all(repo, "0.3.0")
    given = clone(str(repo.cwd), None, tmp_path / "clone")
    recorded = Record("https://example.com/t.git", old, ANSWERS, "0.2.0", "release")
    (found,) = rendering_templates(recorded, tmp_path / "project", given)
    assert (found.path, found.version) == (given.path, "0.2.0")
    assert (found.source, found.commit, found.checkout) == (
        "https://example.com/t.git",
        old,
        "release",
    )
    # A commit the given clone does not have: the release's templates, here none.
    missing = Record("https://example.com/t.git", "0" * 40, ANSWERS, "0.2.0")
    assert list(rendering_templates(missing, tmp_path / "project", given)) == []
    # A template directory (no git) renders a release only if it is that release.
    plain = Template.at(tiny_template(tmp_path / "plain", version="0.2.0"))
    assert list(rendering_templates(recorded, tmp_path / "project", plain)) == []


def test_the_record_rendered_again_is_a_render_commit(project, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    venv_template(project.cwd, "0.0.7")
    recorded = record("0.0.7", deployment="both", project_name="Old Name")
    commit_hash = rendered_again(project, recorded, None, scratch)
    assert commit_hash is not None
    log = project("log", "-1", "--format=%B%n%an <%ae> %cI", commit_hash)
    assert log == render_message("0.0.7") + "\nmlprod-template <mlprod-template@localhost> " + (
        RENDER_IDENTITY["GIT_COMMITTER_DATE"] + "\n"
    )
    files = files_of(project, commit_hash)
    assert files["README.md"] == "# Old Name\n\nDeployment: both\n"
    assert json.loads(files[RECORD])["commit"] == "v0.0.7"
    assert [path.name[:7] for path in scratch.iterdir()] == ["render-"]  # rendered in scratch
    assert rendered_again(project, record("0.9.9"), None, scratch) is None


def test_the_record_of_a_git_render_is_rendered_again_with_its_pin(project, tmp_path):
    repo = template_repository(tmp_path / "template", version="0.2.0")
    old = repo("rev-parse", "HEAD").strip()
    given = clone(str(repo.cwd), None, tmp_path / "clone")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    recorded = Record("https://example.com/t.git", old, ANSWERS, "0.2.0", "release")
    files = files_of(project, rendered_again(project, recorded, given, scratch))
    data = json.loads(files[RECORD])
    assert (data["template"], data["commit"], data["checkout"]) == (
        "https://example.com/t.git",
        old,
        "release",
    )


def test_a_shallow_clone_still_finds_a_render_within_its_depth(project, tmp_path):
    first = commit(project, "Initial commit from mlprod-template 0.2.0",
                   {RECORD: record_text("0.2.0")})  # fmt: skip
    for name in ("a", "b", "c"):
        edge = commit(project, f"Team work {name}", {f"{name}.md": f"{name}\n"})
    commit(project, "Team work d", {"d.md": "d\n"})
    render = render_commit(project, "0.3.0", {RECORD: record_text("0.3.0")}, first)
    shallow = tmp_path / "shallow"
    Git(tmp_path)("clone", "--quiet", "--depth", "3", f"file://{project.cwd}", str(shallow))
    clone = Git(shallow)
    # The clone's edge on the team's line (its parent cut off) comes first, and is no
    # render; the merged render after it is.
    assert clone("rev-list", "--max-parents=0", "HEAD").split() == [edge, first]
    assert from_history(clone, record("0.3.0"), "0.3.0") == render


def test_a_copied_render_message_does_not_hide_the_real_render_before_it(project):
    first = commit(project, "Initial commit from mlprod-template 0.2.0",
                   {RECORD: record_text("0.2.0")})  # fmt: skip
    render = render_commit(project, "0.3.0", {RECORD: record_text("0.3.0")}, first)
    commit(project, render_message("0.3.0"), {"notes.md": "cherry-picked\n"})
    assert from_history(project, record("0.3.0"), "0.3.0") == render
