"""Small server-rendered SVG charts: no JavaScript, print as they are, every text escaped.

Each chart is an image with a title and a short description for screen readers; the numbers
themselves are in the table the screen always shows beside it.
"""

import math

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 640, 280
# Text size in the SVG's own units. The chart is never drawn wider than WIDTH pixels and, on a
# desktop screen, gets a row of at least that width (stats.css): one unit is one pixel there.
FONT_SIZE = 13
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56
# Distinct in lightness too, so they stay apart in grey print and for colour-blind readers.
PALETTE = ["#1f5f8b", "#e69f00", "#009e73", "#cc79a7"]


def _n(number):
    """A coordinate as text with one decimal (format_html escapes arguments to strings first)."""
    return f"{number:.1f}"


def nice_ceiling(value):
    """The smallest 1, 2 or 5 × 10^n at or above `value`: a readable top for the axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _frame(chart_id, title, description, body, legend="", height=HEIGHT):
    return format_html(
        '<figure class="wc-chart" aria-labelledby="{}-title">'
        '<figcaption class="wc-chart__title" id="{}-title">{}</figcaption>'
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-size="{}" font-family="sans-serif">'
        '<desc id="{}-desc">{}</desc>{}</svg>{}</figure>',
        chart_id,
        chart_id,
        title,
        WIDTH,
        height,
        chart_id,
        chart_id,
        FONT_SIZE,
        chart_id,
        description,
        body,
        legend,
    )


def _legend(series):
    if len(series) < 2:
        return ""
    items = format_html_join(
        "",
        '<li><span class="wc-chart__swatch" style="background:{}"></span>{}</li>',
        ((PALETTE[i % len(PALETTE)], name) for i, (name, _values) in enumerate(series)),
    )
    return format_html('<ul class="wc-chart__legend" aria-hidden="true">{}</ul>', items)


def _y_axis(top):
    plot_height = HEIGHT - TOP - BOTTOM
    ticks = []
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_height * i / 4
        label = number_format(value, decimal_pos=0 if value == int(value) else 1)
        ticks.append((LEFT, _n(y), WIDTH - RIGHT, _n(y), LEFT - 6, _n(y + 4), label))
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d0d0"/>'
        '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>',
        ticks,
    )


def _x_labels(labels, slot):
    # Long series show every n-th label so they never overlap.
    every = max(1, math.ceil(len(labels) * 52 / (WIDTH - LEFT - RIGHT)))
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>',
        (
            (_n(LEFT + slot * (i + 0.5)), HEIGHT - BOTTOM + 16, label)
            for i, label in enumerate(labels)
            if i % every == 0
        ),
    )


def bar_chart(chart_id, title, description, labels, series):
    """Vertical bars, grouped when there is more than one series: series = [(name, [values])]."""
    top = nice_ceiling(max((v or 0 for _name, values in series for v in values), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    plot_height = HEIGHT - TOP - BOTTOM
    bars = []
    for s, (name, values) in enumerate(series):
        for i, value in enumerate(values):
            height = plot_height * (value or 0) / top
            x = LEFT + slot * i + slot * 0.1 + bar * s
            colour = PALETTE[s % len(PALETTE)]
            bars.append((_n(x), _n(HEIGHT - BOTTOM - height), _n(bar), _n(height), colour, name, labels[i], value))
    body = format_html(
        "{}{}{}",
        _y_axis(top),
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} · {}: {}</title></rect>',
            bars,
        ),
        _x_labels(labels, slot),
    )
    return _frame(chart_id, title, description, body, _legend(series))


def line_chart(chart_id, title, description, labels, series):
    """One polyline with dots per series: series = [(name, [values])]."""
    top = nice_ceiling(max((v or 0 for _name, values in series for v in values), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    plot_height = HEIGHT - TOP - BOTTOM
    lines = []
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [
            (LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_height * (value or 0) / top, labels[i], value)
            for i, value in enumerate(values)
        ]
        lines.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>{}',
                colour,
                " ".join(f"{x:.1f},{y:.1f}" for x, y, _label, _value in points),
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} · {}: {}</title></circle>',
                    ((_n(x), _n(y), colour, name, label, value) for x, y, label, value in points),
                ),
            )
        )
    lines = format_html_join("", "{}", ((line,) for line in lines))
    body = format_html("{}{}{}", _y_axis(top), lines, _x_labels(labels, slot))
    return _frame(chart_id, title, description, body, _legend(series))


def horizontal_bar_chart(chart_id, title, description, labels, values):
    """One bar per row, labelled on the left: for categories and services with long names."""
    row_height = 22
    label_width = 240
    height = TOP + row_height * max(len(labels), 1) + 8
    top = nice_ceiling(max((v or 0 for v in values), default=0))
    plot_width = WIDTH - label_width - RIGHT - 40
    rows = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = TOP + row_height * i
        width = plot_width * (value or 0) / top
        short = label if len(label) <= 32 else f"{label[:31]}…"  # what fits in label_width at FONT_SIZE
        rows.append(
            (label_width - 6, y + 15, short, label_width, y + 4, _n(width), PALETTE[0], label, value)
            + (_n(label_width + width + 4), y + 15, number_format(value or 0))
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="14" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" fill="#333">{}</text>',
        rows,
    )
    return _frame(chart_id, title, description, body, height=height)
