"""PNG chart of each treatment's lift over control with its confidence interval."""

from __future__ import annotations

from pathlib import Path

from mlprod.errors import InvalidParameter


def plot_lifts(analysis_dict: dict[str, object], path: str | Path) -> Path:
    """Write a horizontal interval chart of `lift_abs` with `ci_low`/`ci_high` per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidParameter("path", f"is in {path.parent}, which does not exist; create it")
    variants = analysis_dict["variants"]
    control = analysis_dict["control"]["name"]
    alpha = analysis_dict["alpha"]
    names = [row["name"] for row in variants]
    lifts = [row["lift_abs"] for row in variants]
    low = [row["lift_abs"] - row["ci_low"] for row in variants]
    high = [row["ci_high"] - row["lift_abs"] for row in variants]
    colours = [
        ("tab:green" if row["lift_abs"] > 0 else "tab:red") if row["significant"] else "tab:gray"
        for row in variants
    ]
    # Names come from the data: shown as they are, never read as TeX (a name like
    # "$\undefinedmacro$" would otherwise stop the drawing with a parse error).
    with plt.rc_context({"text.usetex": False, "text.parse_math": False}):
        figure, axes = plt.subplots(figsize=(7, 1.2 + 0.6 * len(names)))
        for index, (lift, lo, hi, colour) in enumerate(zip(lifts, low, high, colours, strict=True)):
            axes.errorbar(lift, index, xerr=[[lo], [hi]], fmt="o", color=colour, capsize=5)
        axes.axvline(0, color="black", linewidth=1)
        axes.set_yticks(range(len(names)), names)
        axes.set_ylim(-0.7, len(names) - 0.3)
        axes.set_xlabel(
            f"difference from '{control}' ({(1 - alpha) * 100:.0f}% confidence interval)"
        )
        axes.set_title("Lift over control (green/red: significant, grey: not)")
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=100)
        plt.close(figure)
    return path
