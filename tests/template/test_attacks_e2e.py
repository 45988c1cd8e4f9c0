"""The generated project under attack: a real server on a socket, real files, real model files.

One project is baked (`deployment=both`), its runtime installed alone into `.venv` with DVC,
and its pipeline run by `dvc repro` on a small sample, so dvc.lock records the model. Each
test then tries to get past one guard, the way an attacker or a careless teammate would,
and checks that it is refused, with what message.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from bakery import bake_project, run, template_context
from lifecycle_helpers import free_port, http

pytestmark = pytest.mark.slow

MODULE = "email_opens"
TIMEOUT = 2  # serve.read_timeout_seconds in the attacked project, to keep the tests short
MAX_BODY = 65_536  # serve.max_body_bytes


@pytest.fixture(scope="module")
def project(module_tmp) -> Path:
    project = bake_project(module_tmp("attacks"), project_name="Email Opens", deployment="both")
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["sample"]["rows"], params["train"]["cv_folds"] = 2000, 2
    params["serve"].update(
        max_body_bytes=MAX_BODY, read_timeout_seconds=TIMEOUT, keep_alive_seconds=1
    )
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    venv = project / ".venv"
    dvc = f"dvc=={template_context()['_dvc_version']}"
    uv = shutil.which("uv")
    if uv:
        run(uv, "venv", "--quiet", "--python", sys.executable, venv, cwd=project)
        run(uv, "pip", "install", "--quiet", "--python", venv / "bin/python", project, dvc,
            cwd=project)  # fmt: skip
    else:
        run(sys.executable, "-m", "venv", venv, cwd=project)
        run(venv / "bin/python", "-m", "pip", "install", "--quiet", project, dvc, cwd=project)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    run("git", "init", "--quiet", "-b", "main", cwd=project, env=env)
    run("git", "add", "-A", cwd=project, env=env)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Initial commit", cwd=project, env=env)
    run("make", "pipeline", cwd=project, env=env)
    return project


class MakeServe:
    """`make serve` with the given environment and arguments, in its own process group."""

    def __init__(self, project: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.log = project / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["make", "serve", f"PORT={self.port}", *args],
                cwd=project,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                if http("GET", f"http://127.0.0.1:{self.port}/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server not up: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def server(project):
    served = MakeServe(project)
    yield served
    served.stop()


def exchange(port: int, head: bytes, chunks: list[bytes] = (), wait: float = 10) -> tuple:
    """Send a request on a raw socket, a chunk at a time while the server has not answered.

    Returns:
        (body bytes sent, everything the server wrote before closing or `wait` seconds,
        seconds until the server closed the connection or None if it did not).
    """
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(wait)
        sock.sendall(head)
        sent = 0
        for chunk in chunks:
            if select.select([sock], [], [], 0.01)[0]:
                break  # the server answered: stop sending, read its answer
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        answer, closed = b"", None
        try:
            while block := sock.recv(65536):
                answer += block
            closed = time.monotonic() - started
        except ConnectionResetError:
            closed = time.monotonic() - started
        except TimeoutError:
            pass
    return sent, answer, closed


def status_and_detail(answer: bytes) -> tuple[int, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["detail"]


OVER_LIMIT = (
    f"request body over {MAX_BODY} bytes (serve.max_body_bytes); send fewer rows per request"
)


def test_a_declared_oversized_body_is_refused_before_it_is_sent(server):
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"
    sent, answer, closed = exchange(server.port, head)
    assert status_and_detail(answer) == (413, OVER_LIMIT)
    assert b"connection: close" in answer.lower() and closed is not None


def test_a_chunked_body_is_cut_off_once_past_the_limit(server):
    block = b"x" * 8192
    chunks = [b"%x\r\n%s\r\n" % (len(block), block)] * 600  # 4.9 MB if it were all read
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    sent, answer, closed = exchange(server.port, head, chunks)
    assert status_and_detail(answer) == (413, OVER_LIMIT)
    assert sent < 20 * MAX_BODY, "the server must stop reading soon after the limit"


def test_content_length_with_chunked_is_refused_and_nothing_smuggled_runs(server):
    smuggled = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    head = (
        b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled
    )
    _, answer, closed = exchange(server.port, head)
    assert status_and_detail(answer) == (
        400,
        "Content-Length and Transfer-Encoding together; send one",
    )
    assert answer.count(b"HTTP/1.1") == 1, "the pipelined request must not be answered"
    assert closed is not None


def test_an_idle_connection_is_closed_after_the_read_timeout(server):
    _, answer, closed = exchange(server.port, b"", wait=10 * TIMEOUT)
    assert answer == b""
    assert closed is not None and closed < 5 * TIMEOUT


def test_headers_sent_a_byte_at_a_time_are_cut_off(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        cut_off = None
        for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
            try:
                sock.sendall(bytes([byte]))
                time.sleep(0.2)
                if select.select([sock], [], [], 0)[0] and sock.recv(1) == b"":
                    cut_off = time.monotonic() - started
                    break
            except (BrokenPipeError, ConnectionResetError):
                cut_off = time.monotonic() - started
                break
    assert cut_off is not None and cut_off < 5 * TIMEOUT


def test_a_body_slower_than_the_timeout_gets_408(server):
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
    _, answer, closed = exchange(server.port, head, wait=10 * TIMEOUT)
    assert status_and_detail(answer) == (
        408,
        f"request body not received within {TIMEOUT} s; send it at once",
    )


def test_a_full_batch_within_the_limit_is_still_scored(server):
    url = f"http://127.0.0.1:{server.port}"
    example = json.loads(http("GET", f"{url}/metadata")[1])["example"]
    body = json.dumps({"rows": [example] * 200}).encode()
    assert len(body) < MAX_BODY
    status, answer = http("POST", f"{url}/predict", body)
    assert status == 200 and len(json.loads(answer)["predictions"]) == 200


def test_no_docs_page_loads_scripts_from_a_cdn(server):
    url = f"http://127.0.0.1:{server.port}"
    assert http("GET", f"{url}/docs")[0] == 404
    assert http("GET", f"{url}/redoc")[0] == 404
    status, spec = http("GET", f"{url}/openapi.json")
    assert status == 200 and "/predict" in json.loads(spec)["paths"]


def answers_on(address: str, port: int) -> bool:
    """Whether something accepts connections on address:port. 127.0.0.2 is a loopback address
    that a server bound to 127.0.0.1 does not answer on, and one bound to 0.0.0.0 does."""
    try:
        socket.create_connection((address, port), timeout=2).close()
    except OSError:
        return False
    return True


def test_an_inherited_bind_address_does_not_open_the_service(project):
    served = MakeServe(project, env={"HOST": "0.0.0.0", "BIND": "0.0.0.0"})
    try:
        assert f"Uvicorn running on http://127.0.0.1:{served.port}" in served.log.read_text()
        assert not answers_on("127.0.0.2", served.port)
    finally:
        served.stop()
    served = MakeServe(project, "BIND=0.0.0.0")
    try:
        assert answers_on("127.0.0.2", served.port), "BIND= on the command line must be obeyed"
    finally:
        served.stop()


# The batch scorer ------------------------------------------------------------------------


def predict(project: Path, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [project / ".venv/bin/python", "-m", f"{MODULE}.predict", *map(str, args)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def batch(project, tmp_path) -> Path:
    """A folder holding `in.csv`: 40 rows of the project's data."""
    lines = (project / "data/raw/emails.csv").read_text().splitlines()[:41]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def assert_one_line_refusal(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"predict: {message}\n"
    assert result.stdout == ""


def test_formula_leading_ids_reach_the_csv_neutralised(project, batch):
    frame = (batch / "in.csv").read_text().splitlines()
    header = frame[0].split(",")
    at = header.index("customer_id")
    attacks = ["=cmd|' /C calc'!A0", "+1+1", "-1+2", "@SUM(A1)", "\tx", "-7"]
    rows = []
    for line, attack in zip(frame[1:], attacks, strict=False):
        cells = line.split(",")
        cells[at] = '"' + attack + '"'
        rows.append(",".join(cells))
    (batch / "in.csv").write_text("\n".join([frame[0], *rows]) + "\n")
    result = predict(project, batch / "in.csv", batch / "out.csv")
    assert result.returncode == 0, result.stderr
    ids = [line.split(",")[0] for line in (batch / "out.csv").read_text().splitlines()[1:]]
    assert ids == ['"\'=cmd|\' /C calc\'!A0"', '"\'+1+1"', '"\'-1+2"', '"\'@SUM(A1)"',
                   '"\'\tx"', '"-7"']  # fmt: skip


def test_an_existing_output_is_kept_unless_forced_and_the_input_never_overwritten(project, batch):
    source, output = batch / "in.csv", batch / "out.csv"
    output.write_text("precious\n")
    assert_one_line_refusal(
        predict(project, source, output), f"{output} exists; give FORCE=1 (--force) to replace it"
    )
    assert output.read_text() == "precious\n"
    make = subprocess.run(["make", "predict", f"INPUT={source}", f"OUTPUT={output}", "FORCE=1"],
                          cwd=project, capture_output=True, text=True)  # fmt: skip
    assert make.returncode == 0, make.stderr
    assert output.read_text().startswith('"customer_id","prediction"')
    original = source.read_bytes()
    (batch / "alias.csv").symlink_to(source)
    for same in (source, batch / "alias.csv", batch / "sub/../in.csv"):
        (batch / "sub").mkdir(exist_ok=True)
        result = predict(project, source, same, "--force")
        assert_one_line_refusal(result, f"{same} is the input file; give another output file")
    assert source.read_bytes() == original


def test_a_planted_symlink_is_never_followed(project, batch):
    victim = batch / "victim.txt"
    victim.write_text("do not touch\n")
    # The fixed temporary name the scorer used to write through, and the output itself.
    (batch / ".out.partial.csv").symlink_to(victim)
    (batch / "out.csv").symlink_to(victim)
    result = predict(project, batch / "in.csv", batch / "out.csv", "--force")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "do not touch\n"
    assert not (batch / "out.csv").is_symlink()
    assert (batch / "out.csv").read_text().startswith('"customer_id"')
    assert sorted(p.name for p in batch.iterdir()) == [
        ".out.partial.csv", "in.csv", "out.csv", "victim.txt"
    ]  # fmt: skip


def test_a_very_wide_header_is_refused_before_its_rows_are_read(project, batch):
    wide = batch / "wide.csv"
    with wide.open("w") as f:
        f.write(",".join(f"column_{i}" for i in range(100_000)) + "\n")
        f.write(",".join("1" for _ in range(100_000)) + "\n")
    result = predict(project, wide, batch / "out.csv")
    assert_one_line_refusal(
        result,
        f"{wide}: header line longer than 256000 bytes, over predict.max_columns (1000); "
        "give the feature columns only",
    )
    assert not (batch / "out.csv").exists()


def test_every_odd_input_is_one_line_and_exit_2(project, batch):
    lines = (batch / "in.csv").read_text().splitlines()
    (batch / "malformed.csv").write_text("\n".join([*lines[:5], lines[5] + ",1,2,3", *lines[6:]]))
    (batch / "empty.csv").write_text("")
    (batch / "binary.parquet").write_bytes(b"\x00" * 64)
    (batch / "folder.csv").mkdir()
    os.mkfifo(batch / "fifo.csv")
    out = batch / "out.csv"
    cases = {
        (batch / "malformed.csv", out): f"{batch / 'malformed.csv'} cannot be read as csv "
        "(Error tokenizing data. C error: Expected 7 fields in line 6, saw 10); check the file",
        (batch / "empty.csv", out): f"{batch / 'empty.csv'} is empty; give a file with a "
        "header and rows",
        (batch / "binary.parquet", out): f"{batch / 'binary.parquet'} is not a Parquet file "
        "(no PAR1 footer); check the file",
        (batch / "fifo.csv", out): f"{batch / 'fifo.csv'} is not a regular file (a directory, "
        "FIFO or device); give a data file",
        (batch / "missing.csv", out): f"{batch / 'missing.csv'} not found; check the path",
        (batch / "in.csv", batch / "folder.csv"): f"{batch / 'folder.csv'} is a folder; give "
        "a file name for the output",
    }
    before = sorted(p.name for p in batch.iterdir())
    for (source, output), message in cases.items():
        assert_one_line_refusal(predict(project, source, output), message)
    assert sorted(p.name for p in batch.iterdir()) == before, "nothing half-made is left"


# The model file ---------------------------------------------------------------------------


def python(project: Path, code: str) -> subprocess.CompletedProcess:
    return run(project / ".venv/bin/python", "-c", code, cwd=project)


def test_a_tampered_model_reports_another_version_and_fails_verification(project, batch):
    model = project / "models/model.skops"
    original = model.read_bytes()
    verified = subprocess.run(["make", "verify-model"], cwd=project, capture_output=True,
                              text=True)  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    version = verified.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1]
    scored = predict(project, batch / "in.csv", batch / "a.csv")
    assert f"40 rows scored with model {version} " in scored.stdout
    try:
        # Built from trusted types only: it loads, and always predicts "opens".
        python(project, "import skops.io as sio; from email_opens import model_io as m; "
               "c = sio.load('models/model.skops', trusted=m.TRUSTED_TYPES); "
               "c['metadata']['decision_threshold'] = 0.0; "
               "sio.dump(c, 'models/model.skops')")  # fmt: skip
        scored = predict(project, batch / "in.csv", batch / "b.csv")
        assert scored.returncode == 0 and version not in scored.stdout
        refused = subprocess.run(["make", "verify-model"], cwd=project, capture_output=True,
                                 text=True)  # fmt: skip
        assert refused.returncode != 0
        assert refused.stderr.startswith(
            "verify-model: models/model.skops differs from the model dvc.lock records"
        )
        assert "do not deploy it. Restore it: dvc checkout models/model.skops" in refused.stderr
    finally:
        model.write_bytes(original)


