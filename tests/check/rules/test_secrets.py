"""Every credential below is assembled at run time, so this file never holds one."""

import string

import pytest

from check.conftest import AWS_ALPHABET, AWS_ID, Repo, drawn
from mlprod.check.rules.secrets import is_env_file

B64 = string.ascii_letters + string.digits + "+/"
ALNUM = string.ascii_letters + string.digits
B64_40 = drawn(B64, 40, "b64")
PEM_BODY = "MIIEowIBAAKCAQEA" + drawn(B64, 60, "pem")
SECRETS = {
    "rsa": ("-----BEGIN RSA " + "PRIVATE KEY-----\n" + PEM_BODY + "\n", "a private key"),
    "openssh": (
        "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + PEM_BODY + "\n",
        "a private key",
    ),
    "ec": ("-----BEGIN EC " + "PRIVATE KEY-----\n" + PEM_BODY + "\n", "a private key"),
    "dsa": ("-----BEGIN DSA " + "PRIVATE KEY-----\n" + PEM_BODY + "\n", "a private key"),
    "pkcs8": ("-----BEGIN " + "PRIVATE KEY-----\n" + PEM_BODY + "\n", "a private key"),
    "pgp": (
        "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----\nVersion: 1\n\n" + PEM_BODY,
        "a private key",
    ),
    "encrypted": (
        "-----BEGIN RSA "
        + "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\n"
        + PEM_BODY,
        "a private key",
    ),
    "aws_id": ("key = " + AWS_ID + "\n", "an AWS access key id"),
    "aws_session_id": (
        "key = ASIA" + drawn(AWS_ALPHABET, 16, "asia") + "\n",
        "an AWS access key id",
    ),
    "aws_secret": ("AWS_SECRET_" + "ACCESS_KEY=" + B64_40 + "\n", "an AWS secret access key"),
    "aws_secret_config": (
        "secret_" + 'access_key = "' + B64_40 + '"\n',
        "an AWS secret access key",
    ),
    "gcp": (
        '{"type": "service_account", "private_key": "-----BEGIN '
        + "PRIVATE KEY-----\\n"
        + PEM_BODY
        + '\\n"}',
        "a Google Cloud service-account private key",
    ),
    "azure": (
        "DefaultEndpointsProtocol=https;AccountName=x;Account"
        + "Key="
        + drawn(B64, 86, "azure")
        + "==",
        "an Azure storage account key",
    ),
    "azure_sas": (
        "https://x.blob.core.windows.net/c?sv=2022&s" + "ig=" + drawn(ALNUM, 44, "sas") + "%3D",
        "an Azure shared access signature",
    ),
    "github": ("token: gh" + "p_" + drawn(ALNUM, 36, "ghp"), "a GitHub token"),
    "github_pat": ("github" + "_pat_" + drawn(ALNUM, 82, "pat"), "a GitHub token"),
    "gitlab": ("token = gl" + "pat-" + drawn(ALNUM, 20, "glpat"), "a GitLab token"),
    "slack": ("xo" + "xb-1234567890-" + drawn(ALNUM, 24, "slack"), "a Slack token or webhook"),
    "hf": ("HF_TOKEN=h" + "f_" + drawn(string.ascii_letters, 34, "hf"), "a Hugging Face token"),
    "slack_webhook": (
        "url = https://hooks.sl"
        + "ack.com/services/T0123ABCD/B0456EFGH/"
        + drawn(ALNUM, 24, "webhook"),
        "a Slack token or webhook",
    ),
    "openai": (
        "OPENAI_API_KEY=s"
        + "k-proj-"
        + drawn(ALNUM, 20, "openai1")
        + "T3Blbk"
        + "FJ"
        + drawn(ALNUM, 20, "openai2"),
        "an OpenAI API key",
    ),
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_credential_in_tracked_file_is_reported(repo: Repo, kind: str) -> None:
    content, name = SECRETS[kind]
    repo.add("config/settings.txt", "first line\n" + content)
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("SEC001", "config/settings.txt")
    assert finding["message"] == f"{name} at line 2"


def test_mentions_and_published_examples_are_not_findings(repo: Repo) -> None:
    repo.add(
        "docs/security.md",
        "Never commit AWS_SECRET_ACCESS_KEY, AKIA... ids, ghp_ tokens or a file starting\n"
        "with -----BEGIN RSA " + "PRIVATE KEY-----.\n-----END RSA PRIVATE KEY-----\n"
        "AWS documents AKIA" + "IOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.\n"
        "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}\n",
    )
    assert repo.check().findings == []


def test_binary_files_are_not_scanned(repo: Repo) -> None:
    repo.add("assets/blob.dat", b"\0\1\2" + AWS_ID.encode())
    assert repo.check().findings == []


def test_per_file_ignores_silence_fixtures(repo: Repo) -> None:
    repo.add("tests/fixtures/key.pem", SECRETS["rsa"][0])
    assert repo.check().codes == {"SEC001"}
    repo.add("pyproject.toml", '[tool.mlprod.per-file-ignores]\n"tests/fixtures/*" = ["SEC"]\n')
    assert repo.check().findings == []


def test_secret_beyond_scan_size_is_found_in_the_head_of_a_large_file(repo: Repo) -> None:
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    repo.add("src/churn/settings.py", "KEY = '" + AWS_ID + "'\n" + "#" * 5000 + "\n")
    repo.add("src/churn/later.py", "#" * 5000 + "\nKEY = '" + AWS_ID + "'\n")
    assert [f["path"] for f in repo.check().of("SEC001")] == ["src/churn/settings.py"]


def test_tracked_env_file_is_reported(repo: Repo) -> None:
    repo.add(".env", "TOKEN=x\n")
    repo.add("services/api/.env.production", "TOKEN=x\n")
    repo.add(".env.example", "TOKEN=\n")
    assert {f["path"] for f in repo.check().of("SEC002")} == {
        ".env",
        "services/api/.env.production",
    }


def test_env_not_ignored_is_reported(repo: Repo) -> None:
    repo.add(".gitignore", repo.read(".gitignore").replace(".env\n", ""))
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["message"], finding["fix"]) == (
        "SEC002",
        ".gitignore",
        ".env is not ignored by git",
        "printf '%s\\n' .env >> .gitignore",
    )


