"""Sessions: one model for cookies and tokens; CSRF; logout and the device list."""
