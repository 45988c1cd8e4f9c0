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
    sections = parse("[core]\n    remote = a\n[remote 'odd]\n    password = x\n")
    assert sections[("core", "")] == {"remote": ("a", 2)}
    assert sections[("remote 'odd", "")] == {"password": ("x", 4)}