def test_credentials_in_dvc_config_are_reported(repo: Repo) -> None:
    repo.add(
        ".dvc/config",
        "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b/p\n"
        "    access_key_id = x\n    secret_access_key = y\n    ask_password = true\n",
    )
    findings = repo.check().of("SEC003")
    assert [f["message"] for f in findings] == [
        "credential 'access_key_id' in [remote \"storage\"] at line 5",
        "credential 'secret_access_key' in [remote \"storage\"] at line 6",
    ]
    assert findings[0]["fix"].startswith("dvc remote modify --local storage access_key_id VALUE")


def test_dvc_config_local_is_where_credentials_belong(repo: Repo) -> None:
    repo.write(".dvc/config.local", "['remote \"storage\"']\n    password = hunter2\n")
    assert repo.check().findings == []


@pytest.mark.parametrize(
    "value",
    [
        "AKIA" + "IOSFODNN7EXAMPLE",
        "AKIA" + "Z" * 16,
        "ASIA" + "A" * 16,
        "xox" + "b-1234-" + "x" * 20,
    ],
)
def test_documented_and_dummy_keys_are_not_findings(repo: Repo, value: str) -> None:
    repo.add("src/churn/settings.py", f"KEY = '{value}'\n")
    assert repo.check().findings == []


@pytest.mark.parametrize(
    "value",
    [
        "AKIA" + "BC" * 8,  # two distinct characters: a dummy
        "DefaultEndpointsProtocol=https;AccountKey=" + "xy" * 43 + "==",
        # A real-looking key with its end masked.
        "AccountKey=" + drawn(B64, 70, "masked") + "X" * 16 + "==",
        "https://x.blob.core.windows.net/c?sv=2022&s" + "ig=" + "x" * 43 + "%3D",
        "https://x.blob.core.windows.net/c?sv=2022&s" + "ig=" + "x" * 43 + "%3d",
    ],
)
def test_dummy_values_are_told_by_the_end_of_the_value(repo: Repo, value: str) -> None:
    repo.add("src/churn/settings.py", f"KEY = '{value}'\n")
    assert repo.check().findings == []


