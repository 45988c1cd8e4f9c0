"""HTML drift report for readers who are not statisticians: a verdict in one sentence, a
table that says in words what changed, and a chart for each column that drifted, embedded
in the file so it can be mailed or attached as it is."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING

from mlprod.errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd

    from mlprod.drift.comparison import ColumnDrift, DriftResult

MAX_CATEGORIES = 15

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
.verdict { font-size: 1.3rem; padding: 1rem; border-radius: .5rem; }
.bad { background: #fde2e1; } .good { background: #e3f6e5; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }
td.yes { color: #b00020; font-weight: bold; }
figure { margin: 1.5rem 0; } figcaption { color: #555; }
"""


def _psi_words(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.1:
        return f"{value:.3f} (stable)"
    if value < 0.25:
        return f"{value:.3f} (moderate shift)"
    return f"{value:.3f} (large shift)"


def _effect_words(column: ColumnDrift) -> str:
    if column.effect is None:
        return "-"
    if column.effect_measure == "wasserstein_norm":
        return f"{column.effect:.3f} standard deviations"
    return f"{column.effect:.3f} (Jensen-Shannon)"


def _figure_png(reference: pd.Series, current: pd.Series, column: ColumnDrift) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    # Names come from the data: shown as they are, never read as TeX (a name like
    # "$\undefinedmacro$" would otherwise stop the drawing with a parse error).
    with plt.rc_context({"text.usetex": False, "text.parse_math": False}):
        figure, axes = plt.subplots(figsize=(7, 3.2))
        if column.kind == "numeric":
            ref = reference.dropna().to_numpy(dtype=float)
            cur = current.dropna().to_numpy(dtype=float)
            low, high = np.percentile(np.concatenate([ref, cur]), [0.5, 99.5])
            edges = np.linspace(low, high, 41) if high > low else np.array([low - 0.5, low + 0.5])
            axes.hist(ref, bins=edges, density=True, alpha=0.5, label="reference")
            axes.hist(cur, bins=edges, density=True, alpha=0.5, label="current")
            axes.set_ylabel("share of rows (density)")
            axes.set_xlabel(column.column)
        else:
            ref_share = reference.astype(str).value_counts(normalize=True)
            cur_share = current.astype(str).value_counts(normalize=True)
            names = list(ref_share.index.union(cur_share.index))
            names.sort(key=lambda name: -max(ref_share.get(name, 0), cur_share.get(name, 0)))
            names = names[:MAX_CATEGORIES]
            position = np.arange(len(names))
            axes.bar(position - 0.2, [ref_share.get(n, 0) for n in names], 0.4, label="reference")
            axes.bar(position + 0.2, [cur_share.get(n, 0) for n in names], 0.4, label="current")
            axes.set_xticks(position, names, rotation=30, ha="right")
            axes.set_ylabel("share of rows")
        axes.set_title(f"{column.column}: reference against current")
        axes.legend()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_html(reference: pd.DataFrame, current: pd.DataFrame, result: DriftResult) -> str:
    esc = html.escape
    verdict_class = "bad" if result.dataset_drift or result.drifted else "good"
    rows = []
    for column in result.columns:
        notes = "; ".join([column.summary, *[f for f in column.findings if f != column.summary]])
        rows.append(
            f"<tr><td>{esc(column.column)}</td>"
            f"<td class='{'yes' if column.drift else 'no'}'>{'Yes' if column.drift else 'No'}</td>"
            f"<td>{esc(notes)}</td><td>{_effect_words(column)}</td>"
            f"<td>{_psi_words(column.psi)}</td>"
            f"<td>{'-' if column.p_value is None else f'{column.p_value:.2g}'}</td></tr>"
        )
    figures = []
    for column in result.drifted:
        # Columns flagged for a schema problem have no pair of distributions to draw.
        if column.test in ("ks", "chi-square"):
            png = _figure_png(reference[column.column], current[column.column], column)
            figures.append(
                f"<figure><img alt='{esc(column.column)} distribution' "
                f"src='data:image/png;base64,{png}'>"
                f"<figcaption>{esc(column.summary)}</figcaption></figure>"
            )
    extra = "".join(f"<li>{esc(finding)}</li>" for finding in result.findings)
    thresholds = result.thresholds
    psi = thresholds["psi_threshold"]
    psi_rule = "" if psi is None else f" and the stability index at least {psi:g}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data drift report</title>
<style>{STYLE}</style></head><body>
<h1>Data drift report</h1>
<p class="verdict {verdict_class}">{esc(result.summary)}</p>
<h2>How to read this</h2>
<p>Each column of the new data is compared with the same column in the reference data (the
data the model learned from). A column is marked <b>changed</b> only when the difference is
both too large to be chance and large enough to matter. The <i>size of the change</i> is,
for numbers, how far the values moved on average, in standard deviations of the reference
(a shift of the whole column by a tenth of its spread is 0.1), and for categories the
Jensen-Shannon distance between the shares of rows (moving a tenth of the rows between two
categories gives about 0.1); from 0.1 up a change counts as material. The <i>stability
index</i> (PSI) is shown as well, for those who know it; it reads higher on small batches
than on large ones, so it does not decide. When a model's inputs change, its predictions
may no longer be reliable: retraining or investigating the data source is usually the next step.</p>
<h2>Columns</h2>
<table><tr><th>Column</th><th>Changed?</th><th>What changed</th><th>Size of change</th>
<th>Stability index</th><th>p-value</th></tr>{"".join(rows)}</table>
{f"<ul>{extra}</ul>" if extra else ""}
{"<h2>Changed columns</h2>" + "".join(figures) if figures else ""}
<p><small>Tests: Kolmogorov-Smirnov (numbers), chi-square (categories); a column changes
when p &lt; {thresholds["alpha_per_column"]:.2g} and the size of the change is at least
{thresholds["wasserstein_threshold"]:g} standard deviations (numbers) or
{thresholds["jensen_shannon_threshold"]:g} (categories){psi_rule}; the data set has drifted
when at least
{thresholds["share_threshold"]:.0%} of columns changed.</small></p>
</body></html>
"""


def write_report(
    reference: pd.DataFrame, current: pd.DataFrame, result: DriftResult, path: str | Path
) -> Path:
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidParameter("path", f"is in {path.parent}, which does not exist; create it")
    path.write_text(render_html(reference, current, result), encoding="utf-8")
    return path
