"""Sign-in: the password step, brute-force defence, password hashing and policy, refresh."""
