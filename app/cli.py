"""Operator commands: users, tokens, seed-demo and the worker (outbox, digests, staff figures)."""

import logging
import time

import click
from flask import Flask
from flask.cli import AppGroup

from app import idempotency
from app.errors import DomainError
from app.extensions import db
from app.models.user import ROLES
from app.services import accounts, aggregates, api_tokens, insights, notifications, outbox, rounds

log = logging.getLogger(__name__)

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())
    raise click.ClickException(details or error.message)


@users_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters, not a common password.")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--name", default=None, help="Display name (defaults to the part of the email before @).")
def create_user(email: str, password: str, role: str, name: str | None) -> None:
    """Create an active user."""
    try:
        user = accounts.register_user(email, name or email.split("@")[0], password, role=role)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give an existing user another role."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    try:
        accounts.change_role(None, user, role)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"{user.email} is now {role}.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True, help="What the token is for.")
@click.option("--days", type=int, default=None, help="Days until it expires (default: until revoked).")
def create_token(email: str, name: str, days: int | None) -> None:
    """Create an API token; the token is the last line of the output."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    try:
        _, plain = api_tokens.create_token(None, user, name, days)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"API token for {user.email} ({name}); it is shown only this once:")
    click.echo(plain)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """Fill an empty database with demonstration content."""
    from app.demo import DEMO_PASSWORD, demo_logins, seed

    if accounts.count_users() > 0:
        if not if_empty:
            raise click.ClickException("The database is not empty; seed-demo only fills an empty one.")
        click.echo("The database already has content; no demo data added.")
    else:
        seed(progress=lambda steps, label: click.progressbar(steps, label=label))
    logins = demo_logins()
    if logins:
        click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            click.echo(f"  {email:<28} {role}")


@click.command("bench-seed")
@click.option("--ideas", default=100_000, show_default=True, help="How many ideas.")
@click.option("--votes", default=1_000_000, show_default=True, help="About how many votes in all.")
@click.option("--comments", default=300_000, show_default=True, help="About how many comments in all.")
@click.option("--users", default=20_000, show_default=True, help="How many members.")
@click.option(
    "--seed", "seed_value", default=42, show_default=True, help="The same seed gives the same data."
)
def bench_seed(ideas: int, votes: int, comments: int, users: int, seed_value: int) -> None:
    """Fill an empty database with a large, realistic dataset for the benchmarks."""
    from app.benchdata import BENCH_MEMBER, BENCH_PASSWORD, BENCH_STAFF, Size, seed

    if accounts.count_users() > 0:
        raise click.ClickException("The database is not empty; bench-seed only fills an empty one.")
    if ideas < 1 or users < 10 or votes < 0 or comments < 0:
        raise click.ClickException("Use at least 1 idea and 10 users; votes and comments cannot be negative.")
    started = time.monotonic()
    thread = seed(
        Size(ideas=ideas, votes=votes, comments=comments, users=users),
        seed_value,
        progress=lambda steps, label: click.progressbar(steps, label=f"{label:<15}"),
    )
    click.echo(
        f"Seeded in {time.monotonic() - started:.0f} s. Idea {thread} has the benchmark's long thread."
    )
    click.echo(f"Sign in as {BENCH_MEMBER} or {BENCH_STAFF} with the password {BENCH_PASSWORD}.")


DIGEST_BATCH = 100


def announce_rounds() -> int:
    """Tell followers about feedback rounds that have opened since the last look."""
    announced = rounds.announce_open_rounds()
    db.session.commit()
    return announced


def count_staff_figures() -> int:
    """Count the roadmap's demand, the weighted votes and the insights figures again; returns how
    many roadmap items were counted."""
    items = aggregates.recount_all_demand()
    aggregates.recount_weighted()
    insights.refresh_figures()
    db.session.commit()
    return items


def forget_idempotency_keys() -> int:
    """Delete idempotency keys and form tokens past their 24 hours (they are ignored already)."""
    forgotten = idempotency.forget_expired()
    db.session.commit()
    return forgotten


def send_digests() -> int:
    """Queue the daily digests that are due, in batches of DIGEST_BATCH readers, one commit each."""
    total = 0
    while True:
        queued = notifications.send_daily_digests(limit=DIGEST_BATCH)
        db.session.commit()
        total += queued
        if queued < DIGEST_BATCH:
            return total


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the scheduled jobs and deliver what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls when idle.")
@click.option(
    "--jobs-interval",
    default=60.0,
    show_default=True,
    help="Seconds between scheduled jobs: announcing opened feedback rounds, queueing daily digests "
    "(each reader gets at most one a day).",
)
@click.option(
    "--figures-interval",
    default=insights.FIGURES_EVERY.total_seconds(),
    show_default=True,
    help="Seconds between countings of the staff figures: the roadmap's demand per item, the "
    "ideas' votes weighted by segment and the "
    "insights charts (the page counts them itself when they are older than 15 minutes).",
)
def worker(once: bool, interval: float, jobs_interval: float, figures_interval: float) -> None:
    """Deliver outbox messages (email, webhooks) with retries and backoff; run the scheduled jobs."""
    if once:
        announced = announce_rounds()
        digests = send_digests()
        forgotten = forget_idempotency_keys()
        counted = count_staff_figures()
        total = 0
        while tried := outbox.deliver_due():
            total += tried
        click.echo(f"Announced {announced} feedback round(s).")
        click.echo(f"Queued {digests} daily digest(s).")
        click.echo(f"Forgot {forgotten} expired idempotency key(s).")
        click.echo(f"Counted the staff figures and the demand of {counted} roadmap item(s).")
        click.echo(f"Delivered or tried {total} message(s).")
        return
    click.echo("Outbox worker started.")
    next_jobs = next_figures = 0.0
    while True:
        if time.monotonic() >= next_figures:
            try:
                count_staff_figures()
            except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
                db.session.rollback()
                log.exception("Counting the staff figures failed; trying again later")
            next_figures = time.monotonic() + figures_interval
        if time.monotonic() >= next_jobs:
            try:
                if announced := announce_rounds():
                    log.info("Announced %s feedback round(s)", announced)
                if digests := send_digests():
                    log.info("Queued %s daily digest(s)", digests)
                if forgotten := forget_idempotency_keys():
                    log.info("Forgot %s expired idempotency key(s)", forgotten)
            except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
                db.session.rollback()
                log.exception("A scheduled job failed; trying again later")
            next_jobs = time.monotonic() + jobs_interval
        try:
            tried = outbox.deliver_due()
        except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
            db.session.rollback()
            log.exception("Outbox delivery failed; retrying after a pause")
            tried = 0
        if tried == 0:
            time.sleep(interval)


def register(app: Flask) -> None:
    for command in (users_cli, tokens_cli, seed_demo, bench_seed, worker):
        app.cli.add_command(command)
