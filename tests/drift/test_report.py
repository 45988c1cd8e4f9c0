import base64
import re
import struct

import numpy as np
import pandas as pd
import pytest

from mlprod.drift.comparison import ColumnDrift, DriftResult
from mlprod.drift.report import _effect_words, _figure_png, _psi_words, render_html, write_report
from mlprod.errors import InvalidParameter

THRESHOLDS = {
    "alpha": 0.05,
    "wasserstein_threshold": 0.1,
    "jensen_shannon_threshold": 0.2,
    "psi_threshold": None,
    "share_threshold": 0.5,
    "bins": 10,
    "alpha_per_column": 0.05 / 3,
}


def numeric(drift=True, **fields):
    summary = "median 2 in the reference, 5 now"
    values = dict(effect=3.5, effect_measure="wasserstein_norm")
    values.update(fields)
    findings = [summary, "a <note>"]
    return ColumnDrift("x", "ks", 1.0, 0.000123, 0.3, drift, "numeric", summary, findings, **values)


def categorical(drift=False):
    return ColumnDrift(
        "c&d", "chi-square", 2.0, 0.5, 0.1, drift, "categorical", "largest change: 'b'", [],
        effect=0.25, effect_measure="jensen_shannon",
    )  # fmt: skip


def vanished():
    summary = "missing from the current data"
    return ColumnDrift("gone", "schema", None, None, None, True, "?", summary, [summary])


def frames():
    return pd.DataFrame({"x": [1.0, 2, 3] * 20}), pd.DataFrame({"x": [4.0, 5, 6] * 20})


def result(columns, dataset_drift, findings=(), psi_threshold=None, summary="verdict"):
    thresholds = {**THRESHOLDS, "psi_threshold": psi_threshold}
    share = sum(c.drift for c in columns) / len(columns)
    return DriftResult(columns, share, dataset_drift, thresholds, list(findings), summary)


EXPECTED_END = """\
<h2>Columns</h2>
<table><tr><th>Column</th><th>Changed?</th><th>What changed</th><th>Size of change</th>
<th>Stability index</th><th>p-value</th></tr>\
<tr><td>x</td><td class='yes'>Yes</td><td>median 2 in the reference, 5 now; a &lt;note&gt;</td>\
<td>3.500 standard deviations</td><td>0.300 (large shift)</td><td>0.00012</td></tr>\
<tr><td>c&amp;d</td><td class='no'>No</td><td>largest change: &#x27;b&#x27;</td>\
<td>0.250 (Jensen-Shannon)</td><td>0.100 (moderate shift)</td><td>0.5</td></tr>\
<tr><td>gone</td><td class='yes'>Yes</td><td>missing from the current data</td>\
<td>-</td><td>-</td><td>-</td></tr></table>
<ul><li>column &#x27;n&lt;1&gt;&#x27; is new</li><li>second</li></ul>
<h2>Changed columns</h2><figure><img alt='x distribution' src='data:image/png;base64,PNG'>\
<figcaption>median 2 in the reference, 5 now</figcaption></figure>
<p><small>Tests: Kolmogorov-Smirnov (numbers), chi-square (categories); a column changes
when p &lt; 0.017 and the size of the change is at least
0.1 standard deviations (numbers) or
0.2 (categories) and the stability index at least 0.25; the data set has drifted
when at least
50% of columns changed.</small></p>
</body></html>
"""


def without_images(page):
    return re.sub(r"base64,[A-Za-z0-9+/=]+'", "base64,PNG'", page)


def test_a_drifted_data_set_reads_in_words():
    findings = ["column 'n<1>' is new", "second"]
    columns = [numeric(), categorical(), vanished()]
    page = render_html(*frames(), result(columns, True, findings, 0.25, "2 of 3 <changed>"))
    assert '<p class="verdict bad">2 of 3 &lt;changed&gt;</p>' in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert without_images(page).endswith(EXPECTED_END)
    # Only the drifted column with a test has a chart; the vanished one has nothing to draw.
    assert len(re.findall("<figure>", page)) == 1


