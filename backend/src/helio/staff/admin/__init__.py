"""Staff administration: invitations, roles, deactivation and access reviews."""
