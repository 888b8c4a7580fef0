"""Orders: a quote turned into an installation that moves through its workflow to switch-on."""
