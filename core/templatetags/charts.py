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
"""

from django import template
from django.utils.html import format_html
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
    chart_id = chart_id or _slug(title)
    return format_html(
        '<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="100%" '
        'viewBox="0 0 {w} {h}" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-t {id}-d" data-chart="{id}">'
        '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        body=body,
    )


def _empty(title: str, chart_id: str, empty: str):
    return _frame(
        title=title,
        desc=empty,
        height=BAR_HEIGHT + 2 * TOP,
        chart_id=chart_id,
        body=format_html(
            '<text x="0" y="{y}" font-size="{f}" fill="#6c757d">{t}</text>',
            y=TOP + BAR_HEIGHT - 7,
            f=FONT,
            t=empty,
        ),
    )


def _label(y: int, label: str):
    return format_html(
        '<text x="{x}" y="{y}" font-size="{f}" text-anchor="end" fill="#212529">{t}'
        "<title>{full}</title></text>",
        x=LABEL_WIDTH - VALUE_GAP,
        y=y + BAR_HEIGHT - 7,
        f=FONT,
        t=_short(label),
        full=label,
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
            format_html(
                '<g class="chart-row">{label}'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="{c}">'
                "<title>{name}: {shown}</title></rect>"
                '<text x="{vx}" y="{ty}" font-size="{f}" fill="#212529" '
                'class="chart-value">{shown}</text></g>',
                label=_label(y, name),
                x=LABEL_WIDTH,
                y=y,
                w=width,
                h=BAR_HEIGHT,
                c=colour,
                name=name,
                shown=shown,
                vx=LABEL_WIDTH + width + VALUE_GAP,
                ty=y + BAR_HEIGHT - 7,
                f=FONT,
            )
        )
    height = TOP * 2 + len(rows) * (BAR_HEIGHT + ROW_GAP)
    return _frame(
        title=title,
        desc="; ".join(described) + ".",
        height=height,
        chart_id=chart_id,
        body=mark_safe("".join(parts)),  # noqa: S308 - every part is format_html output
    )


def _legend(y: int, segments) -> str:
    x = LABEL_WIDTH
    items = []
    for _key, legend, colour in segments:
        items.append(
            format_html(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"></rect>'
                '<text x="{tx}" y="{ty}" font-size="{f}" fill="#212529">{t}</text>',
                x=x,
                y=y,
                c=colour,
                tx=x + 16,
                ty=y + 11,
                f=FONT - 1,
                t=legend,
            )
        )
        x += 16 + 7 * len(str(legend)) + 18
    return mark_safe("".join(items))  # noqa: S308 - format_html output


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
            inside = ""
            if width >= 22:
                inside = format_html(
                    '<text x="{tx}" y="{ty}" font-size="{f}" text-anchor="middle" '
                    'fill="{fc}">{v}</text>',
                    tx=round(x + width / 2, 1),
                    ty=y + BAR_HEIGHT - 7,
                    f=FONT - 1,
                    fc="#212529" if colour in ("#ffc107", "#0dcaf0", "#dee2e6") else "#ffffff",
                    v=_text(_get(row, key)),
                )
            pieces.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}">'
                    "<title>{name} — {legend}: {v}</title></rect>{inside}",
                    x=round(x, 1),
                    y=y,
                    w=width,
                    h=BAR_HEIGHT,
                    c=colour,
                    name=name,
                    legend=legend,
                    v=_text(_get(row, key)),
                    inside=inside,
                )
            )
            x += width
        described.append(f"{name}: " + ", ".join(words))
        parts.append(
            format_html(
                '<g class="chart-row">{label}{pieces}'
                '<text x="{vx}" y="{ty}" font-size="{f}" fill="#212529" '
                'class="chart-value">{total}</text></g>',
                label=_label(y, name),
                pieces=mark_safe("".join(pieces)),  # noqa: S308 - format_html output
                vx=round(x + VALUE_GAP, 1),
                ty=y + BAR_HEIGHT - 7,
                f=FONT,
                total=_text(int(total) if float(total).is_integer() else total),
            )
        )
    legend_y = TOP + len(rows) * (BAR_HEIGHT + ROW_GAP)
    parts.append(_legend(legend_y, segments))
    height = legend_y + LEGEND_HEIGHT
    return _frame(
        title=title,
        desc="; ".join(described) + ".",
        height=height,
        chart_id=chart_id,
        body=mark_safe("".join(parts)),  # noqa: S308 - format_html output
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
