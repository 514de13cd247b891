"""Server-side SVG charts for the managers' dashboard (issue 16): horizontal bars and stacked
bars, drawn from plain rows — no JavaScript, no CDN (the offices' intranet, the CSP).

Accessible: the ``<svg>`` is ``role="img"`` with a ``<title>`` and a ``<desc>`` listing every
value; each bar carries its own ``<title>`` (shown on hover) and its value written beside it, so
the numbers are readable without colours. Only SVG presentation attributes (``fill``,
``font-size``…), never ``style`` (the Content-Security-Policy has no inline styles). The SVG
scales to its container (``viewBox``, ``width="100%"``): readable on a tablet.

    {% load charts %}
    {% hbar_chart rows label="label" value="count" title="Casos abiertos por estado" %}
    {% stacked_bar_chart rows label="office" segments=segs title="Apoyos programados" %}

``segments`` is a list of ``(key, legend, colour)``.

The markup is built with f-strings and ``html.escape`` on every text (labels, legends, values):
a chart of 100 technologists is a few thousand elements, and ``format_html`` per element cost
more than all the dashboard's queries (profiled with 1,000,000 cases, ``make bench
BENCH=dashboard``).
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

WIDTH = 640
LABEL_WIDTH = 230
VALUE_GAP = 6
VALUE_WIDTH = 70
BAR_HEIGHT = 22
ROW_GAP = 10
TOP = 6
FONT = 13
LEGEND_HEIGHT = 24
#: Bootstrap 5's palette (success, warning, danger, dark, primary, info, secondary).
PALETTE = ["#198754", "#ffc107", "#dc3545", "#212529", "#0d6efd", "#0dcaf0", "#6c757d"]
DEFAULT_COLOUR = PALETTE[0]
MAX_LABEL_CHARS = 28


def _get(row, key):
    if isinstance(row, dict):
        return row.get(key)
    return getattr(row, key, None)


def _number(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _slug(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


def _frame(*, title: str, desc: str, height: int, body, chart_id: str):
    chart_id = escape(chart_id or _slug(title))
    return mark_safe(  # noqa: S308 - every text is escaped, the body is built the same way
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" data-chart="{chart_id}">'
        f'<title id="{chart_id}-t">{escape(str(title))}</title>'
        f'<desc id="{chart_id}-d">{escape(str(desc))}</desc>{body}</svg>'
    )


def _empty(title: str, chart_id: str, empty: str):
    return _frame(
        title=title,
        desc=empty,
        height=BAR_HEIGHT + 2 * TOP,
        chart_id=chart_id,
        body=f'<text x="0" y="{TOP + BAR_HEIGHT - 7}" font-size="{FONT}" fill="#6c757d">'
        f"{escape(str(empty))}</text>",
    )


def _label(y: int, label: str):
    return (
        f'<text x="{LABEL_WIDTH - VALUE_GAP}" y="{y + BAR_HEIGHT - 7}" font-size="{FONT}" '
        f'text-anchor="end" fill="#212529">{escape(_short(label))}'
        f"<title>{escape(str(label))}</title></text>"
    )


@register.simple_tag
def hbar_chart(
    rows,
    *,
    title: str,
    label: str = "label",
    value: str = "value",
    colour: str = DEFAULT_COLOUR,
    max_value=None,
    suffix: str = "",
    chart_id: str = "",
    empty: str = "Sin datos.",
):
    """One horizontal bar per row: the row's ``label`` on the left, a bar as long as its
    ``value`` (relative to the largest, or ``max_value``) and the value written beside it."""
    rows = list(rows or [])
    if not rows:
        return _empty(title, chart_id, empty)
    values = [_number(_get(r, value)) for r in rows]
    top = max(_number(max_value), *values) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    described = []
    for i, (row, number) in enumerate(zip(rows, values, strict=True)):
        y = TOP + i * (BAR_HEIGHT + ROW_GAP)
        name = str(_get(row, label))
        raw = _get(row, value)
        shown = "—" if raw is None else _text(raw) + suffix
        width = round(span * number / top, 1)
        described.append(f"{name}: {shown}")
        parts.append(
            f'<g class="chart-row">{_label(y, name)}'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="3" '
            f'fill="{escape(colour)}"><title>{escape(name)}: {escape(shown)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + VALUE_GAP}" y="{y + BAR_HEIGHT - 7}" '
            f'font-size="{FONT}" fill="#212529" class="chart-value">{escape(shown)}</text></g>'
        )
    height = TOP * 2 + len(rows) * (BAR_HEIGHT + ROW_GAP)
    return _frame(
        title=title,
        desc="; ".join(described) + ".",
        height=height,
        chart_id=chart_id,
        body="".join(parts),
    )


def _legend(y: int, segments) -> str:
    x = LABEL_WIDTH
    items = []
    for _key, legend, colour in segments:
        items.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{escape(colour)}"></rect>'
            f'<text x="{x + 16}" y="{y + 11}" font-size="{FONT - 1}" fill="#212529">'
            f"{escape(str(legend))}</text>"
        )
        x += 16 + 7 * len(str(legend)) + 18
    return "".join(items)


@register.simple_tag
def stacked_bar_chart(
    rows,
    *,
    title: str,
    segments,
    label: str = "label",
    chart_id: str = "",
    empty: str = "Sin datos.",
):
    """One bar per row split into ``segments`` (``(key, legend, colour)``), the parts' values
    written inside the bar where they fit and the total beside it; a legend below."""
    rows = list(rows or [])
    segments = [tuple(s) for s in segments]
    if not rows:
        return _empty(title, chart_id, empty)
    totals = [sum(_number(_get(r, key)) for key, _l, _c in segments) for r in rows]
    top = max(totals) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    described = []
    for i, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = TOP + i * (BAR_HEIGHT + ROW_GAP)
        name = str(_get(row, label))
        x = float(LABEL_WIDTH)
        pieces = []
        words = []
        for key, legend, colour in segments:
            number = _number(_get(row, key))
            words.append(f"{legend} {_text(_get(row, key))}")
            if number <= 0:
                continue
            width = round(span * number / top, 1)
            shown = escape(_text(_get(row, key)))
            inside = ""
            if width >= 22:
                ink = "#212529" if colour in ("#ffc107", "#0dcaf0", "#dee2e6") else "#ffffff"
                inside = (
                    f'<text x="{round(x + width / 2, 1)}" y="{y + BAR_HEIGHT - 7}" '
                    f'font-size="{FONT - 1}" text-anchor="middle" fill="{ink}">{shown}</text>'
                )
            pieces.append(
                f'<rect x="{round(x, 1)}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
                f'fill="{escape(colour)}"><title>{escape(name)} — {escape(str(legend))}: '
                f"{shown}</title></rect>{inside}"
            )
            x += width
        described.append(f"{name}: " + ", ".join(words))
        total_text = escape(_text(int(total) if float(total).is_integer() else total))
        parts.append(
            f'<g class="chart-row">{_label(y, name)}{"".join(pieces)}'
            f'<text x="{round(x + VALUE_GAP, 1)}" y="{y + BAR_HEIGHT - 7}" font-size="{FONT}" '
            f'fill="#212529" class="chart-value">{total_text}</text></g>'
        )
    legend_y = TOP + len(rows) * (BAR_HEIGHT + ROW_GAP)
    parts.append(_legend(legend_y, segments))
    height = legend_y + LEGEND_HEIGHT
    return _frame(
        title=title,
        desc="; ".join(described) + ".",
        height=height,
        chart_id=chart_id,
        body="".join(parts),
    )


@register.simple_tag
def segments(*items):
    """``{% segments "on_time" "a tiempo" "#198754" "near_due" … as segs %}``: triples for
    ``stacked_bar_chart``."""
    return [tuple(items[i : i + 3]) for i in range(0, len(items) - 2, 3)]


@register.filter
def percent(value) -> str:
    """0.756 → "75,6 %" (a rate of 0..1); None → "—"."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f} %".replace(".", ",")


@register.filter
def decimal_comma(value) -> str:
    if value is None:
        return "—"
    return _text(float(value))