def test_three_distinct_characters_are_a_key(repo: Repo) -> None:
    repo.add("src/churn/settings.py", "KEY = 'AKIA" + "BCD" * 5 + "B'\n")
    assert [f["message"] for f in repo.check().of("SEC001")] == ["an AWS access key id at line 1"]


REAL_FIX = (
    "remove it, rotate the credential (it stays in git history) and load it from an ignored"
    " .env or a secret store"
)


@pytest.mark.parametrize(
    ("path", "fix"),
    [
        (
            "tests/key.pem",
            'if it is a throwaway test key, add "tests/key.pem" = ["SEC001"] under '
            f"[tool.mlprod.per-file-ignores] in pyproject.toml; if it is real, {REAL_FIX}",
        ),
        (
            "services/api/spec/key.pem",
            'if it is a throwaway test key, add "services/api/spec/key.pem" = ["SEC001"] under '
            f"[tool.mlprod.per-file-ignores] in pyproject.toml; if it is real, {REAL_FIX}",
        ),
        (
            "config/tests",
            f'{REAL_FIX}; if it is a documented dummy value, add "config/tests" = ["SEC001"] '
            "under [tool.mlprod.per-file-ignores] in pyproject.toml",
        ),
    ],
)
def test_keys_in_test_folders_are_told_how_to_be_exempted_first(
    repo: Repo, path: str, fix: str
) -> None:
    repo.add(path, SECRETS["rsa"][0])
    assert [f["fix"] for f in repo.check().of("SEC001")] == [fix]


ROTATE_ENV = (
    "; then rotate the secrets it held (they stay in git history) and commit a .env.example"
    " with placeholders"
)


def test_tracked_env_file_fix_untracks_it_and_ignores_it_where_needed(repo: Repo) -> None:
    repo.add(".env", "TOKEN=x\n")
    repo.add("services/api/.env.production", "TOKEN=x\n")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().of("SEC002")] == [
        (
            ".env",
            "an environment file with secrets is tracked by git",
            "git rm --cached .env" + ROTATE_ENV,
        ),
        (
            "services/api/.env.production",
            "an environment file with secrets is tracked by git",
            "git rm --cached services/api/.env.production && "
            "printf '%s\\n' /services/api/.env.production >> .gitignore" + ROTATE_ENV,
        ),
    ]


def test_env_file_of_comments_only_is_a_template_to_rename(repo: Repo) -> None:
    repo.add(".env", "# TOKEN=\n\n    # indented: still a comment\n")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().of("SEC002")] == [
        (
            ".env",
            "an environment file is tracked by git (it holds only comments so far)",
            "git mv .env .env.example",
        )
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".env", True),
        (".env.local", True),
        ("services/api/.env", True),
        ("services/api/.env.prod.secret", True),
        (".env.example", False),
        (".env.sample", False),
        (".env.template", False),
        ("config/.env.dist", False),
        (".env.defaults", False),
        ("prod.env", False),
        (".envrc", False),
        ("env", False),
        (".env/settings", False),
    ],
)
def test_env_files_are_told_by_name(path: str, expected: bool) -> None:
    assert is_env_file(path) is expected


