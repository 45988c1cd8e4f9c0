import hashlib
from collections import Counter

import pytest
from bakery import run_subprocess
from scipy.stats import chi2_contingency, chisquare

from mlprod.ab import assignment
from mlprod.ab.assignment import Assigner, bucket
from mlprod.errors import UsageError

IDS = [f"user-{i}" for i in range(100_000)]


def test_bucket_is_sha256_of_salt_and_id():
    digest = hashlib.sha256(b"exp-1:42").digest()
    assert bucket("42", "exp-1") == int.from_bytes(digest[:8], "big")


def test_split_is_uniform_over_100k_ids():
    assigner = Assigner("homepage-2024", ["a", "b", "c", "d"])
    counts = Counter(variant for _, variant in assigner.assign_many(IDS))
    assert chisquare([counts[v] for v in "abcd"]).pvalue > 0.001


def test_split_follows_weights():
    assigner = Assigner("checkout", ["control", "treatment"], ["90", "10"])
    counts = Counter(variant for _, variant in assigner.assign_many(IDS))
    assert chisquare([counts["control"], counts["treatment"]], [90_000, 10_000]).pvalue > 0.001


def test_experiments_with_different_salts_are_independent():
    first = Assigner("exp-one", ["a", "b"])
    second = Assigner("exp-two", ["a", "b"])
    table = Counter((first.assign(i), second.assign(i)) for i in IDS)
    cells = [[table[("a", "a")], table[("a", "b")]], [table[("b", "a")], table[("b", "b")]]]
    assert chi2_contingency(cells).pvalue > 0.001


def test_assignment_is_identical_in_another_process_with_another_hash_seed():
    ids = IDS[:200]
    expected = Assigner("stable", ["x", "y", "z"]).assign_many(ids)
    result = run_subprocess(
        "ab",
        "assign",
        "--salt",
        "stable",
        "--variants",
        "x",
        "y",
        "z",
        "--input",
        "-",
        env_extra={"PYTHONHASHSEED": "12345"},
        stdin="\n".join(ids),
    )
    assert result.returncode == 0, result.stderr
    assert [tuple(line.split("\t")) for line in result.stdout.splitlines()] == expected


def test_zero_weight_variant_gets_no_units():
    assigner = Assigner("s", ["a", "b"], ["1", "0"])
    assert {variant for _, variant in assigner.assign_many(IDS[:1000])} == {"a"}


@pytest.mark.parametrize(
    "salt, variants, weights, message",
    [
        ("", ["a", "b"], None, "salt is empty; use a name unique to the experiment"),
        ("s", ["a"], None, "variants needs at least two names, e.g. control treatment"),
        ("s", ["a", "a"], None, "variants repeats a name; give each variant once"),
        ("s", ["a", "b"], ["1"], "weights has 1 values for 2 variants; give one each"),
        ("s", ["a", "b"], ["x", "1"], "weights ['x', '1'] are not numbers; write e.g. 50 50"),
        ("s", ["a", "b"], ["-1", "2"], "weights must be non-negative and not all zero"),
        ("s", ["a", "b"], ["0", "0"], "weights must be non-negative and not all zero"),
    ],
)
def test_bad_designs_are_refused(salt, variants, weights, message):
    with pytest.raises(UsageError) as error:
        Assigner(salt, variants, weights)
    assert str(error.value) == message


def test_a_unit_on_a_boundary_belongs_to_the_variant_above_it(monkeypatch):
    # Variant i holds the buckets [bound(i-1), bound(i)). No known id hashes exactly onto a
    # boundary (that would take a SHA-256 preimage), so the bucket is set here.
    assigner = Assigner("s", ["a", "b"])
    for position, variant in [(2**63 - 1, "a"), (2**63, "b"), (2**64 - 1, "b"), (0, "a")]:
        monkeypatch.setattr(assignment, "bucket", lambda unit_id, salt, p=position: p)
        assert assigner.assign("u") == variant


def test_cli_json_lists_each_id(cli_json):
    result = cli_json("ab", "assign", "--salt", "s", "u1", "u2")
    assert [row["unit_id"] for row in result["assignments"]] == ["u1", "u2"]
    assert {row["variant"] for row in result["assignments"]} <= {"control", "treatment"}


def test_cli_without_ids_is_a_one_line_error(cli):
    code, out, err = cli("ab", "assign", "--salt", "s")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
