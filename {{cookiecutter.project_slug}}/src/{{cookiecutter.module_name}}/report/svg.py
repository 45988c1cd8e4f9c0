"""Inline SVG line plots on the unit square, with a title and a description for screen readers."""

from __future__ import annotations

from html import escape

SIZE, MARGIN = 240, 36
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _x(value: float) -> float:
    return MARGIN + value * SIZE


def _y(value: float) -> float:
    return MARGIN + (1 - value) * SIZE


def unit_plot(
    ident: str,
    points: list[tuple[float, float]],
    title: str,
    description: str,
    x_label: str,
    y_label: str,
) -> str:
    """A line through `points` (x and y in [0, 1]) over the dashed diagonal y = x.

    Args:
        ident: a page-unique id, used to link the title and description.
        points: the curve, in drawing order.
        title: the plot's accessible name.
        description: what the plot shows, in words, for readers who cannot see it.
        x_label, y_label: the axes' names.

    Returns:
        An <svg> element.
    """
    line = " ".join(f"{_x(x):.1f},{_y(y):.1f}" for x, y in points)
    ticks = "".join(
        f'<text x="{_x(t):.0f}" y="{_y(0) + 14:.0f}" text-anchor="middle">{t:g}</text>'
        f'<text x="{MARGIN - 4}" y="{_y(t) + 4:.0f}" text-anchor="end">{t:g}</text>'
        for t in TICKS
    )
    full = SIZE + 2 * MARGIN
    return (
        f'<svg viewBox="0 0 {full} {full}" role="img" class="plot" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{SIZE}" height="{SIZE}" class="frame"/>'
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" class="diagonal"/>'
        f'<polyline points="{line}" class="curve"/>{ticks}'
        f'<text x="{_x(0.5):.0f}" y="{full - 4}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="12" y="{_y(0.5):.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_y(0.5):.0f})">{escape(y_label)}</text></svg>'
    )
