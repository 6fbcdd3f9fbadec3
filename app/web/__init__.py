"""HTML blueprints, one module per feature."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """Every HTML blueprint, in the order the application registers them."""
    from app.web import (
        account,
        account_data,
        admin,
        auth,
        boards,
        comments,
        company_sign_in,
        email_change,
        health,
        ideas,
        launches,
        main,
        moderation,
        notifications,
        oidc,
        prototypes,
        proxy_votes,
        roadmap,
        rounds,
        segments,
        sitemap,
        staff,
        uploads,
        users,
        webhooks,
    )

    modules = (
        main,
        auth,
        company_sign_in,
        oidc,
        account,
        email_change,
        account_data,
        users,
        health,
        ideas,
        boards,
        comments,
        proxy_votes,
        notifications,
        moderation,
        admin,
        prototypes,
        uploads,
        rounds,
        launches,
        roadmap,
        staff,
        segments,
        webhooks,
        sitemap,
    )
    return [module.bp for module in modules]
