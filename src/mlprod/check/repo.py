"""What git tracks in a repository, read with a fixed handful of git processes.

Every list crosses the process boundary NUL-separated (`-z`), so names with spaces,
newlines or any bytes survive; paths are decoded with `os.fsdecode` and encoded back the
same way, so even names that are not UTF-8 round-trip. Blob contents come from the index
through `git cat-file --batch`, one process for any number of blobs: the working copy may
differ, but the index is what the next commit records.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from mlprod.errors import UsageError

REGULAR_MODES = ("100644", "100755")
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


class IndexEntry(NamedTuple):
    """A path in the index (a tuple: tens of thousands are made per run)."""

    path: str
    mode: str
    sha: str
    size: int

    @property
    def is_file(self) -> bool:
        """A regular file; symlinks, submodules and sparse directories are not."""
        return self.mode in REGULAR_MODES


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH; install git") from None


def reason(stderr: bytes) -> str:
    """git's one-line reason for failing: its first `fatal:` line, else its last line."""
    lines = os.fsdecode(stderr).strip().splitlines() or ["unknown error"]
    fatal = [line for line in lines if line.startswith(("fatal: ", "error: "))]
    return fatal[0].split(": ", 1)[1] if fatal else lines[-1]


def git_out(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    """Run git and return its output, or stop with one line saying what git refused."""
    result = git(args, cwd, stdin)
    if result.returncode != 0:
        raise UsageError(
            f"git {args[0]} failed in {cwd}: {reason(result.stderr)}; "
            "fix the repository so that plain git commands work in it"
        )
    return result.stdout


def split_z(output: bytes) -> list[str]:
    return [os.fsdecode(item) for item in output.split(b"\0") if item]


class Repository:
    """A work tree and its index. `open` returns None for a directory git does not manage."""

    def __init__(self, root: Path, hooks_dir: Path, has_commit: bool) -> None:
        self.root = root
        self.hooks_dir = hooks_dir
        self.has_commit = has_commit
        self._entries: dict[str, IndexEntry] | None = None
        self._config: dict[str, str] | None = None
        self._read: dict[str, bytes | None] = {}
        # Blob ids the index names that this clone lacks and could not fetch, and the
        # tracked paths that could not be read, with the reason: reported, never skipped.
        self.missing_shas: set[str] = set()
        self.unread: dict[str, str] = {}

    @classmethod
    def open(cls, path: Path) -> Repository | None:
        probe = git(["rev-parse", "--show-toplevel", "--git-path", "hooks"], path)
        if probe.returncode != 0:
            why = reason(probe.stderr)
            if "not a git repository" in why:
                return None
            if "dubious ownership" in why:
                raise UsageError(
                    f"git refuses {path}: it belongs to another user; "
                    f"run: git config --global --add safe.directory {path}"
                )
            if "work tree" in why:
                raise UsageError(
                    f"{path} is a bare repository or a .git directory; "
                    "run mlprod check in a clone's working tree"
                )
            raise UsageError(f"git cannot read {path}: {why}; check the path and permissions")
        # Each answer ends in a newline; split at the last one only, so that a work tree
        # whose path holds a newline still comes out whole.
        top, hooks = os.fsdecode(probe.stdout[:-1]).rsplit("\n", 1)
        root = Path(top)
        head = git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], root)
        # `--git-path` answers relative to where git ran: PATH, which may be a subdirectory.
        # os.path.realpath, unlike Path.resolve before Python 3.13, survives symlink loops.
        return cls(root, Path(os.path.realpath(Path(path, hooks))), head.returncode == 0)

    def entries(self, paths: list[str] | None = None) -> dict[str, IndexEntry]:
        """Index entries with their blob ids and sizes, in index order: every one, or those
        of the given paths (the files a hook is passed), untracked paths left out."""
        if paths is None:
            if self._entries is None:
                self._entries = self._list([])
            return self._entries
        if self._entries is not None:
            return {path: self._entries[path] for path in paths if path in self._entries}
        return self._list(paths) if paths else {}

    def _list(self, paths: list[str]) -> dict[str, IndexEntry]:
        # Literal pathspecs: a passed file named `*.csv` means that file, not a glob.
        staged = git_out(["--literal-pathspecs", "ls-files", "-s", "-z", "--", *paths], self.root)
        rows: dict[str, tuple[str, str, str]] = {}
        for record in staged.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, sha, stage = meta.decode("ascii").split(" ")
            path = os.fsdecode(raw_path)
            # A conflicted path has stages 1-3; keep "ours" (2), what the author sees.
            if path not in rows or stage == "2":
                rows[path] = (mode, sha, stage)
        shas = {sha for mode, sha, _ in rows.values() if mode in REGULAR_MODES}
        self._fetch_missing(shas)
        sizes = self._sizes(shas - self.missing_shas)
        entries = {
            path: IndexEntry(path, mode, sha, sizes.get(sha, -1))
            for path, (mode, sha, _) in rows.items()
        }
        for entry in entries.values():
            if entry.is_file and entry.size < 0:
                self.unread[entry.path] = (
                    "its blob is missing from this partial clone and could not be fetched"
                    if entry.sha in self.missing_shas
                    else "its blob is missing from the repository (see git fsck)"
                )
        return entries

    def _fetch_missing(self, shas: set[str]) -> None:
        """In a partial clone, fetch the blobs the index names but the clone lacks, in one
        `git fetch`: left to itself, git fetches each one in a process of its own as it is
        read. What cannot be fetched (offline, remote gone) is remembered as missing."""
        remote = self.promisor_remote()
        if remote is None or not shas:
            return
        listing = git_out(
            ["cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered"],
            self.root,
        )
        missing = shas - set(listing.decode("ascii").split())
        if missing:
            fetch = git(
                [
                    "-c",
                    "fetch.negotiationAlgorithm=noop",
                    "fetch",
                    remote,
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--recurse-submodules=no",
                    "--filter=blob:none",
                    "--stdin",
                ],
                self.root,
                "".join(f"{sha}\n" for sha in sorted(missing)).encode(),
            )
            if fetch.returncode != 0:
                self.missing_shas |= missing

    def promisor_remote(self) -> str | None:
        """The remote a partial clone fetches missing objects from, or None."""
        config = self.config()
        for key, value in config.items():
            if key.startswith("remote.") and key.endswith(".promisor") and value == "true":
                return key[len("remote.") : -len(".promisor")]
        return config.get("extensions.partialclone")

    def _sizes(self, shas: set[str]) -> dict[str, int]:
        if not shas:
            return {}
        fmt = "--batch-check=%(objectname) %(objecttype) %(objectsize)"
        output = git_out(["cat-file", fmt, "--buffer"], self.root, "\n".join(shas).encode())
        sizes = {}
        for line in output.decode("ascii", "replace").splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and parts[1] == "blob":
                sizes[parts[0]] = int(parts[2])
        return sizes

    def blobs(self, entries: Iterable[IndexEntry]) -> Iterator[tuple[IndexEntry, bytes]]:
        """Stream the contents of the given entries' blobs through one git process.

        A blob git cannot read is not yielded; its path goes to `unread` with the reason.
        """
        wanted = [entry for entry in entries if entry.size >= 0]
        if not wanted:
            return
        process = subprocess.Popen(
            ["git", "cat-file", "--batch", "--buffer"],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None and process.stdout is not None

        def feed() -> None:
            # A thread writes while this one reads: both pipes would fill up otherwise.
            try:
                process.stdin.write("".join(f"{e.sha}\n" for e in wanted).encode())
                process.stdin.close()
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            out = process.stdout
            for entry in wanted:
                header = out.readline().split()
                if len(header) != 3:
                    self.unread[entry.path] = "git cannot read its blob (missing object)"
                    continue
                size = int(header[2])
                data = out.read(size)
                out.read(1)
                yield entry, data
        finally:
            process.stdout.close()
            process.kill()
            process.wait()
            writer.join()

    def chunks(self, entry: IndexEntry, size: int = 1 << 20) -> Iterator[bytes]:
        """A blob in pieces of `size` bytes, however large it is, in constant memory."""
        with subprocess.Popen(
            ["git", "cat-file", "blob", entry.sha],
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            assert process.stdout is not None
            try:
                while piece := process.stdout.read(size):
                    yield piece
            finally:
                process.kill()

    def head(self, entry: IndexEntry, limit: int) -> bytes:
        """The first `limit` bytes of a blob, without reading the rest of a huge one."""
        return next(self.chunks(entry, limit), b"")

    def read(self, path: str) -> bytes | None:
        """The index version of one tracked regular file, or None."""
        if path not in self._read:
            entry = self.entries([path]).get(path)
            wanted = [entry] if entry is not None and entry.is_file else []
            self._read[path] = next((data for _, data in self.blobs(wanted)), None)
        return self._read[path]

    def config(self) -> dict[str, str]:
        """Effective git configuration (system, global, repository), last value wins."""
        if self._config is None:
            self._config = {}
            for item in git_out(["config", "-z", "--list"], self.root).split(b"\0"):
                key, _, value = os.fsdecode(item).partition("\n")
                if key:
                    self._config[key] = value
        return self._config

    def config_scope(self, key: str) -> str | None:
        """Where a git setting is set: "local", "global", "system", ...; None where unset."""
        result = git(["config", "--show-scope", "--get", key], self.root)
        return result.stdout.decode().split("\t", 1)[0] if result.returncode == 0 else None

    def attributes(self, paths: list[str], names: list[str]) -> dict[str, dict[str, str]]:
        """Git attributes of paths (tracked or not), as `git check-attr` reports them."""
        stdin = b"".join(os.fsencode(path) + b"\0" for path in paths)
        items = git_out(["check-attr", "-z", "--stdin", *names], self.root, stdin).split(b"\0")
        result: dict[str, dict[str, str]] = {path: {} for path in paths}
        for i in range(0, len(items) - 2, 3):
            path, name, value = (os.fsdecode(item) for item in items[i : i + 3])
            result.setdefault(path, {})[name] = value
        return result

    def ignored(self, paths: list[str]) -> set[str]:
        """Which of these paths a .gitignore rule matches (tracked or not)."""
        return set(self.ignoring_patterns(paths))

    def ignoring_patterns(self, paths: list[str]) -> dict[str, tuple[str, int, str]]:
        """The paths a .gitignore rule ignores (tracked or not), each with the rule that
        does: (file, line, pattern), as `git check-ignore -v` names it."""
        stdin = b"".join(os.fsencode(path) + b"\0" for path in paths)
        result = git(["check-ignore", "-v", "-z", "--stdin", "--no-index"], self.root, stdin)
        if result.returncode not in (0, 1):
            raise UsageError(
                f"git check-ignore failed: {reason(result.stderr)}; "
                "fix the .gitignore files so that git can read them"
            )
        fields = result.stdout.split(b"\0")
        found = {}
        for i in range(0, len(fields) - 3, 4):
            source, line, pattern, path = (os.fsdecode(field) for field in fields[i : i + 4])
            # -v also reports paths whose last matching pattern re-includes them ("!...").
            if source and not pattern.startswith("!"):
                found[path] = (source, int(line), pattern)
        return found
