"""The `mlprod` entry point: version, help, exit codes."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import tomllib

import pytest
from bakery import REPO_ROOT, template_context

from mlprod import __version__
from mlprod import new as new_command
from mlprod.cli import COMMANDS, _missing_stats, main
from mlprod.errors import InvalidParameter, UsageError


def mlprod(*args):
    return subprocess.run([sys.executable, "-m", "mlprod", *args], capture_output=True, text=True)


def test_version_is_the_template_version():
    result = mlprod("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlprod {template_context()['_mlprod_version']}"


def test_no_command_prints_help_and_exits_2():
    result = mlprod()
    assert result.returncode == 2
    assert "new" in result.stdout


def test_console_script_is_declared():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["mlprod"] == "mlprod.cli:main"


def test_readme_options_table_matches_cookiecutter_json():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) > 3
    }
    for option, value in template_context().items():
        if option.startswith("_"):
            continue
        assert option in rows, option
        if isinstance(value, list):
            assert rows[option] == ", ".join(value), option


def test_closed_pipe_ends_quietly_with_the_sigpipe_status(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"unit-{index}\n" for index in range(200_000)))
    command = f"{sys.executable} -m mlprod ab assign --salt s --input {ids} | head -1"
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True
    )
    assert result.stdout.startswith("unit-0\t") and len(result.stdout.splitlines()) == 1
    assert result.stderr == ""
    # With pipefail the pipeline reports the writer's status: 128 + SIGPIPE, as for `yes`.
    assert result.returncode == 141


# Runs mlprod as an installation without the `stats` extra would: numpy, pandas, pyarrow,
# scipy and matplotlib cannot be imported.
WITHOUT_STATS = """
import sys

class WithoutStats:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"matplotlib", "numpy", "pandas", "pyarrow", "scipy"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, WithoutStats())
from mlprod.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["ab", "analyze", "results.csv", "--variant-col", "v", "--control", "a"],
        ["ab", "sample-size", "--baseline-rate", "0.1", "--mde", "0.01"],
        ["ab", "srm", "--counts", "10", "12"],
        ["drift", "a.csv", "b.csv"],
    ],
)
def test_without_the_stats_extra_says_how_to_install_it(tmp_path, args):
    for name in ("results.csv", "a.csv", "b.csv"):
        (tmp_path / name).write_text("v,y\na,1\nb,0\n")
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_STATS, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"mlprod {args[0]}: error: ")
    assert "is not installed; install the statistics extra: pip install 'mlprod[stats]'" in (
        result.stderr
    )


