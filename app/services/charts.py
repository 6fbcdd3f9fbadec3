"""Charts drawn on the server as inline SVG: no script, no chart library, nothing from elsewhere.

Every chart is an image with a title and a description that say the numbers in words
(role="img", aria-labelledby), and shows the numbers as text too. Sizes are in percent of
the available width, so a chart fits a phone as well as a wide screen; colours come from
CSS classes (static/css/app.css), never from style attributes (the CSP forbids them).
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

ROW_HEIGHT = 44  # a label line and a bar line
BAR_HEIGHT = 14
BAR_SPAN = 78  # percent of the width a full bar takes; the numbers sit to its right
LABEL_MAX = 44
NPS_HEIGHT = 34


def _share(part: int, whole: int) -> int:
    if not whole:
        return 0
    return int((Decimal(part * 100) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def _number(value: float) -> str:
    """A coordinate without needless digits: 12.5, 40, 33.333."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _open_svg(chart_id: str, css_class: str, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, int]], whole: int) -> Markup:
    """Horizontal bars, one per (label, count); each shows its count and its share of `whole`.

    The longest bar is the largest count, so small differences stay visible.
    """
    largest = max((count for _, count in bars), default=0)
    parts = [f"{label}: {count} ({_share(count, whole)}%)" for label, count in bars]
    description = f"{whole} answered. " + "; ".join(parts) + "."
    svg = _open_svg(chart_id, "chart--bars", ROW_HEIGHT * len(bars), title, description)
    for index, (label, count) in enumerate(bars):
        top = index * ROW_HEIGHT
        width = BAR_SPAN * count / largest if largest else 0
        bar_top = top + 22
        svg.append('<g class="chart__row">')
        svg.append(f'<text class="chart__label" x="0" y="{top + 15}">{escape(_short(label))}</text>')
        svg.append(
            f'<rect class="chart__track" x="0" y="{bar_top}" width="{BAR_SPAN}%" '
            f'height="{BAR_HEIGHT}" rx="3"/>'
        )
        if count:
            svg.append(
                f'<rect class="chart__bar" x="0" y="{bar_top}" width="{_number(width)}%" '
                f'height="{BAR_HEIGHT}" rx="3"/>'
            )
        svg.append(
            f'<text class="chart__value" x="100%" y="{bar_top + 12}" text-anchor="end">'
            f"{count} · {_share(count, whole)}%</text>"
        )
        svg.append("</g>")
    svg.append("</svg>")
    return Markup("".join(svg))  # noqa: S704 - every piece of text above is escaped


NPS_GROUPS = (
    ("detractors", "Detractors (0–6)"),
    ("passives", "Passives (7–8)"),
    ("promoters", "Promoters (9–10)"),
)


def nps_chart(chart_id: str, title: str, promoters: int, passives: int, detractors: int) -> Markup:
    """One bar split into detractors, passives and promoters, each segment as wide as its share."""
    counts = {"detractors": detractors, "passives": passives, "promoters": promoters}
    total = promoters + passives + detractors
    parts = [f"{label}: {counts[key]} ({_share(counts[key], total)}%)" for key, label in NPS_GROUPS]
    score = _share(promoters - detractors, total) if total else None
    lead = f"NPS {score:+d} from {total} answers. " if score is not None else "No answers yet. "
    svg = _open_svg(chart_id, "chart--nps", NPS_HEIGHT, title, lead + "; ".join(parts) + ".")
    start = 0.0
    if not total:
        svg.append(f'<rect class="chart__track" x="0" y="0" width="100%" height="{NPS_HEIGHT}" rx="4"/>')
    for key, _ in NPS_GROUPS:
        width = 100 * counts[key] / total if total else 0
        if width:
            svg.append(
                f'<rect class="chart__segment chart__segment--{key}" x="{_number(start)}%" y="0" '
                f'width="{_number(width)}%" height="{NPS_HEIGHT}"/>'
            )
            # A count inside its segment when the segment is wide enough to hold it.
            if width >= 8:
                svg.append(
                    f'<text class="chart__inside chart__inside--{key}" x="{_number(start + width / 2)}%" '
                    f'y="{NPS_HEIGHT / 2 + 5:g}" text-anchor="middle">{counts[key]}</text>'
                )
        start += width
    svg.append("</svg>")
    return Markup("".join(svg))  # noqa: S704 - every piece of text above is escaped


RATING_LABELS = {1: "1 (lowest)", 2: "2", 3: "3", 4: "4", 5: "5 (highest)"}


def question_chart(result: Any) -> Markup | None:
    """The chart for one question's results (a round_results.QuestionResult); None for free text."""
    question = result.question
    chart_id = f"chart-q{question.id}"
    prompt = question.prompt
    if question.kind == "rating":
        bars = [(RATING_LABELS[value], count) for value, count in result.distribution.items()]
        title = f"Ratings for “{prompt}”"
        if result.average is not None:
            title += f": average {result.average} of 5"
        return bar_chart(chart_id, title, bars, result.answered)
    if question.kind == "nps":
        nps = result.nps
        return nps_chart(chart_id, f"NPS for “{prompt}”", nps.promoters, nps.passives, nps.detractors)
    if question.kind in ("choice", "multi"):
        bars = list(result.distribution.items())
        title = f"Answers to “{prompt}”" + (" (several could be chosen)" if question.kind == "multi" else "")
        return bar_chart(chart_id, title, bars, result.answered)
    return None
