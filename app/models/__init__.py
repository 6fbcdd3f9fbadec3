"""Models, one module per feature. `app.models.all` imports every one of them."""