def test_malformed_and_oversized_model_files_are_one_line(project, batch):
    good = project / "models/model.skops"
    files = {"bomb": batch / "bomb.skops", "garbage": batch / "garbage.skops",
             "truncated": batch / "truncated.skops", "text": batch / "text.skops",
             "escape": batch / "escape.skops"}  # fmt: skip
    python(
        project,
        f"""
import zipfile
with zipfile.ZipFile({str(files["bomb"])!r}, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("schema.json", b"{{}}")
    for i in range(6):
        z.writestr(f"{{i}}.npy", bytes(100_000_000))
with zipfile.ZipFile({str(good)!r}) as old, zipfile.ZipFile({str(files["garbage"])!r}, "w") as new:
    for item in old.infolist():
        data = old.read(item)
        new.writestr(item.filename, b"\\x93NUMPY junk" if item.filename.endswith(".npy") else data)
""",
    )
    files["truncated"].write_bytes(good.read_bytes()[:5000])
    files["text"].write_text("#!/bin/sh\nrm -rf /\n")
    python(
        project,
        f"""
import skops.io as sio
class Payload: pass
Payload.__name__ = Payload.__qualname__ = "Pay\\x1b[31mload"
sio.dump(Payload(), {str(files["escape"])!r})
""",
    )
    expected = {
        "bomb": "would unpack to 600000002 bytes, over model_file.max_unpacked_bytes "
        "(500000000); refusing to open it. Rebuild it with make pipeline",
        "garbage": "is not a valid skops model file (",
        "truncated": "is not a skops model file (",
        "text": "is not a skops model file (",
        "escape": "holds untrusted types ('__main__.Pay\\x1b[31mload'); refusing to load it.",
    }
    for name, path in files.items():
        result = predict(project, batch / "in.csv", batch / "out.csv", "--model", path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"predict: {path} "), result.stderr
        assert expected[name] in result.stderr and result.stderr.count("\n") == 1
        assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    assert "Add a type to TRUSTED_TYPES only after reading its code" in result.stderr
