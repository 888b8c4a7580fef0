"""Second factors: TOTP, recovery codes, passkeys (WebAuthn), and the MFA step-up."""
