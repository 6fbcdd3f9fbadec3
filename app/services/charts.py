"""Charts drawn on the server as inline SVG: no script, no chart library, nothing from elsewhere.

Every chart is an image with a title and a description that say the numbers in words
(role="img", aria-labelledby), and shows the numbers as text too. Sizes are in percent of
the available width, so a chart fits a phone as well as a wide screen; colours come from
CSS classes (static/css/rounds.css and staff.css), never from style attributes (the CSP forbids them).
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

from app import labels

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


def question_chart(result: Any) -> Markup | None:
    """The chart for one question's results (a round_results.QuestionResult); None for free text."""
    question = result.question
    chart_id = f"chart-q{question.id}"
    prompt = question.prompt
    if question.kind == "rating":
        bars = [(labels.label("rating", value), count) for value, count in result.distribution.items()]
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


COLUMN_PLOT = 150  # the height of the tallest column
COLUMN_TOP = 20  # room for the number above a column
COLUMN_AXIS = 24  # room for the labels under the columns
COLUMN_FILL = 0.62  # how much of its slot a column fills


def column_chart(chart_id: str, title: str, columns: Sequence[tuple[str, int]], unit: str) -> Markup:
    """Vertical columns, one per (label, count), left to right (weeks, for example).

    Two labels in three, counted from the last, carry `chart__tick--minor`, so narrow screens
    can show a third of them and still the newest; the last label ends at its column's edge.
    """
    largest = max((count for _, count in columns), default=0)
    total = sum(count for _, count in columns)
    parts = [f"{label}: {count}" for label, count in columns]
    description = f"{total} {unit} in all. " + "; ".join(parts) + "."
    height = COLUMN_TOP + COLUMN_PLOT + COLUMN_AXIS
    svg = _open_svg(chart_id, "chart--columns", height, title, description)
    slot = 100 / len(columns) if columns else 100
    baseline = COLUMN_TOP + COLUMN_PLOT
    svg.append(f'<line class="chart__axis" x1="0" y1="{baseline}" x2="100%" y2="{baseline}"/>')
    for index, (label, count) in enumerate(columns):
        centre = slot * (index + 0.5)
        column_height = round(COLUMN_PLOT * count / largest) if largest else 0
        minor = " chart__tick--minor" if (len(columns) - 1 - index) % 3 else ""
        last = index == len(columns) - 1
        tick_x = slot * index + slot * (1 + COLUMN_FILL) / 2 if last else centre
        svg.append('<g class="chart__column">')
        if column_height:
            svg.append(
                f'<rect class="chart__bar" x="{_number(slot * index + slot * (1 - COLUMN_FILL) / 2)}%" '
                f'y="{baseline - column_height}" width="{_number(slot * COLUMN_FILL)}%" '
                f'height="{column_height}" rx="2"/>'
            )
        svg.append(
            f'<text class="chart__value" x="{_number(centre)}%" y="{baseline - column_height - 6}" '
            f'text-anchor="middle">{count}</text>'
        )
        svg.append(
            f'<text class="chart__tick{minor}" x="{_number(tick_x)}%" y="{baseline + 17}" '
            f'text-anchor="{"end" if last else "middle"}">{escape(label)}</text>'
        )
        svg.append("</g>")
    svg.append("</svg>")
    return Markup("".join(svg))  # noqa: S704 - every piece of text above is escaped


def _bar_rows(chart_id: str, title: str, description: str, rows: Sequence[tuple[str, float, str]]) -> Markup:
    """Horizontal bars from (label, width in percent of BAR_SPAN's 100, value text)."""
    svg = _open_svg(chart_id, "chart--bars", max(ROW_HEIGHT * len(rows), 1), title, description)
    for index, (label, share, value) in enumerate(rows):
        top = index * ROW_HEIGHT
        bar_top = top + 22
        svg.append('<g class="chart__row">')
        svg.append(f'<text class="chart__label" x="0" y="{top + 15}">{escape(_short(label))}</text>')
        svg.append(
            f'<rect class="chart__track" x="0" y="{bar_top}" width="{BAR_SPAN}%" '
            f'height="{BAR_HEIGHT}" rx="3"/>'
        )
        if share > 0:
            svg.append(
                f'<rect class="chart__bar" x="0" y="{bar_top}" width="{_number(BAR_SPAN * share / 100)}%" '
                f'height="{BAR_HEIGHT}" rx="3"/>'
            )
        svg.append(
            f'<text class="chart__value" x="100%" y="{bar_top + 12}" text-anchor="end">{escape(value)}</text>'
        )
        svg.append("</g>")
    svg.append("</svg>")
    return Markup("".join(svg))  # noqa: S704 - every piece of text above is escaped


def count_chart(chart_id: str, title: str, bars: Sequence[tuple[str, int]], unit: str) -> Markup:
    """Horizontal bars, one per (label, count), each with its count; the longest is the largest."""
    largest = max((count for _, count in bars), default=0)
    description = "; ".join(f"{label}: {count} {unit}" for label, count in bars) + "." if bars else ""
    rows = [(label, 100 * count / largest if largest else 0, str(count)) for label, count in bars]
    return _bar_rows(chart_id, title, description or "Nothing to show yet.", rows)


def fill_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int, int]], unit: str) -> Markup:
    """One bar per (label, filled, capacity): the track is the capacity, the bar what is filled."""
    parts = [f"{label}: {filled} of {capacity} {unit}" for label, filled, capacity in rows]
    description = "; ".join(parts) + "." if rows else "Nothing to show yet."
    bars = [
        (label, 100 * min(filled, capacity) / capacity if capacity else 0, f"{filled}/{capacity}")
        for label, filled, capacity in rows
    ]
    return _bar_rows(chart_id, title, description, bars)
