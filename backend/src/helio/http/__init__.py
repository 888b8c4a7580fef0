"""The HTTP edge: plain ASGI middleware, each doing one thing."""
