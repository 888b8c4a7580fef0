"""Tokens: access tokens (EdDSA JWTs), rotating refresh tokens, one-time tokens; the JWKS."""
