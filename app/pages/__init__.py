"""Page assemblers: everything one HTML page shows, gathered from the services in one call.

A view parses its arguments, calls one function here and renders what it returns; templates and
template globals never query. The JSON API calls the services directly.
"""
