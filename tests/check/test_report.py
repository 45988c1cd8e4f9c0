from mlprod.check.report import printable


def test_control_characters_and_undecodable_bytes_stay_on_one_line() -> None:
    assert printable("a\nb\tc\udcff: NB004") == "a\\nb\\tc\\xff: NB004"


def test_unicode_names_print_as_they_are() -> None:
    assert printable("daten/\u00fcbersicht.csv") == "daten/\u00fcbersicht.csv"
