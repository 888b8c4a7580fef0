"""HOW we know who you are: accounts, sign-in, second factors, sessions and tokens."""
