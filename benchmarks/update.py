"""Time `mlprod update` next to `cruft update` on the same project and template change.

The template is a local git clone of this checkout's template; the project is generated
from it and changed by its team (its README description). Two template changes are taken,
each by both tools on fresh copies of the project:

- clean: a new Makefile target, which nobody else touched;
- conflict: the README description line, which the team also changed.

Prints, per case and tool, the median wall time, the exit code, and what the tool left:
unmerged paths with conflict markers, `.rej` files, and whether the template's change is
in the project at all (a change neither merged nor marked is a silently dropped one).

    python benchmarks/update.py [--runs 5] [--cruft PATH]   # cruft: pip install cruft
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_FILES = ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}")
SLUG_DIR = "{{cookiecutter.project_slug}}"
TEAM_LINE = "We predict which customers open an email."
TEMPLATE_LINE = "{{ cookiecutter.description }} See docs/README.md."
IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def sh(*cmd: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in cmd], cwd=cwd, capture_output=True, text=True, check=check,
        env={**os.environ, **IDENTITY},
    )  # fmt: skip


def commit_all(repo: Path, message: str) -> str:
    sh("git", "add", "--all", cwd=repo)
    sh("git", "commit", "--quiet", "--no-verify", "-m", message, cwd=repo)
    return sh("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


def template_repository(where: Path) -> str:
    where.mkdir()
    for name in TEMPLATE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, where / name)
    sh("git", "init", "--quiet", "--initial-branch=main", cwd=where)
    return commit_all(where, "release")


def generate(template: Path, out: Path) -> Path:
    sh(sys.executable, "-m", "cookiecutter", "--no-input", "-o", out, template, cwd=template)
    project = out / "my-ml-project"
    sh("git", "switch", "--quiet", "-c", "update/template", cwd=project)
    readme = project / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    lines[2] = TEAM_LINE + "\n"
    readme.write_text("".join(lines))
    commit_all(project, "team prose")
    return project


def for_cruft(project: Path, template: Path, commit: str) -> None:
    """Point the record at the local template clone and its commit, as `cruft create` would."""
    record = project / ".cruft.json"
    data = json.loads(record.read_text())
    data.update(template=str(template), commit=commit, checkout=None)
    record.write_text(json.dumps(data, indent=2) + "\n")
    commit_all(project, "cruft: the local template clone")


def change_template(template: Path, case: str) -> None:
    if case == "clean":
        with (template / SLUG_DIR / "Makefile").open("a") as makefile:
            makefile.write("\n.PHONY: hello\nhello: ## Say hello\n\t@echo hello\n")
    else:
        readme = template / SLUG_DIR / "README.md"
        text = readme.read_text().replace("{{ cookiecutter.description }}\n", TEMPLATE_LINE + "\n")
        readme.write_text(text)
    commit_all(template, case)


def landed(project: Path, case: str) -> bool:
    if case == "clean":
        return "\nhello: ## Say hello" in (project / "Makefile").read_text()
    return "See docs/README.md." in (project / "README.md").read_text()


def outcome(project: Path) -> tuple[int, int]:
    unmerged = sh("git", "diff", "--name-only", "--diff-filter=U", cwd=project).stdout.split()
    marked = [p for p in unmerged if "<<<<<<<" in (project / p).read_text(errors="replace")]
    rejects = [p for p in project.rglob("*.rej") if ".git" not in p.parts]
    return len(marked), len(rejects)


def run_tool(tool: str, project: Path, template: Path, cruft: str) -> tuple[float, int]:
    cmd = (
        [sys.executable, "-m", "mlprod", "update", "--template", str(template)]
        if tool == "mlprod update"
        else [cruft, "update", "--skip-apply-ask"]
    )
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=project, capture_output=True, text=True,
                            env={**os.environ, **IDENTITY}, stdin=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cruft", default=shutil.which("cruft"), help="the cruft executable")
    args = parser.parse_args()
    if not args.cruft:
        parser.error("cruft is not installed; pip install cruft, or pass --cruft PATH")
    print(f"median wall time over {args.runs} runs, each on a fresh copy of the project")
    print(f"  {'case':<9} {'tool':<14} {'wall':>8}  exit  marked conflicts  .rej  change in")
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        for case in ("clean", "conflict"):
            work = scratch / case
            work.mkdir()
            template = work / "template"
            released = template_repository(template)
            projects = {
                "mlprod update": generate(template, work / "mlprod"),
                "cruft update": generate(template, work / "cruft"),
            }
            for_cruft(projects["cruft update"], template, released)
            change_template(template, case)
            walls: dict[str, list[float]] = {tool: [] for tool in projects}
            seen: dict[str, tuple[int, int, int, bool]] = {}
            for round_ in range(args.runs):  # interleaved: machine noise hits both alike
                for tool, project in projects.items():
                    copy = work / f"{tool.split()[0]}-{round_}"
                    shutil.copytree(project, copy, symlinks=True)
                    wall, code = run_tool(tool, copy, template, args.cruft)
                    walls[tool].append(wall)
                    seen[tool] = (code, *outcome(copy), landed(copy, case))
                    shutil.rmtree(copy)
            for tool in projects:
                code, marked, rejects, change = seen[tool]
                median = statistics.median(walls[tool])
                print(f"  {case:<9} {tool:<14} {median:7.2f}s  {code:>4}  {marked:>16}  "
                      f"{rejects:>4}  {'yes' if change else 'NO'}")  # fmt: skip
            ratio = statistics.median(walls["mlprod update"]) / statistics.median(
                walls["cruft update"]
            )
            print(f"  {case:<9} ratio mlprod / cruft: {ratio:.2f}")


if __name__ == "__main__":
    main()
