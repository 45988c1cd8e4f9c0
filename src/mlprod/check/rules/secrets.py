"""SEC: no private key or cloud credential is ever committed.

The patterns match the shape of real values, not their names: a README that says
"never commit your AWS_SECRET_ACCESS_KEY" or shows `-----BEGIN RSA PRIVATE KEY-----`
without a key body is not a finding. Published example keys are not findings either.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check import dvcconfig
from mlprod.check.repo import IndexEntry
from mlprod.check.rule import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

B64 = rb"[A-Za-z0-9+/]"
# Each pattern starts with a literal so that `re` can jump between candidates at memchr
# speed; one alternation of them all scans twenty times slower. Context that would
# precede the literal is asserted after it, with a lookbehind.
PATTERNS: tuple[tuple[str, bytes], ...] = (
    ("gcp", rb'"private_key"\s*:\s*"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n)?' + B64 + rb"{40}"),
    (
        "pem",
        rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
        rb"(?:[^\0-]|-(?!----END)){0,300}?" + B64 + rb"{40}",
    ),
    ("aws_id", rb"AKIA(?<![A-Z0-9]AKIA)[A-Z2-7]{16}(?![A-Z0-9])"),
    ("aws_id", rb"ASIA(?<![A-Z0-9]ASIA)[A-Z2-7]{16}(?![A-Z0-9])"),
    ("azure", rb"AccountKey=" + B64 + rb"{86}=="),
    ("azure_sas", rb"sig=(?<=[?&;]sig=)[A-Za-z0-9%+/]{43,}(?:=|%3[Dd])"),
    ("github", rb"gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
    ("github", rb"github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])"),
    ("gitlab", rb"glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])"),
    ("slack", rb"xox[abposr]-[0-9]+-[0-9A-Za-z-]{10,}"),
    ("slack", rb"https://hooks\.slack\.com/services/T\w+/B\w+/\w+"),
    ("huggingface", rb"hf_(?<![A-Za-z0-9]hf_)[A-Za-z]{34}(?![A-Za-z0-9])"),
    ("openai", rb"sk-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"),
)
SECRETS = tuple((kind, re.compile(pattern)) for kind, pattern in PATTERNS)
# Case-insensitive, so without a literal prefix: searched only in files holding "ecret".
# `secret_access_key` without the aws_ prefix is how boto, DVC and S3-compatible stores
# name it in their config files.
AWS_SECRET = re.compile(
    rb"(?i:(?:aws_?)?secret_?access_?key|aws_?secret_?key)[\"']?\s*[:=]\s*[\"']?"
    + B64
    + rb"{40}(?![A-Za-z0-9+/])"
)
NAMES = {
    "gcp": "a Google Cloud service-account private key",
    "pem": "a private key",
    "aws_id": "an AWS access key id",
    "aws_secret": "an AWS secret access key",
    "azure": "an Azure storage account key",
    "azure_sas": "an Azure shared access signature",
    "github": "a GitHub token",
    "gitlab": "a GitLab token",
    "slack": "a Slack token or webhook",
    "huggingface": "a Hugging Face token",
    "openai": "an OpenAI API key",
}
# Values published in vendor documentation and emulators, safe in any repository.
PUBLISHED = (
    b"EXAMPLE",
    b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
)
# Never text: not worth reading to look for secrets.
BINARY_SUFFIXES = frozenset(
    ("png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "pdf")
    + ("parquet", "feather", "arrow", "h5", "hdf5", "pkl", "pickle", "joblib", "npy", "npz")
    + ("pt", "pth", "ckpt", "onnx", "safetensors", "whl", "so", "dylib", "dll", "exe", "bin")
    + ("zip", "gz", "bz2", "xz", "zst", "7z", "tar", "tgz")
    + ("woff", "woff2", "ttf", "otf", "mp3", "mp4", "wav", "avi", "mov")
)
SNIFF = 8000  # git's own rule: a NUL in the first 8000 bytes makes a file binary

ENV_PROBE = ".env"
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults")
# Keys of DVC remote options that hold a secret (the S3, Azure, GCS, SSH, HTTP, WebDAV,
# Google Drive and OSS remotes); `ask_password` and the like are flags, not secrets.
CREDENTIAL_KEYS = frozenset(
    ("access_key_id", "secret_access_key", "session_token", "password", "account_key")
    + ("sas_token", "connection_string", "client_secret", "key_file", "keyfile", "token")
    + ("gdrive_client_secret", "gdrive_service_account_json_file_path", "credentialpath")
    + ("oss_key_secret",)
)
ROTATE = "rotate the credential (it stays in git history)"
# Folders whose keys are usually throwaway fixtures: the fix says first how to exempt them.
TEST_FOLDERS = frozenset(("tests", "test", "testing", "fixtures", "testdata", "test_data", "spec"))


def is_placeholder(value: bytes) -> bool:
    """A published example, or a dummy no generator would draw: the end of the value (the
    random part of every kind) holds at most two distinct characters, as in
    AKIAZZZZZZZZZZZZZZZZ or a key body of x's."""
    if any(example in value for example in PUBLISHED):
        return True
    random_part = value.removesuffix(b"%3D").removesuffix(b"%3d").rstrip(b"=")[-16:]
    return len(set(random_part)) <= 2


