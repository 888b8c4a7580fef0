"""The `helio audit` and `helio keys` commands: each builds the app it needs, then closes it."""
