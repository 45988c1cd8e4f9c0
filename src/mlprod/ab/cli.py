"""`mlprod ab`: sample-size, assign, srm, adjust and analyze sub-commands."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from mlprod.errors import UsageError
from mlprod.output import dumps, number


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (text)"
    )


def _add_command(commands, name: str, summary: str) -> argparse.ArgumentParser:
    """A sub-command whose `--help` opens with the same summary as the list of commands."""
    return commands.add_parser(name, help=summary, description=summary)


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _missing_subcommand(parser))

    size = _add_command(commands, "sample-size", "units per variant to detect an effect")
    size.add_argument("--baseline-rate", type=float, help="control conversion rate, e.g. 0.05")
    size.add_argument("--std", type=float, help="standard deviation of a continuous metric")
    size.add_argument("--baseline-mean", type=float, help="control mean (with --std --relative)")
    size.add_argument("--mde", type=float, required=True, help="minimum detectable effect")
    size.add_argument("--relative", action="store_true", help="--mde is relative to baseline")
    size.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    size.add_argument("--power", type=float, default=0.8, help="statistical power (0.8)")
    size.add_argument("--ratio", type=float, default=1.0, help="treatment/control units (1)")
    size.add_argument("--daily-units", type=float, help="units per day, to estimate duration")
    _add_format(size)
    size.set_defaults(func=run_sample_size)

    assign = _add_command(commands, "assign", "deterministic variant for each unit id")
    assign.add_argument("ids", nargs="*", metavar="ID", help="unit ids (or use --input)")
    assign.add_argument("--input", type=Path, help="file with one unit id per line ('-': stdin)")
    assign.add_argument("--salt", required=True, help="experiment name, unique per experiment")
    assign.add_argument(
        "--variants", nargs="+", default=["control", "treatment"], help="variant names"
    )
    assign.add_argument("--weights", nargs="+", help="relative weights, e.g. 50 50 (equal)")
    _add_format(assign)
    assign.set_defaults(func=run_assign)

    srm = _add_command(commands, "srm", "sample ratio mismatch check (chi-square)")
    srm.add_argument("--counts", type=float, nargs="+", required=True, help="units per variant")
    srm.add_argument("--weights", type=float, nargs="+", help="designed split (equal)")
    srm.add_argument("--threshold", type=float, default=0.001, help="alarm when p < (0.001)")
    _add_format(srm)
    srm.set_defaults(func=run_srm)

    adjust = _add_command(commands, "adjust", "adjust p-values for multiple testing")
    adjust.add_argument("p_values", type=float, nargs="+", metavar="P", help="p-values")
    adjust.add_argument("--method", choices=["holm", "fdr_bh"], default="holm", help="(holm)")
    _add_format(adjust)
    adjust.set_defaults(func=run_adjust, flags={"p_values": "P"})

    analyze = _add_command(commands, "analyze", "analyse experiment results (CSV/Parquet)")
    analyze.add_argument("file", type=Path, metavar="FILE", help="unit-level or aggregated rows")
    analyze.add_argument("--variant-col", required=True, help="column naming the variant")
    analyze.add_argument("--control", required=True, help="name of the control variant")
    analyze.add_argument("--metric-col", help="metric column of unit-level rows")
    analyze.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    analyze.add_argument(
        "--weights", nargs="+", metavar="NAME=W", help="designed split, e.g. control=50 B=50"
    )
    analyze.add_argument("--srm-threshold", type=float, default=0.001, help="(0.001)")
    analyze.add_argument("--plot", type=Path, metavar="PATH", help="write a PNG of the lifts")
    _add_format(analyze)
    analyze.set_defaults(func=run_analyze, flags={"path": "--plot"})


def _missing_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_sample_size(args: argparse.Namespace) -> int:
    from mlprod.ab.sample_size import sample_size

    result = sample_size(
        args.mde,
        baseline_rate=args.baseline_rate,
        std=args.std,
        baseline_mean=args.baseline_mean,
        relative=args.relative,
        alpha=args.alpha,
        power=args.power,
        ratio=args.ratio,
        daily_units=args.daily_units,
    )
    if args.format == "json":
        print(dumps(result.to_dict()))
        return 0
    per_arm = (
        f"{result.n_per_variant} units per variant"
        if result.n_control == result.n_treatment
        else f"{result.n_control} control and {result.n_treatment} treatment units"
    )
    print(f"{per_arm}, {result.n_total} in total", end="")
    print(f" ({result.days} days at {args.daily_units:g} units/day)" if result.days else "")
    print(
        f"to detect an absolute effect of {result.mde_abs:.4g} with alpha {result.alpha:g} "
        f"and power {result.power:g} ({result.metric} metric)."
    )
    return 0


def _read_ids(args: argparse.Namespace) -> list[str]:
    ids = list(args.ids)
    if args.input is not None:
        if str(args.input) == "-":
            text = sys.stdin.read()
        elif args.input.is_file():
            text = args.input.read_text(encoding="utf-8")
        else:
            raise UsageError(f"{args.input} does not exist; give a file of unit ids")
        ids.extend(line.strip() for line in text.splitlines() if line.strip())
    if not ids:
        raise UsageError("no unit ids; give them as arguments or with --input FILE")
    return ids


def run_assign(args: argparse.Namespace) -> int:
    from mlprod.ab.assignment import Assigner

    assigner = Assigner(args.salt, args.variants, args.weights)
    pairs = assigner.assign_many(_read_ids(args))
    if args.format == "json":
        rows = [{"unit_id": unit, "variant": variant} for unit, variant in pairs]
        print(dumps({"salt": args.salt, "assignments": rows}))
    else:
        for unit, variant in pairs:
            print(f"{unit}\t{variant}")
    return 0


def run_srm(args: argparse.Namespace) -> int:
    from mlprod.ab.srm import srm_check

    result = srm_check(args.counts, args.weights, args.threshold)
    if args.format == "json":
        print(dumps(result))
    else:
        verdict = "SAMPLE RATIO MISMATCH" if result["srm"] else "no mismatch"
        print(
            f"{verdict}: chi-square {result['statistic']:.4g}, p = {result['p_value']:.3g} "
            f"(alarm below {result['threshold']:g})"
        )
    return 1 if result["srm"] else 0


def run_adjust(args: argparse.Namespace) -> int:
    from mlprod.ab.adjust import adjust

    adjusted = adjust(args.p_values, args.method)
    if args.format == "json":
        print(dumps({"method": args.method, "adjusted": adjusted}))
    else:
        for raw, value in zip(args.p_values, adjusted, strict=True):
            print(f"{raw:g}\t{value:.6g}")
    return 0


def _parse_weights(pairs: list[str] | None) -> dict[str, float] | None:
    if pairs is None:
        return None
    weights: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.rpartition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name:
            raise UsageError(f"weight '{pair}' is not NAME=WEIGHT; write e.g. control=50")
    return weights


def _relative_text(row: dict[str, object], level: str) -> str:
    if not math.isfinite(row["lift_rel"]):
        return "relative lift undefined (control mean 0)"
    lift = f"relative {row['lift_rel'] * 100:+.3g}%"
    if not math.isfinite(row["ci_rel_low"]):
        return f"{lift} [no {level} CI]"
    return f"{lift} [{level} CI {row['ci_rel_low'] * 100:+.3g}%, {row['ci_rel_high'] * 100:+.3g}%]"


def _print_analysis(result: dict[str, object]) -> None:
    control = result["control"]
    print(f"metric: {result['metric_type']}; control '{control['name']}': ", end="")
    print(f"n = {int(control['n'])}, mean = {number(control['mean'])}")
    level = f"{(1 - result['alpha']) * 100:.0f}%"
    for row in result["variants"]:
        print(
            f"  {row['name']}: n = {int(row['n'])}, mean = {number(row['mean'])}, "
            f"lift = {number(row['lift_abs'])} [{level} CI {number(row['ci_low'])}, "
            f"{number(row['ci_high'])}], {_relative_text(row, level)}, "
            f"p = {number(row['p_value'], 3)}, adjusted p = {number(row['p_value_adjusted'], 3)}"
        )
    srm = result["srm"]
    print(f"SRM check: p = {number(srm['p_value'], 3)}{' (MISMATCH)' if srm['srm'] else ''}")
    for note in result["notes"]:
        print(f"note: {note}")
    print(result["decision"])


def run_analyze(args: argparse.Namespace) -> int:
    from mlprod.ab.analyze import analyze_file

    if args.plot is not None and not args.plot.parent.is_dir():
        raise UsageError(f"directory {args.plot.parent} does not exist; create it or fix --plot")
    analysis = analyze_file(
        args.file,
        args.variant_col,
        args.control,
        metric_col=args.metric_col,
        alpha=args.alpha,
        weights=_parse_weights(args.weights),
        srm_threshold=args.srm_threshold,
    )
    result = analysis.to_dict()
    if args.plot is not None:
        from mlprod.ab.plot import plot_lifts

        plot_lifts(result, args.plot)
    if args.format == "json":
        print(dumps(result))
    else:
        _print_analysis(result)
    return 0
