"""The PNG of `mlprod ab analyze --plot`: one interval per treatment, coloured by verdict."""

import struct

import matplotlib
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from mlprod.ab.plot import plot_lifts
from mlprod.errors import InvalidParameter

# A hand-made analysis: one significant gain, one significant loss, one inconclusive.
ANALYSIS = {
    "alpha": 0.1,
    "control": {"name": "base"},
    "variants": [
        {"name": "gain", "lift_abs": 0.02, "ci_low": 0.005, "ci_high": 0.04, "significant": True},
        {"name": "loss", "lift_abs": -0.5, "ci_low": -0.9, "ci_high": -0.2, "significant": True},
        {"name": "flat", "lift_abs": 0.3, "ci_low": -0.1, "ci_high": 0.8, "significant": False},
    ],
}


@pytest.fixture
def drawn(monkeypatch):
    """The figures `plot_lifts` saves, kept for inspection (the real savefig still writes)."""
    figures = []
    save = Figure.savefig

    def keep(figure, *args, **kwargs):
        figures.append(figure)
        return save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def png_size(path):
    """Width and height in pixels, from the PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_each_variant_is_its_lift_with_its_interval(tmp_path, drawn):
    assert plot_lifts(ANALYSIS, tmp_path / "lifts.png") == tmp_path / "lifts.png"
    (figure,) = drawn
    (axes,) = figure.axes
    assert len(axes.containers) == 3
    for index, (row, bars) in enumerate(zip(ANALYSIS["variants"], axes.containers, strict=True)):
        point, caps, (interval,) = bars.lines
        assert list(point.get_xdata()) == [row["lift_abs"]]
        assert list(point.get_ydata()) == [index]
        assert point.get_marker() == "o"
        (segment,) = interval.get_segments()
        assert segment[:, 0].tolist() == pytest.approx([row["ci_low"], row["ci_high"]])
        assert segment[:, 1].tolist() == [index, index]
        assert [cap.get_markersize() for cap in caps] == [10, 10]
    colours = [to_hex(bars.lines[0].get_color()) for bars in axes.containers]
    assert colours == [to_hex("tab:green"), to_hex("tab:red"), to_hex("tab:gray")]


def test_axes_name_the_variants_the_control_and_the_confidence(tmp_path, drawn):
    plot_lifts(ANALYSIS, tmp_path / "lifts.png")
    (axes,) = drawn[0].axes
    assert [label.get_text() for label in axes.get_yticklabels()] == ["gain", "loss", "flat"]
    assert list(axes.get_yticks()) == [0, 1, 2]
    assert axes.get_ylim() == pytest.approx((-0.7, 2.7))
    assert axes.get_xlabel() == "difference from 'base' (90% confidence interval)"
    assert axes.get_title() == "Lift over control (green/red: significant, grey: not)"
    (zero,) = [line for line in axes.lines if list(line.get_xdata()) == [0, 0]]
    assert to_hex(zero.get_color()) == "#000000" and zero.get_linewidth() == 1


def test_the_png_is_700_pixels_wide_and_grows_with_the_variants(tmp_path, drawn):
    # Pinned against a matplotlibrc with another resolution, and whatever the file suffix.
    with matplotlib.rc_context({"figure.dpi": 50, "savefig.dpi": "figure"}):
        one = plot_lifts({**ANALYSIS, "variants": ANALYSIS["variants"][:1]}, tmp_path / "a.pdf")
        three = plot_lifts(ANALYSIS, tmp_path / "b.png")
    assert png_size(one) == (700, 180)
    assert png_size(three) == (700, 300)
    sizes = [figure.get_size_inches().tolist() for figure in drawn]
    assert sizes == [pytest.approx([7, 1.8]), pytest.approx([7, 3.0])]


def test_a_missing_directory_is_refused_naming_it(tmp_path):
    with pytest.raises(InvalidParameter) as error:
        plot_lifts(ANALYSIS, tmp_path / "no" / "lifts.png")
    assert error.value.name == "path"
    assert error.value.problem == f"is in {tmp_path / 'no'}, which does not exist; create it"
    assert not (tmp_path / "no").exists()
