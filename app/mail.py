"""Mail transports used by the outbox worker: SMTP in production, .eml files in development."""

import hashlib
import json
import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def message_id_header(message_id: int, payload: dict[str, Any]) -> str:
    """The Message-ID of an outbox row: the same on every attempt, different for every row.

    A retry after a send whose success went unrecorded then carries the same Message-ID, so
    mail systems can drop the duplicate. The payload digest keeps ids apart when a fresh
    database starts numbering rows from 1 again.
    """
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    return f"<outbox-{message_id}.{digest}@cocreate.local>"


def build_message(message_id: int, payload: dict[str, Any], cte: str | None = None) -> EmailMessage:
    """The email for one outbox row; `cte` "8bit" keeps long links unwrapped in .eml files."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Message-ID"] = message_id_header(message_id, payload)
    for name, value in payload.get("headers", {}).items():
        msg[name] = value
    msg.set_content(payload["text"], cte=cte)
    return msg


def send_email(message_id: int, payload: dict[str, Any]) -> None:
    """Deliver one email with the configured backend; raises on failure."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "file":
        # Written for people to open in a text editor: links must not be cut by line wrapping.
        _write_file(message_id, build_message(message_id, payload, cte="8bit"))
    elif backend == "smtp":
        _send_smtp(build_message(message_id, payload))
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _write_file(message_id: int, msg: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message_id:06d}.eml"
    path.write_bytes(bytes(msg))
    log.warning("Mail to %s written to %s", msg["To"], path)


def _send_smtp(msg: EmailMessage) -> None:
    config = current_app.config
    # smtplib's own default context checks neither the certificate nor the host name;
    # the password and the reset links must only go to the real server.
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        connection = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30, context=context)
    else:
        connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    with connection as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
