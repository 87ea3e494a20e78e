"""The web console: static pages over the same ``/v1`` API, with cookie sessions and CSRF protection."""