def test_without_the_stats_extra_assignment_still_works(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_STATS, "ab", "assign", "--salt", "s", "u1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("u1\t")


@pytest.mark.parametrize("module", ["numpy", "scipy.stats", "pandas.io.formats"])
def test_a_missing_statistics_module_is_reported_with_the_extra_to_install(capsys, module):
    assert _missing_stats("drift", ModuleNotFoundError(f"No module named {module!r}", name=module))
    assert capsys.readouterr() == (
        "",
        f"mlprod drift: error: {module} is not installed; "
        "install the statistics extra: pip install 'mlprod[stats]'\n",
    )


@pytest.mark.parametrize("module", ["yaml", "numpyro", "mlprod.stats", None])
def test_another_missing_module_is_left_to_the_caller(capsys, module):
    assert not _missing_stats("drift", ModuleNotFoundError("No module", name=module))
    assert capsys.readouterr() == ("", "")


# The entry point in process: how each way a command can end becomes an exit code.


def test_no_command_prints_the_commands_and_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(
        "usage: mlprod [-h] [--version] COMMAND ...\n\n"
        "Production-grade machine learning repositories: generate and audit.\n"
    )
    listing = "".join(f"    {name:<8}  {text}\n" for name, (_, text) in COMMANDS.items())
    assert f"\n  COMMAND\n{listing}\n" in out


def test_version_in_process(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"mlprod {__version__}\n"


def test_a_command_help_describes_the_command(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exit_:
        main(["new", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: mlprod new [-h]")
    assert "\n\ngenerate a project from the bundled template\n\n" in out


def test_the_command_line_is_read_from_sys_argv(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["mlprod", "ab", "srm", "--counts", "500", "500"])
    assert main() == 0
    assert capsys.readouterr() == ("no mismatch: chi-square 0, p = 1 (alarm below 0.001)\n", "")


def failing_new(monkeypatch, error: BaseException) -> None:
    def run(args):
        raise error

    monkeypatch.setattr(new_command, "run", run)


def test_an_interrupted_command_exits_130(monkeypatch, capsys):
    failing_new(monkeypatch, KeyboardInterrupt())
    assert main(["new", "--no-input"]) == 130
    assert capsys.readouterr() == ("", "mlprod: interrupted\n")


def test_a_usage_error_is_one_line_naming_the_command(monkeypatch, capsys):
    failing_new(monkeypatch, UsageError("output directory x is a file"))
    assert main(["new"]) == 2
    assert capsys.readouterr() == ("", "mlprod new: error: output directory x is a file\n")


def test_an_invalid_parameter_is_named_by_its_flag(monkeypatch, capsys):
    failing_new(monkeypatch, InvalidParameter("max_rows", "must be positive, got 0"))
    assert main(["new"]) == 2
    assert capsys.readouterr() == ("", "mlprod new: error: --max-rows must be positive, got 0\n")


def test_a_statistics_module_missing_while_running_says_how_to_install_it(monkeypatch, capsys):
    failing_new(monkeypatch, ModuleNotFoundError("No module named 'scipy'", name="scipy"))
    assert main(["new"]) == 2
    assert capsys.readouterr() == (
        "",
        "mlprod new: error: scipy is not installed; "
        "install the statistics extra: pip install 'mlprod[stats]'\n",
    )


def test_another_module_missing_while_running_is_raised(monkeypatch):
    failing_new(monkeypatch, ModuleNotFoundError("No module named 'yaml'", name="yaml"))
    with pytest.raises(ModuleNotFoundError, match="yaml"):
        main(["new"])


def test_a_statistics_module_missing_at_import_exits_2(monkeypatch, capsys):
    def import_module(name):
        raise ModuleNotFoundError(f"No module named 'pandas' ({name})", name="pandas")

    monkeypatch.setattr(importlib, "import_module", import_module)
    with pytest.raises(SystemExit) as exit_:
        main(["drift", "a.csv", "b.csv"])
    assert exit_.value.code == 2
    assert capsys.readouterr() == (
        "",
        "mlprod drift: error: pandas is not installed; "
        "install the statistics extra: pip install 'mlprod[stats]'\n",
    )


def test_another_module_missing_at_import_is_raised(monkeypatch):
    def import_module(name):
        raise ModuleNotFoundError("No module named 'yaml'", name="yaml")

    monkeypatch.setattr(importlib, "import_module", import_module)
    with pytest.raises(ModuleNotFoundError, match="yaml"):
        main(["drift", "a.csv", "b.csv"])


def test_a_closed_pipe_in_process_exits_141_and_silences_stdout(monkeypatch, capfd):
    failing_new(monkeypatch, BrokenPipeError())
    assert main(["new"]) == 141
    # Standard output now goes nowhere, so the interpreter's last flush cannot fail.
    os.write(sys.stdout.fileno(), b"after the pipe closed\n")
    assert capfd.readouterr() == ("", "")


def test_output_left_in_the_buffer_meets_a_closed_pipe_before_exit(monkeypatch):
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)

    def run(args):
        print("unit-0\tcontrol")
        return 0

    monkeypatch.setattr(new_command, "run", run)
    assert main(["new"]) == 141
    assert os.write(write_end, b"more") == 4
    stream.close()
