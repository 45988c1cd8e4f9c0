"""Helpers for end-to-end tests that bake a project and run its own targets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bakery import commit_lock, generated_project_env, mlprod_new

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUG = "email-opens"
MODULE = "email_opens"


def project_env(wheel_dir: Path, pre_commit_home: Path, project: Path) -> dict[str, str]:
    """The generated-project environment, with the project's own tools first on PATH."""
    env = generated_project_env(wheel_dir, pre_commit_home)
    env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], check: bool = True, timeout: int = 900):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{output}")
    return result


def bake(output: Path, deployment: str) -> Path:
    subprocess.run(
        mlprod_new(output, "project_name=Email Opens", f"deployment={deployment}"),
        check=True,
        capture_output=True,
    )
    return output / SLUG


def set_up(project: Path, env: dict[str, str], storage: Path) -> None:
    """make setup, a private DVC remote, and a feature branch (commits on main are refused)."""
    run(["make", "setup"], project, env)
    commit_lock(project, env)
    run(
        [".venv/bin/dvc", "remote", "modify", "--local", "local", "url", str(storage)], project, env
    )
    run(["git", "switch", "--quiet", "-c", "feature/lifecycle"], project, env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """`make serve` in its own process group, stopped within a bounded time."""

    def __init__(self, project: Path, env: dict[str, str], port: int, *args: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = project / "serve.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["make", "serve", f"PORT={port}", *args],
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"make serve exited: {self.log.read_text()[-2000:]}")
            try:
                if http("GET", f"{self.url}/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server not up after {timeout}s: {self.log.read_text()[-2000:]}")

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        return self.process.returncode
