"""The non-local DVC remotes of a generated project, configured as its README says.

`s3` makes a real round trip through the S3 API of a local moto server: push, wipe the
cache and the outputs, pull, compare bytes. `gcs`, `azure` and `ssh` are configured with
the README's own credential commands, which DVC validates against its schema (an unknown
option is refused), and must leave the tracked `.dvc/config` free of credentials.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from bakery import bake_project, run
from clones import Project, git, output_hashes, pipeline_outputs

pytestmark = pytest.mark.slow

MOTO_START_TIMEOUT = 30
FAKE_CREDENTIALS = {"key-id": "testing", "secret": "testing"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1, stopped when the module's tests are done."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + MOTO_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto server exited {server.returncode}; see {log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto server did not listen within {MOTO_START_TIMEOUT} s")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def s3_project(module_tmp, wheel_dir, pre_commit_home) -> Project:
    return Project(module_tmp("s3"), wheel_dir, pre_commit_home, dvc_remote="s3")


def credential_commands(readme: str, values: dict[str, str]) -> list[str]:
    """The README's `dvc remote modify` lines, placeholders filled in."""
    lines = [line for line in readme.splitlines() if line.startswith("dvc remote modify")]
    filled = []
    for line in lines:
        command = line.split("  #")[0].strip()
        for name, value in values.items():
            command = command.replace(f"<{name}>", value)
        assert not re.search(r"<[^>]+>", command), f"unfilled placeholder in: {command}"
        filled.append(command)
    return filled


def bucket_contents(endpoint: str, bucket: str) -> tuple[int, int]:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    objects = bytes_ = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            objects += 1
            bytes_ += item["Size"]
    return objects, bytes_


def create_bucket(endpoint: str, bucket: str) -> None:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)


def test_s3_remote_round_trip_through_a_real_s3_api(s3_project, s3_endpoint, tmp_path):
    project = s3_project
    clone = project.clone(tmp_path / "dev")
    env = project.shell_env(clone)
    for key in list(env):
        if key.startswith("AWS_"):
            del env[key]  # only what .dvc/config.local says may reach the remote
    no_aws_files = tmp_path / "empty-aws-config"
    no_aws_files.write_text("")
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = str(no_aws_files)
    tracked_config = (clone / ".dvc" / "config").read_bytes()

    url = run("dvc", "config", "remote.s3.url", cwd=clone, env=env).stdout.strip()
    bucket = re.fullmatch(r"s3://([^/]+)/.*", url).group(1)
    create_bucket(s3_endpoint, bucket)
    values = {**FAKE_CREDENTIALS, "endpoint-url": s3_endpoint}
    for command in credential_commands((clone / "README.md").read_text(), values):
        run("bash", "-c", command, cwd=clone, env=env)

    assert (clone / ".dvc" / "config").read_bytes() == tracked_config
    assert "endpointurl" in (clone / ".dvc" / "config.local").read_text()
    assert git(clone, "status", "--porcelain") == ""
    assert "SEC" not in run("make", "check", cwd=clone, env=env).stdout

    git(clone, "switch", "--quiet", "-c", "feature/data")
    run("make", "pipeline", cwd=clone, env=env)
    git(clone, "add", "dvc.lock", "reports")
    git(clone, "commit", "--quiet", "-m", "Run the pipeline", env=env)
    before = output_hashes(clone)
    assert sorted(before) == pipeline_outputs(clone)

    started = time.perf_counter()
    run("dvc", "push", cwd=clone, env=env)
    pushed = time.perf_counter() - started
    objects, size = bucket_contents(s3_endpoint, bucket)
    assert objects == len(before)

    shutil.rmtree(clone / ".dvc" / "cache")
    for path in before:
        (clone / path).unlink()
    started = time.perf_counter()
    run("dvc", "pull", cwd=clone, env=env)
    pulled = time.perf_counter() - started

    assert output_hashes(clone) == before
    assert (clone / ".dvc" / "config").read_bytes() == tracked_config
    print(
        f"\nS3 round trip via {s3_endpoint}: {objects} objects, {size:,} bytes; "
        f"dvc push {pushed:.1f} s, dvc pull {pulled:.1f} s"
    )

    # The other way .env.example documents: the credentials in .env, loaded as it says.
    for option in ("access_key_id", "secret_access_key"):
        run("dvc", "remote", "modify", "--local", "--unset", "s3", option, cwd=clone, env=env)
    example = (clone / ".env.example").read_text()
    filled = re.sub(r"^(AWS_[A-Z_]+)=$", r"\1=testing", example, flags=re.MULTILINE)
    assert filled.count("=testing") == 2
    (clone / ".env").write_text(filled)
    shutil.rmtree(clone / ".dvc" / "cache")
    for path in before:
        (clone / path).unlink()
    without = subprocess.run(["dvc", "pull"], cwd=clone, env=env, capture_output=True, text=True)
    assert without.returncode != 0, "the pull must need the credentials from .env"
    load = re.search(r"^#\s+(set -a && \. \./\.env && set \+a)$", example, re.MULTILINE)
    run("bash", "-c", f"{load.group(1)} && dvc pull", cwd=clone, env=env)
    assert output_hashes(clone) == before
    assert git(clone, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("remote", "scheme", "values"),
    [
        ("gcs", "gs", {}),
        ("azure", "azure", {"storage-account": "teamstorage", "key": "placeholder"}),
        ("ssh", "ssh", {"user": "ml"}),
    ],
)
def test_cloud_remotes_accept_the_readme_credentials(s3_project, tmp_path, remote, scheme, values):
    """DVC itself (from an installed project) reads the generated configuration."""
    project = bake_project(tmp_path, dvc_remote=remote)
    dvc = s3_project.path / ".venv" / "bin" / "dvc"
    env = s3_project.env
    tracked_before = (project / ".dvc" / "config").read_text()

    listed = run(dvc, "remote", "list", cwd=project, env=env).stdout.split()
    assert listed[0] == remote and listed[1].startswith(f"{scheme}://")
    assert run(dvc, "config", "core.remote", cwd=project, env=env).stdout.strip() == remote

    for command in credential_commands((project / "README.md").read_text(), values):
        run("bash", "-c", command.replace("dvc ", f"{dvc} ", 1), cwd=project, env=env)
    local = run(dvc, "config", "--local", "--list", cwd=project, env=env).stdout
    assert local.strip(), "the README's commands wrote no credentials"
    print(f"\n{remote}: dvc config --local --list\n{local}")

    tracked = (project / ".dvc" / "config").read_text()
    assert tracked == tracked_before  # the url was the team's answer; credentials stay local
    for key in ("user", "keyfile", "credentialpath", "account_name", "account_key"):
        assert f"{key} =" not in tracked
    assert git(project, "status", "--porcelain").strip() == ""
    check = subprocess.run(
        [s3_project.path / ".venv" / "bin" / "mlprod", "check", "--select", "SEC"],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