def test_a_column_that_drifts_alone_still_makes_the_verdict_bad():
    page = render_html(*frames(), result([numeric(), categorical()], False))
    assert '<p class="verdict bad">verdict</p>' in page


def test_a_quiet_data_set_has_no_list_no_charts_and_no_psi_rule():
    page = render_html(*frames(), result([numeric(drift=False), categorical()], False))
    assert '<p class="verdict good">verdict</p>' in page
    assert "<td>x</td><td class='no'>No</td>" in page
    assert "<ul>" not in page and "<figure>" not in page and "Changed columns" not in page
    assert "</table>\n\n\n<p><small>" in page
    assert "0.2 (categories); the data set has drifted" in page


def test_a_drifted_column_of_a_schema_change_has_no_chart():
    page = render_html(*frames(), result([vanished(), categorical()], False))
    assert "<figure>" not in page and "<h2>Changed columns</h2>" not in page


@pytest.mark.parametrize(
    "value, words",
    [
        (None, "-"),
        (0.0, "0.000 (stable)"),
        (0.0999, "0.100 (stable)"),
        (0.1, "0.100 (moderate shift)"),
        (0.2499, "0.250 (moderate shift)"),
        (0.25, "0.250 (large shift)"),
        (1.2, "1.200 (large shift)"),
    ],
)
def test_psi_words_at_the_usual_cut_offs(value, words):
    assert _psi_words(value) == words


def test_effect_words_name_the_measure():
    assert _effect_words(numeric(effect=0.1234)) == "0.123 standard deviations"
    assert _effect_words(categorical()) == "0.250 (Jensen-Shannon)"
    assert _effect_words(vanished()) == "-"


def test_write_report_writes_utf8_and_refuses_a_missing_directory(tmp_path):
    columns = [numeric(drift=False)]
    columns[0].summary = columns[0].findings[0] = "médiane ≥ 2"
    path = write_report(*frames(), result(columns, False), tmp_path / "r.html")
    assert path == tmp_path / "r.html"
    assert "<td>médiane ≥ 2; a &lt;note&gt;</td>" in path.read_bytes().decode("utf-8")
    with pytest.raises(InvalidParameter) as raised:
        write_report(*frames(), result(columns, False), tmp_path / "no" / "r.html")
    assert (raised.value.name, raised.value.problem) == (
        "path",
        f"is in {tmp_path / 'no'}, which does not exist; create it",
    )
    assert str(raised.value) == (f"path is in {tmp_path / 'no'}, which does not exist; create it")


@pytest.fixture
def drawn(monkeypatch):
    """The figures the report draws, kept for inspection when pyplot closes them."""
    import matplotlib.pyplot as plt

    figures = []
    close = plt.close

    def keep(figure=None):
        figures.append(figure)
        close(figure)

    monkeypatch.setattr(plt, "close", keep)
    return figures


def png_size(encoded):
    data = base64.b64decode(encoded)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def bars(container):
    """Each bar's left edge, width and height, one row per bar."""
    return np.array([(bar.get_x(), bar.get_width(), bar.get_height()) for bar in container])


def test_numeric_chart_overlays_two_density_histograms(drawn):
    rng = np.random.default_rng(0)
    reference = pd.Series(np.r_[rng.normal(0, 1, 500), [np.nan] * 5], name="score")
    current = pd.Series(rng.normal(1, 1, 300), name="score")
    encoded = _figure_png(reference, current, numeric(drift=True))
    assert png_size(encoded) == (630, 288)  # 7 by 3.2 inches at 90 dpi
    ((axes,),) = [figure.axes for figure in drawn]
    assert axes.get_title() == "x: reference against current"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("x", "share of rows (density)")
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["reference", "current"]
    ref, cur = reference.dropna().to_numpy(), current.to_numpy()
    edges = np.linspace(*np.percentile(np.r_[ref, cur], [0.5, 99.5]), 41)
    for container, values in zip(axes.containers, (ref, cur), strict=True):
        heights, _ = np.histogram(values, edges, density=True)
        expected = np.c_[edges[:-1], np.diff(edges), heights]
        np.testing.assert_allclose(bars(container), expected)
        assert {patch.get_alpha() for patch in container} == {0.5}


