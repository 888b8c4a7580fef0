"""The application object (`App`) and the request context (`Ctx`) every service receives."""
