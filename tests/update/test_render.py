"""Rendering a template into a tree of the project's repository, and finding templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bakery import template_context

from mlprod.errors import UsageError
from mlprod.template import template_dir
from mlprod.update.git import Git
from mlprod.update.record import Record
from mlprod.update.render import (
    Template,
    bundled,
    clone,
    installed_in,
    open_template,
    render,
    switch,
)
from update.tiny import (
    COMMITTING_HOOK,
    INIT_ONLY_HOOK,
    files_of,
    template_repository,
    tiny_template,
)

RENDERED_README = "# Tiny Model\n\nDeployment: both\n"
ANSWERS = {"project_name": "Tiny Model", "deployment": "both"}


@pytest.fixture
def project(tmp_path) -> Git:
    git = Git(tmp_path / "project")
    git.cwd.mkdir()
    git("init", "--quiet")
    return git


@pytest.fixture
def scratch(tmp_path) -> Path:
    (tmp_path / "scratch").mkdir()
    return tmp_path / "scratch"


@pytest.fixture
def no_identity(tmp_path, monkeypatch):
    """git with no identity at all: commits that do not bring their own are refused."""
    for role in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{role}_{part}", raising=False)
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def record_in(files: dict[str, str]) -> dict:
    return json.loads(files[".cruft.json"])


def test_a_render_without_a_hook_commit_is_committed_by_mlprod(
    tmp_path, project, scratch, no_identity, monkeypatch
):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    template = Template.at(tiny_template(tmp_path / "template"))
    tree = render(template, ANSWERS, project, scratch)
    files = files_of(project, tree)  # the tree was fetched into the project
    assert sorted(files) == [".cruft.json", "README.md"]
    assert files["README.md"] == RENDERED_README
    assert record_in(files)["commit"] == "v0.2.0"
    assert record_in(files)["context"]["cookiecutter"]["deployment"] == "both"
    # No FETCH_HEAD, no tags; cookiecutter's replay and clones stayed in the scratch dir.
    assert not (project.cwd / ".git" / "FETCH_HEAD").exists()
    assert project("tag") == ""
    assert [path.name[:7] for path in scratch.iterdir()] == ["render-"]
    assert list(cwd.iterdir()) == []


def test_the_hooks_first_commit_is_the_render_and_later_files_are_added(tmp_path, project, scratch):
    template = Template.at(tiny_template(tmp_path / "template", hook=COMMITTING_HOOK))
    tree = render(template, ANSWERS, project, scratch)
    files = files_of(project, tree)
    assert sorted(files) == [".cruft.json", ".gitignore", "README.md", "ignored.txt", "late.txt"]
    assert files["late.txt"] == "written after the commit\n"
    assert project("tag") == ""  # the render's tags stay in the scratch repository
    assert not (project.cwd / ".git" / "FETCH_HEAD").exists()


def test_a_hook_repository_without_a_commit_is_replaced_by_a_fresh_one(tmp_path, project, scratch):
    template = Template.at(tiny_template(tmp_path / "template", hook=INIT_ONLY_HOOK))
    tree = render(template, ANSWERS, project, scratch)
    assert sorted(files_of(project, tree)) == [".cruft.json", "README.md", "scratch.txt"]


def test_two_renders_of_the_same_answers_give_the_same_tree(tmp_path, project, scratch):
    template = Template.at(tiny_template(tmp_path / "template"))
    first = render(template, ANSWERS, project, scratch)
    assert render(template, ANSWERS, project, scratch) == first
    assert render(template, {"deployment": "batch"}, project, scratch) != first


def test_a_render_from_a_git_template_records_its_source_commit_and_checkout(
    tmp_path, project, scratch
):
    template = Template.at(
        tiny_template(tmp_path / "template"),
        source="https://example.com/tiny.git",
        commit="abc1234",
        checkout="release",
    )
    record = record_in(files_of(project, render(template, ANSWERS, project, scratch)))
    assert (record["template"], record["commit"], record["checkout"]) == (
        "https://example.com/tiny.git",
        "abc1234",
        "release",
    )
    pin = Record("https://example.com/old.git", "def5678", {}, "0.1.0", "v0.1.0")
    record = record_in(files_of(project, render(template, ANSWERS, project, scratch, pin=pin)))
    assert (record["template"], record["commit"], record["checkout"]) == (
        "https://example.com/old.git",
        "def5678",
        "v0.1.0",
    )


def test_a_render_from_a_release_keeps_its_own_record(tmp_path, project, scratch):
    template = Template.at(tiny_template(tmp_path / "template"))
    pin = Record("https://example.com/old.git", "def5678", {}, "0.1.0", "v0.1.0")
    record = record_in(files_of(project, render(template, ANSWERS, project, scratch, pin=pin)))
    assert (record["template"], record["commit"], record["checkout"]) == (
        "mlprod-template",
        "v0.2.0",
        None,
    )


def test_a_render_cookiecutter_refuses_says_cookiecutters_reason(tmp_path, project, scratch):
    template = Template.at(tiny_template(tmp_path / "template", readme="{{ broken }\n"))
    with pytest.raises(UsageError) as refused:
        render(template, ANSWERS, project, scratch)
    assert "unexpected '}'" in str(refused.value)
    assert not str(refused.value).startswith("error: ")


def test_a_hooks_error_line_is_the_whole_message(tmp_path, project, scratch):
    template = tiny_template(tmp_path / "template")
    (template / "hooks").mkdir()
    (template / "hooks" / "pre_gen_project.py").write_text(
        "import sys\n"
        "print('checking answers')\n"
        "print('warning: slow', file=sys.stderr)\n"
        "print('error: deployment=both needs a model; choose batch', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    with pytest.raises(UsageError) as refused:
        render(Template.at(template), ANSWERS, project, scratch)
    assert str(refused.value) == "deployment=both needs a model; choose batch"


# --- templates ----------------------------------------------------------------------


def test_a_template_is_its_public_options_and_version(tmp_path):
    path = tiny_template(tmp_path / "template", version="0.2.0")
    context = json.loads((path / "cookiecutter.json").read_text())
    context["_mlprod_version"] = 3  # a number in the file is still a version string
    (path / "cookiecutter.json").write_text(json.dumps(context))
    template = Template.at(path)
    assert (template.path, template.version) == (path, "3")
    assert template.options == {
        "project_name": "Tiny",
        "project_slug": "tiny",
        "deployment": ["batch", "both"],
    }
    assert (template.source, template.commit, template.checkout, template.is_git) == (
        None,
        None,
        None,
        False,
    )


@pytest.mark.parametrize(
    "content", [None, "{not json", '{"project_name": "x"}'], ids=["missing", "broken", "old"]
)
def test_a_directory_that_is_not_a_template_is_refused(tmp_path, content):
    path = tmp_path / "somewhere"
    path.mkdir()
    if content is not None:
        (path / "cookiecutter.json").write_text(content)
    expected = (
        "{} is not an mlprod template (no cookiecutter.json with _mlprod_version); "
        "give a clone of the mlprod template"
    )
    with pytest.raises(UsageError) as refused:
        Template.at(path)
    assert str(refused.value) == expected.format(path)
    with pytest.raises(UsageError) as refused:
        Template.at(path, source="https://example.com/t.git", commit="abc")
    assert str(refused.value) == expected.format("https://example.com/t.git")


def test_the_bundled_template_is_the_installed_packages():
    template = bundled()
    assert template.path == template_dir()
    assert template.version == template_context()["_mlprod_version"]
    assert not template.is_git


def test_the_template_in_the_projects_venv_is_found(tmp_path):
    project = tmp_path / "project"
    assert installed_in(project) is None
    for python, version in (("python3.12", "0.3.0"), ("python3.11", "0.2.0")):
        tiny_template(
            project / ".venv" / "lib" / python / "site-packages" / "mlprod" / "template",
            version=version,
        )
    found = installed_in(project)
    assert found is not None
    assert found.version == "0.2.0"
    assert found.path == project / ".venv/lib/python3.11/site-packages/mlprod/template"


def test_open_template_without_a_source_is_the_bundled_one(tmp_path):
    assert open_template(None, None, tmp_path).path == template_dir()
    with pytest.raises(UsageError) as refused:
        open_template(None, "v0.3.0", tmp_path)
    assert str(refused.value) == (
        "--checkout needs --template; e.g. --template <clone or URL> --checkout v0.3.0"
    )


def test_a_template_directory_is_used_in_place(tmp_path, monkeypatch):
    tiny_template(tmp_path / "home" / "template")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "home")
    for source in ("template", "~/template"):
        template = open_template(source, None, tmp_path / "scratch")
        assert template.path == tmp_path / "home" / "template"
        assert not template.is_git
    with pytest.raises(UsageError) as refused:
        open_template("template", "v1", tmp_path / "scratch")
    assert str(refused.value) == "--checkout needs a git repository, and template is not one"
    assert not (tmp_path / "scratch").exists()


def test_a_template_repository_is_cloned_at_the_ref_asked_for(tmp_path, monkeypatch):
    repo = template_repository(tmp_path / "template", version="0.2.0")
    tagged = repo("rev-parse", "HEAD").strip()
    (repo.cwd / "cookiecutter.json").write_text(
        (repo.cwd / "cookiecutter.json").read_text().replace("0.2.0", "0.3.0")
    )
    repo("commit", "--quiet", "-am", "0.3.0")
    head = repo("rev-parse", "HEAD").strip()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch2").mkdir()

    latest = open_template("template", None, tmp_path / "scratch")
    assert latest.path == tmp_path / "scratch" / "template"
    assert (latest.source, latest.commit, latest.checkout) == (str(repo.cwd), head, None)
    assert latest.version == "0.3.0"
    assert latest.is_git

    release = open_template(str(repo.cwd), "v0.2.0", tmp_path / "scratch2")
    assert (release.source, release.commit, release.checkout) == (
        str(repo.cwd),
        tagged,
        "v0.2.0",
    )
    assert release.version == "0.2.0"
    assert Git(release.path)("rev-parse", "HEAD").strip() == tagged


def test_a_ref_the_template_does_not_have_is_refused(tmp_path):
    repo = template_repository(tmp_path / "template")
    with pytest.raises(UsageError) as refused:
        clone(str(repo.cwd), "v9.9.9", tmp_path / "clone")
    assert str(refused.value) == (f"--checkout v9.9.9 is not a branch, tag or commit of {repo.cwd}")


def test_a_template_that_cannot_be_cloned_is_refused_with_gits_reason(tmp_path):
    source = str(tmp_path / "nowhere")
    with pytest.raises(UsageError) as refused:
        open_template(source, None, tmp_path)
    assert str(refused.value) == (
        f"cannot clone the template {source}: fatal: repository '{source}' does not exist"
    )


def test_a_clone_that_fails_without_a_message_is_refused_saying_so(tmp_path, git_dying_on):
    git_dying_on("clone")
    repo = template_repository(tmp_path / "template")
    with pytest.raises(UsageError) as refused:
        clone(str(repo.cwd), None, tmp_path / "clone")
    assert str(refused.value) == f"cannot clone the template {repo.cwd}: no message"


def test_switch_checks_out_a_ref_detached_and_says_whether_it_exists(tmp_path):
    repo = template_repository(tmp_path / "template", version="0.2.0")
    first = repo("rev-parse", "HEAD").strip()
    (repo.cwd / "NEWS.md").write_text("news\n")
    repo("add", "NEWS.md")
    repo("commit", "--quiet", "-m", "news")
    assert switch(repo.cwd, "v0.2.0") is True
    assert repo("rev-parse", "HEAD").strip() == first
    assert not (repo.cwd / "NEWS.md").exists()
    assert repo.run("symbolic-ref", "--quiet", "HEAD").returncode != 0  # detached
    assert switch(repo.cwd, "v9.9.9") is False
    assert repo("rev-parse", "HEAD").strip() == first


def test_a_template_url_is_cloned_as_given(tmp_path):
    repo = template_repository(tmp_path / "template", version="0.2.0")
    url = f"file://{repo.cwd}"
    (tmp_path / "scratch").mkdir()
    template = open_template(url, "v0.2.0", tmp_path / "scratch")
    assert (template.source, template.version) == (url, "0.2.0")
    assert template.commit == repo("rev-parse", "v0.2.0").strip()