def test_a_constant_numeric_column_is_one_bar_a_unit_wide(drawn):
    reference = pd.Series([3] * 10)
    current = pd.Series([3] * 4)
    _figure_png(reference, current, numeric())
    ((axes,),) = [figure.axes for figure in drawn]
    assert [bars(container).tolist() for container in axes.containers] == [[[2.5, 1.0, 1.0]]] * 2


def test_categorical_chart_shows_the_largest_shares_first_side_by_side(drawn):
    # 17 categories: only the 15 with the largest share on either side are drawn.
    reference = pd.Series(["a"] * 40 + ["b"] * 30 + ["old"] * 3 + list("cdefghijklmnopq") * 2)
    current = pd.Series(["a"] * 10 + ["b"] * 50 + ["new"] * 3 + list("cdefghijklmnopq") * 2)
    column = categorical(drift=True)
    encoded = _figure_png(reference, current, column)
    assert png_size(encoded) == (630, 288)
    ((axes,),) = [figure.axes for figure in drawn]
    names = ["b", "a", "new", "old", *"cdefghijklm"]
    assert [label.get_text() for label in axes.get_xticklabels()] == names
    assert {label.get_rotation() for label in axes.get_xticklabels()} == {30.0}
    assert {label.get_horizontalalignment() for label in axes.get_xticklabels()} == {"right"}
    assert (axes.get_ylabel(), axes.get_title()) == (
        "share of rows",
        "c&d: reference against current",
    )
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["reference", "current"]
    ref_share = reference.value_counts(normalize=True)
    cur_share = current.value_counts(normalize=True)
    left, right = axes.containers
    assert [container.get_label() for container in axes.containers] == ["reference", "current"]
    np.testing.assert_allclose(
        bars(left),
        [(i - 0.4, 0.4, ref_share.get(name, 0)) for i, name in enumerate(names)],
        atol=1e-12,
    )
    np.testing.assert_allclose(
        bars(right),
        [(i, 0.4, cur_share.get(name, 0)) for i, name in enumerate(names)],
        atol=1e-12,
    )


def test_a_date_column_is_drawn_as_numbers(drawn):
    days = pd.Series(pd.date_range("2024-01-01", periods=100, freq="D"))
    _figure_png(days, days + pd.Timedelta(days=50), numeric())
    ((axes,),) = [figure.axes for figure in drawn]
    ref, cur = (bars(container) for container in axes.containers)
    assert len(ref) == len(cur) == 40
    assert ref[:, 2].sum() * ref[0, 1] == pytest.approx(1.0)  # a density: the area is 1


def test_charts_follow_one_another(tmp_path):
    second = numeric()
    second.column = "y"
    reference, current = frames()
    reference["y"], current["y"] = reference.x, current.x
    page = render_html(reference, current, result([numeric(), second], True))
    assert len(re.findall("</figcaption></figure><figure><img alt='y distribution'", page)) == 1


def test_the_report_is_utf8_whatever_the_locale(tmp_path):
    import locale

    columns = [numeric(drift=False)]
    columns[0].summary = columns[0].findings[0] = "médiane ≥ 2"
    previous = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # an ASCII locale, where open() would write ASCII
    try:
        path = write_report(*frames(), result(columns, False), tmp_path / "r.html")
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)
    assert "<td>médiane ≥ 2; a &lt;note&gt;</td>" in path.read_bytes().decode("utf-8")


def test_charts_are_png_whatever_format_matplotlib_saves_by_default():
    import matplotlib

    reference, current = frames()
    with matplotlib.rc_context({"savefig.format": "svg"}):
        encoded = _figure_png(reference.x, current.x, numeric())
    assert png_size(encoded) == (630, 288)
