"""The weights file ``tools/fit_weights.py`` writes: its header, the shipped numbers it keeps and
the comments that mark the weights set by hand."""

from __future__ import annotations

from pathlib import Path

from retrieval.answer.scoring import ScoringModel

HAND_SET = "the fit keeps it"


def hand_set(notes: dict[str, str]) -> set[str]:
    """The weights a weights file marks as set by hand (its comment says ``the fit keeps it``).

    These are features the public sets cannot teach (their paragraphs have no plan sections,
    heading labels, dated sentences, companion documents or table rows) and that the report sets
    in the fit do not teach better (the semantic ones: the rows are collected without sentence
    vectors); ``--free`` fits some of them anyway. The mark in ``config/weights.toml`` is the one
    record of which they are."""
    return {name for name, comment in notes.items() if HAND_SET in comment}


def write_toml(
    path: Path,
    weights: dict[str, float],
    model: ScoringModel,
    sources: list[str],
    l2: float,
    only: set[str] | None = None,
    notes: dict[str, str] | None = None,
    kept: set[str] | None = None,
    scale: float | None = None,
) -> None:
    """Write the fitted weights with the shipped [compose] and [policy] numbers (every tuned number
    of the composer lives in this one file). With ``only``, the header keeps the command that
    fitted the other weights, and ``notes`` (the shipped file's comments) stay on the lines kept;
    without it, on the hand-set weights in ``kept`` (all of them when None)."""
    command = "python tools/fit_weights.py " + " ".join(sources)
    lines = ["# Sentence-scoring weights (one per feature of retrieval/answer/features.py FEATURES)."]
    if only and path.is_file():
        lines += [line for line in path.read_text(encoding="utf-8").splitlines()[1:3] if line.startswith("# Fitted by")]
        lines.append(f"# {', '.join(sorted(only))} then fitted by: {command}")
    else:
        lines.append(f"# Fitted by: {command}")
    lines.append(f"# Listwise logistic loss, L2 = {l2}. See docs/quality.md.")
    if scale is not None:
        lines.append(f"{SCALED} {scale:.6f} (--keep-scale): a weight set by hand is that times its value as set.")
    lines += ["", "[weights]"]
    notes = notes or {}

    def note(name: str) -> str:
        if only:
            return "" if name in only else notes.get(name, "")
        return notes.get(name, "") if name in (hand_set(notes) if kept is None else kept) else ""

    lines += [f"{name} = {value:.4f}{note(name)}" for name, value in weights.items()]
    lines += [
        "",
        "[compose]",
        "# Retrieval and selection (retrieval/params.py ComposeParams); diversity is the score",
        "# toll per sentence already shown from the same report (multi-report questions).",
    ]
    lines += [f"{name} = {value:.4f}" for name, value in model.compose.as_mapping().items()]
    lines += [
        "",
        "[policy]",
        "# The decision to answer (retrieval/answer/policy.py AnswerPolicy): refuse when the best sentences'",
        "# confidence is below min_confidence; a value of the asked kind multiplies it by value_evidence,",
        "# its absence by value_missing; a passage about another place or year by place_missing / year_missing.",
    ]
    lines += [
        f"{name} = {value}" if isinstance(value, int) else f"{name} = {value:.4f}"
        for name, value in model.policy.as_mapping().items()
    ]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


SCALED = "# Scaled by"


def shipped_scale(path: Path) -> float:
    """The factor a weights file's weights were scaled by (``--keep-scale``; 1 when not scaled)."""
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(SCALED):
                return float(line.removeprefix(SCALED).split()[0])
    return 1.0


def shipped_notes(path: Path) -> dict[str, str]:
    """The comment after each weight of a weights file (who set it and how), by feature."""
    if not path.is_file():
        return {}
    notes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, eq, rest = line.partition("=")
        if eq and "#" in rest:
            notes[name.strip()] = "  #" + rest.split("#", 1)[1]
    return notes
