"""``form serve``: the small web server patients open their one-time links on.

Flask routes the requests and Waitress serves them (docs/choices.md says why): a request reads
or writes the record as a command does, through the same transaction (storage, audit, the
write lock), one per submission, on a file or a clinic's PostgreSQL database. Ctrl-C or SIGTERM
stops taking requests, lets those in progress finish (a few seconds at most) and exits 0.

Nothing about a patient is logged: a line per answer received names the response's number and
form, never the link (its token is the patient's key) nor the patient.
"""

from __future__ import annotations

import signal
import sys
from datetime import datetime

from prolotrack.cli.context import Clinic
from prolotrack.cli.output import say

THREADS = 8  # requests at once; a write still waits its turn for the record's write lock


def make_app(clinic: Clinic):
    """The WSGI application for the record ``clinic`` names."""
    from flask import Flask, Response, request

    from prolotrack.actions import form_links
    from prolotrack.domain.errors import InvalidInput, ProlotrackError
    from prolotrack.render import form_page

    app = Flask("prolotrack.forms")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # a form's answers are a few hundred bytes

    def fresh() -> Clinic:
        """The record as configured, and today's date as of this request (a server runs for
        days; ``--today`` still holds where it was given)."""
        return Clinic(clinic.db_option, clinic.today_option)

    def answer(page: form_page.Page) -> Response:
        response = Response(page.html, status=page.status, mimetype="text/html")
        response.headers.update(form_page.HEADERS)
        return response

    def asked_page(token: str, given=None, problem=None) -> form_page.Page:
        with fresh().open(write=False) as desk:
            asked = form_links.opened(desk.db, token, desk.today)
        return form_page.form(asked.first_name, asked.form, asked.wording, asked.timepoint,
                              given=given, problem=problem)  # fmt: skip

    @app.get("/")
    def home():
        return answer(form_page.home())

    @app.route("/f/<token>", methods=["GET", "POST"])
    def link(token: str):
        try:
            if request.method == "GET":
                return answer(asked_page(token))
            posted = {k: v for k, v in request.form.items() if v.strip()}
            try:
                with fresh().open(write=True) as desk:
                    number, name = form_links.submit(desk.db, token, posted, desk.today)
            except InvalidInput as problem:  # too few answers to score: asked again, kept
                return answer(asked_page(token, posted, _plain(str(problem))))
            say(f"{datetime.now():%Y-%m-%d %H:%M:%S} response {number} received")
            return answer(form_page.thanks(name))
        except form_links.LinkUnknown:
            return answer(form_page.unknown())
        except form_links.LinkClosed as closed:
            return answer(form_page.closed(closed.state))
        except ProlotrackError as error:  # the record busy or unusable: try again later
            say(f"{datetime.now():%Y-%m-%d %H:%M:%S} could not serve a form: {error}")
            return answer(form_page.unavailable())

    @app.errorhandler(404)
    def not_found(_):
        return answer(form_page.unknown())

    @app.errorhandler(405)
    @app.errorhandler(413)
    def refused(_):
        return answer(form_page.unknown())

    @app.errorhandler(Exception)
    def failed(error):
        say(f"{datetime.now():%Y-%m-%d %H:%M:%S} internal error: {type(error).__name__}")
        return answer(form_page.unavailable())

    return app


def _plain(message: str) -> str:
    """A scoring rule's refusal, as a patient reads it."""
    return (
        "Some questions are not answered, and the form needs more answers to be scored."
        f" Please answer the questions left blank. ({message})"
    )


def serve(clinic: Clinic, host: str, port: int) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    import logging

    from waitress.server import create_server

    from prolotrack.domain.errors import InvalidInput

    try:
        server = create_server(make_app(clinic), host=host, port=port, threads=THREADS,
                               ident="prolotrack")  # fmt: skip
    except OSError as error:
        raise InvalidInput(
            f"cannot listen on {host} port {port}: {error.strerror or error}"
            " (is another server on it? choose another with --port)"
        ) from None

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Waitress warns when requests queue for a thread: ordinary at a clinic's busiest minute.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # Ctrl-C too, even where the server was started with SIGINT ignored (a shell script's
    # background job is): stopping must not depend on how it was started.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    shown = f"[{host}]" if ":" in host else host
    say(f"Serving forms on http://{shown}:{server.effective_port}/ (Ctrl-C to stop)")
    sys.stderr.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    say("Stopped; every answer received was saved")
