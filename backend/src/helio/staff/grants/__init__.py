"""Just-in-time access: engineers ask, another admin decides, the grant expires by itself."""
