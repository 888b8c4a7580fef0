"""Where security alerts go: the admins' list of mail and webhook sinks."""