def test_a_dummy_key_does_not_hide_a_real_one_after_it(repo: Repo) -> None:
    repo.add(
        "src/churn/settings.py",
        "# example: AKIA" + "Z" * 16 + "\n\nKEY = '" + AWS_ID + "'\n",
    )
    [finding] = repo.check().findings
    assert (finding["message"], finding["line"]) == ("an AWS access key id at line 3", 3)


def test_each_kind_of_credential_in_a_file_is_reported_once(repo: Repo) -> None:
    content = (
        SECRETS["github"][0]
        + "\n"
        + SECRETS["aws_id"][0]
        + SECRETS["aws_id"][0]
        + SECRETS["gitlab"][0]
        + "\n"
    )
    repo.add("config/settings.txt", content)
    assert [(f["message"], f["line"]) for f in repo.check().findings] == [
        ("a GitHub token at line 1", 1),
        ("a GitLab token at line 4", 4),
        ("an AWS access key id at line 2", 2),
    ]


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("docs/keys.PNG", False),
        ("models/model.safetensors", False),
        ("data.tar", False),
        ("Makefile", True),
        ("notes.png.txt", True),
        ("assets.v1/keys.png", False),
    ],
)
def test_files_with_binary_suffixes_are_not_read(repo: Repo, path: str, found: bool) -> None:
    repo.add(path, "KEY = '" + AWS_ID + "'\n")
    assert [f["path"] for f in repo.check().of("SEC001")] == ([path] if found else [])


def test_a_nul_past_the_first_8000_bytes_does_not_make_a_file_binary(repo: Repo) -> None:
    key = "KEY = '" + AWS_ID + "'\n"
    repo.add("late.txt", "#" * 8000 + "\0\n" + key)
    repo.add("early.txt", "#" * 7999 + "\0\n" + key)
    assert [(f["path"], f["line"]) for f in repo.check().of("SEC001")] == [("late.txt", 2)]


def test_credential_outside_a_remote_section_is_told_to_move_to_the_local_config(
    repo: Repo,
) -> None:
    repo.add(
        ".dvc/config",
        "[core]\n    remote = storage\n    password = x\n"
        "['remote \"storage\"']\n    url = s3://b/p\n    Token = y\n",
    )
    rotate = "delete the line from .dvc/config and rotate the credential (it stays in git history)"
    assert [(f["path"], f["line"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".dvc/config",
            3,
            "credential 'password' in [core] at line 3",
            f"put it in .dvc/config.local, {rotate}",
        ),
        (
            ".dvc/config",
            6,
            "credential 'token' in [remote \"storage\"] at line 6",
            f"dvc remote modify --local storage token VALUE, {rotate}",
        ),
    ]


def test_no_dvc_config_no_dvc_credential_finding(repo: Repo) -> None:
    repo.remove(".dvc/config")
    assert repo.check().codes == {"DATA002"}


def test_env_file_above_scan_size_is_taken_to_hold_secrets(repo: Repo) -> None:
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-scan-size = "1kB"\n')
    repo.add(".env", "# settings\n" * 200 + "TOKEN=x\n")
    assert [f["message"] for f in repo.check().of("SEC002")] == [
        "an environment file with secrets is tracked by git"
    ]


def test_lines_are_counted_from_a_leading_blank_line(repo: Repo) -> None:
    repo.add("config/keys.txt", "\n\nKEY = '" + AWS_ID + "'\n")
    assert [f["message"] for f in repo.check().findings] == ["an AWS access key id at line 3"]


def test_a_service_account_key_of_any_type_is_one_finding(repo: Repo) -> None:
    # A key type the PEM pattern does not list: found as a Google Cloud key only.
    content = SECRETS["gcp"][0].replace("BEGIN PRIVATE", "BEGIN DH PRIVATE")
    repo.add("config/service-account.json", content)
    assert [f["message"] for f in repo.check().findings] == [
        "a Google Cloud service-account private key at line 1"
    ]
