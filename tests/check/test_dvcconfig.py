from mlprod.check.dvcconfig import default_remote, parse

CONFIG = """\
[core]
    remote = storage
    # a comment
['remote "storage"']
    url = s3://bucket/path
["remote \\"backup\\""]
    url = /mnt/backup
    password = 'secret'
not a line DVC would accept
"""


def test_sections_keys_and_lines_are_read() -> None:
    sections = parse(CONFIG)
    assert default_remote(sections) == "storage"
    assert sections[("remote", "storage")]["url"] == ("s3://bucket/path", 5)
    assert sections[("remote", "backup")]["password"] == ("secret", 8)


def test_config_without_core_has_no_default_remote() -> None:
    assert default_remote(parse("['remote \"x\"']\n    url = /x\n")) == ""


def test_unreadable_header_keeps_its_keys_apart() -> None:
    sections = parse("[core]\n    remote = a\n[remote 'odd]\n    password = x\n[XY 'z]\n  u = 1\n")
    assert sections[("core", "")] == {"remote": ("a", 2)}
    assert sections[("remote 'odd", "")] == {"password": ("x", 4)}
    assert sections[("XY 'z", "")] == {"u": ("1", 6)}


def test_the_whole_config_is_read_as_dvc_reads_it() -> None:
    text = (
        "orphan = before any section\n"
        "\n"
        "[ core ]\n"
        "    Remote = storage\n"
        "    ; a comment\n"
        "    # another = comment\n"
        "['remote \"storage\"']\n"
        '    url = "s3://bucket/path"\n'
        "    endpoint.URL=http://minio:9000  \n"
        "[cache]\n"
        "    type = 'reflink,copy'\n"
        "    dir = XDG_CACHE\n"
        "not a line DVC would accept\n"
    )
    assert parse(text) == {
        ("core", ""): {"remote": ("storage", 4)},
        ("remote", "storage"): {
            "url": ("s3://bucket/path", 8),
            "endpoint.url": ("http://minio:9000", 9),
        },
        ("cache", ""): {"type": ("reflink,copy", 11), "dir": ("XDG_CACHE", 12)},
    }
    assert default_remote(parse(text)) == "storage"
