"""Service functions: the only code that writes. Views, the API and the CLI call them."""
