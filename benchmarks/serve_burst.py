"""Memory of the project's server under a burst of the largest requests it accepts.

    uv run python benchmarks/serve_burst.py [--project PATH] [--concurrent 10]

Starts `python -m <module>.serve` on 127.0.0.1 (a fresh server per case) and sends
`--concurrent` requests at once:
- at the limit: bodies of serve.max_body_bytes holding serve.max_batch_rows rows (padded
  with JSON whitespace to the limit): every one is read, parsed, validated and scored;
- over the limit: 50 MB bodies, half declared by Content-Length, half streamed chunked
  without it: every one must get 413 while the server holds at most the limit of each.
Prints the server's resident memory (VmRSS before, VmHWM peak after) and the peak growth,
against the stated bound: BOUND_MIB over the idle server for the whole burst.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from project import prepare_project

BOUND_MIB = 250  # peak growth allowed for the burst at the limit, over the idle server
OVERSIZE_BYTES = 50_000_000


def memory_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(project: Path, module: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(project / ".venv/bin/python"), "-m", f"{module}.serve", "--port", str(port)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def post(port: int, body: bytes, statuses: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", "/predict", body, {"content-type": "application/json"})
    statuses.append(connection.getresponse().status)


def stream_oversize(port: int, chunked: bool, statuses: list) -> None:
    """Send a 50 MB body until the server answers; record its status."""
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\n"
    head += (
        b"Transfer-Encoding: chunked\r\n\r\n"
        if chunked
        else b"Content-Length: %d\r\n\r\n" % (OVERSIZE_BYTES)
    )
    block = b" " * 65536
    piece = b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head)
        try:
            for _ in range(OVERSIZE_BYTES // len(block)):
                sock.sendall(piece)
        except OSError:
            pass  # the server answered and closed: the rest is never read
        try:
            statuses.append(int(sock.recv(4096).split()[1]))
        except (OSError, IndexError):
            statuses.append("reset before the answer was read")


def burst(project: Path, module: str, threads: list[threading.Thread], port: int) -> dict:
    server = start(project, module, port)
    try:
        idle = memory_mib(server.pid)["VmRSS"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        peak = memory_mib(server.pid)["VmHWM"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"idle": idle, "peak": peak, "growth": peak - idle}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a baked project (default: bake one)")
    parser.add_argument("--concurrent", type=int, default=10)
    args = parser.parse_args()
    project, module = prepare_project(args.project)
    serve = yaml.safe_load((project / "params.yaml").read_text())["serve"]
    limit, rows = serve["max_body_bytes"], serve["max_batch_rows"]
    port = free_port()
    server = start(project, module, port)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/metadata")
    example = json.loads(connection.getresponse().read())["example"]
    server.terminate()
    server.wait(timeout=30)
    body = json.dumps({"rows": [example] * rows}).encode()
    body = body[:-1] + b" " * (limit - len(body)) + b"}"
    assert len(body) == limit

    statuses: list = []
    at_limit = burst(
        project,
        module,
        [
            threading.Thread(target=post, args=(port, body, statuses))
            for _ in range(args.concurrent)
        ],
        port,
    )
    at_limit_statuses = sorted(statuses, key=str)
    statuses = []
    over = burst(
        project,
        module,
        [
            threading.Thread(target=stream_oversize, args=(port, i % 2 == 1, statuses))
            for i in range(args.concurrent)
        ],
        port,
    )
    print(f"server memory, {args.concurrent} concurrent requests (MiB: idle RSS -> peak RSS)")
    print(f"{'case':<44} {'idle':>7} {'peak':>7} {'growth':>7}  statuses")
    print(f"{f'at the limit ({limit:,} bytes, {rows} rows)':<44} {at_limit['idle']:7.1f} "
          f"{at_limit['peak']:7.1f} {at_limit['growth']:7.1f}  {at_limit_statuses}")  # fmt: skip
    print(f"{f'over the limit ({OVERSIZE_BYTES:,} bytes)':<44} {over['idle']:7.1f} "
          f"{over['peak']:7.1f} {over['growth']:7.1f}  {sorted(statuses, key=str)}")  # fmt: skip
    verdict = "within" if at_limit["growth"] <= BOUND_MIB else "OVER"
    print(f"bound: {BOUND_MIB} MiB of growth for the burst at the limit: {verdict} "
          f"({at_limit['growth'] / BOUND_MIB:.2f} of it)")  # fmt: skip
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    sys.exit(main())
