"""The pages the form server shows a patient: a form to answer, a thank-you, and a link that no
longer works. Plain HTML that works without JavaScript, laid out for a phone as for a kiosk
tablet, every answer a labelled control (a fieldset per question, its legend the question).

A page shows the patient's first name and the form, and nothing else about anyone: a link's
page that does not work (used, expired, replaced, unknown) names no one. The clinic's own
wording is shown where it is loaded (``form text``); otherwise the question's number and the
answer scale, since prolotrack ships no licensed wording. Jinja2 escapes every value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import jinja2

if TYPE_CHECKING:
    from prolotrack.domain.forms import Form

# Nothing loads from anywhere; the form posts back to its own address only.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none';"
    " frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",  # the link's token never leaves in a Referer
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

_BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }}</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; margin: 0; color: #111; background: #fafafa; }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
  fieldset { border: 1px solid #bbb; border-radius: 0.5rem; margin: 0 0 1rem; padding: 0.75rem;
             background: #fff; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .scale { display: flex; flex-wrap: wrap; gap: 0.5rem; }
  .scale label { display: flex; align-items: center; gap: 0.4rem; min-width: 3rem;
                 min-height: 2.75rem; padding: 0.25rem 0.75rem; border: 1px solid #999;
                 border-radius: 0.4rem; cursor: pointer; }
  .scale input { width: 1.4rem; height: 1.4rem; margin: 0; }
  .problem { border: 2px solid #a00; padding: 0.75rem; border-radius: 0.5rem; background: #fee; }
  button { font: inherit; font-weight: 600; padding: 0.75rem 1.5rem; border-radius: 0.5rem;
           border: 0; background: #14632b; color: #fff; width: 100%; max-width: 20rem; }
  @media (min-width: 700px) { body { font-size: 20px; } }
</style>
</head>
<body>
<main>
{% block main %}{% endblock %}
</main>
</body>
</html>
"""

_FORM = """{% extends "base" %}
{% block main %}
<h1>{{ greeting }}</h1>
<p>Your clinic asks you to fill in the {{ form_name }}{% if timepoint %} for your {{ timepoint }}
follow-up{% endif %}. Choose one answer for each question, then press
<strong>Send my answers</strong>. Your clinic looks at your answers before they count.</p>
{% if problem %}<p class="problem" role="alert" id="problem">{{ problem }}</p>{% endif %}
<form method="post">
{% for q in questions %}
<fieldset>
<legend>{{ q.legend }}</legend>
<div class="scale">
{% for o in q.options %}<label><input type="radio" name="{{ q.id }}" value="{{ o.value }}"
{%- if o.checked %} checked{% endif %}> <span>{{ o.label }}</span></label>
{% endfor %}
</div>
</fieldset>
{% endfor %}
<button type="submit">Send my answers</button>
</form>
{% endblock %}
"""

_NOTICE = """{% extends "base" %}
{% block main %}
<h1>{{ heading }}</h1>
{% for line in lines %}<p>{{ line }}</p>
{% endfor %}
{% endblock %}
"""

_ENV = jinja2.Environment(
    loader=jinja2.DictLoader({"base": _BASE, "form": _FORM, "notice": _NOTICE}),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass
class Page:
    status: int
    html: str


def form(
    first_name: str,
    chosen: Form,
    wording: dict[str, tuple[str, str | None]],
    timepoint: str | None,
    *,
    given: dict[str, str] | None = None,
    problem: str | None = None,
) -> Page:
    """The form to answer (again, with what was chosen kept, when ``problem`` says why not)."""
    given = given or {}
    count = len(chosen.items)
    questions = []
    for n, it in enumerate(chosen.items, start=1):
        text, labels = wording.get(it.id, (None, None))
        named = _labels(labels)
        questions.append(
            {
                "id": it.id,
                "legend": f"{n}. {text}" if text else f"Question {n} of {count} ({it.id})",
                "options": [
                    {
                        "value": v,
                        "label": f"{v} {named[v]}" if v in named else str(v),
                        "checked": given.get(it.id) == str(v),
                    }
                    for v in range(it.low, it.high + 1)
                ],
            }
        )
    html = _ENV.get_template("form").render(
        title=chosen.name,
        greeting=f"Hello {first_name}" if first_name else "Hello",
        form_name=chosen.name,
        timepoint=_timepoint_words(timepoint),
        questions=questions,
        problem=problem,
    )
    return Page(422 if problem else 200, html)


def thanks(first_name: str) -> Page:
    return _notice(
        200,
        f"Thank you{', ' + first_name if first_name else ''}",
        "Your answers have been sent to your clinic.",
        "You can close this page now.",
    )


def closed(state: str) -> Page:
    """A link that no longer works: what happened to it, and no one's name (HTTP 410)."""
    said = {
        "used": "This link has already been used: each link takes one set of answers.",
        "expired": "This link has expired.",
        "withdrawn": "This link has been withdrawn, or replaced by a newer one.",
    }[state]
    return _notice(410, "This link no longer works", said, "Please ask your clinic for a new link.")


def unknown() -> Page:
    return _notice(
        404,
        "Link not found",
        "This link is not one we know. Please check that it was copied in full, or ask your"
        " clinic for a new link.",
    )


def home() -> Page:
    return _notice(200, "Clinic forms", "Please open the link your clinic gave you.")


def unavailable() -> Page:
    return _notice(
        503,
        "Please try again",
        "The form could not be opened or saved just now; nothing was saved.",
        "Please try again in a few minutes.",
    )


def _notice(status: int, heading: str, *lines: str) -> Page:
    html = _ENV.get_template("notice").render(title=heading, heading=heading, lines=lines)
    return Page(status, html)


def _labels(text: str | None) -> dict[int, str]:
    """``0=None|1=Mild``, as ``form text`` checked it."""
    found = {}
    for part in (text or "").split("|"):
        value, sep, label = part.partition("=")
        if sep:
            found[int(value.strip())] = label.strip()
    return found


def _timepoint_words(point: str | None) -> str | None:
    """``6m`` as a patient reads it: 6-month."""
    if not point:
        return None
    units = {"d": "day", "w": "week", "m": "month", "y": "year"}
    number, unit = point[:-1], point[-1]
    return f"{number}-{units[unit]}" if number.isdigit() and unit in units else point
