"""The staff view of customers: search, masked view, audited reveal, account actions."""
