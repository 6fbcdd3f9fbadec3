"""Flask-WTF forms, one module per feature."""