def record(found: dict[str, int], kind: str, data: bytes, pattern: re.Pattern) -> None:
    """Keep the line of the first match of each kind, skipping example and dummy values."""
    match = pattern.search(data)
    while match is not None and is_placeholder(match.group()):
        match = pattern.search(data, match.end())
    if match is not None:
        found[kind] = data.count(b"\n", 0, match.start()) + 1


def in_tests(path: str) -> bool:
    return any(part in TEST_FOLDERS for part in path.split("/")[:-1])


def credential_fix(entry: IndexEntry) -> str:
    """Remove and rotate a real credential; exempt a throwaway one that tests need."""
    exempt = (
        f'add "{entry.path}" = ["SEC001"] under [tool.mlprod.per-file-ignores] in pyproject.toml'
    )
    real = f"remove it, {ROTATE} and load it from an ignored .env or a secret store"
    if in_tests(entry.path):
        return f"if it is a throwaway test key, {exempt}; if it is real, {real}"
    return f"{real}; if it is a documented dummy value, {exempt}"


def is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (name == ".env" or name.startswith(".env.")) and not name.endswith(ENV_TEMPLATES)


class Credential(Rule):
    code = "SEC001"
    name = "credential"
    severity = ERROR
    summary = "a private key, cloud credential or API token in a tracked file"
    fix = "remove it, rotate it and load it from an ignored .env or a secret store"

    def reads(self, entry: IndexEntry) -> bool:
        return entry.path.rsplit(".", 1)[-1].lower() not in BINARY_SUFFIXES

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        if b"\0" in data[:SNIFF]:
            return
        found: dict[str, int] = {}
        for kind, pattern in SECRETS:
            if kind not in found:
                record(found, kind, data, pattern)
        if b"ecret" in data or b"ECRET" in data:
            record(found, "aws_secret", data, AWS_SECRET)
        if "gcp" in found:
            found.pop("pem", None)  # the same key, already named more precisely
        for kind, line in found.items():
            yield self.finding(
                entry.path, f"{NAMES[kind]} at line {line}", credential_fix(entry), line
            )


class EnvFile(Rule):
    code = "SEC002"
    name = "env-file"
    severity = ERROR
    summary = ".env is tracked, or not ignored"
    fix = "stop tracking the .env file and ignore .env in .gitignore"

    def reads(self, entry: IndexEntry) -> bool:
        return is_env_file(entry.path)

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        quoted = shlex.quote(entry.path)
        if complete and not any(
            line.strip() and not line.lstrip().startswith(b"#") for line in data.splitlines()
        ):
            # Comments alone: a template of the settings, not secrets. Tracked as .env, the
            # first real value anyone writes in it would be committed.
            yield self.finding(
                entry.path,
                "an environment file is tracked by git (it holds only comments so far)",
                f"git mv {quoted} {shlex.quote(entry.path + '.example')}",
            )
            return
        ignored = entry.path in audit.repo.ignored([entry.path])
        untrack = f"git rm --cached {quoted}"
        if not ignored:
            untrack += f" && printf '%s\\n' {shlex.quote('/' + entry.path)} >> .gitignore"
        yield self.finding(
            entry.path,
            "an environment file with secrets is tracked by git",
            f"{untrack}; then rotate the secrets it held (they stay in git history) and commit"
            " a .env.example with placeholders",
        )

    def check(self, audit: Audit) -> Iterator[Finding]:
        if ENV_PROBE not in audit.repo.ignored([ENV_PROBE]):
            yield self.finding(
                ".gitignore", ".env is not ignored by git", "printf '%s\\n' .env >> .gitignore"
            )


class DvcCredential(Rule):
    code = "SEC003"
    name = "dvc-credential"
    severity = ERROR
    summary = "credentials in .dvc/config instead of .dvc/config.local"
    fix = "dvc remote modify --local NAME KEY VALUE, delete the line from .dvc/config, rotate it"

    def check(self, audit: Audit) -> Iterator[Finding]:
        text = audit.text(".dvc/config")
        if text is None:
            return
        for (kind, name), entries in dvcconfig.parse(text).items():
            for key, (_, line) in entries.items():
                if key in CREDENTIAL_KEYS:
                    section = f'{kind} "{name}"' if name else kind
                    modify = (
                        f"dvc remote modify --local {name} {key} VALUE"
                        if kind == "remote"
                        else ("put it in .dvc/config.local")
                    )
                    yield self.finding(
                        ".dvc/config",
                        f"credential '{key}' in [{section}] at line {line}",
                        f"{modify}, delete the line from .dvc/config and {ROTATE}",
                        line,
                    )


RULES = (Credential(), EnvFile(), DvcCredential())
