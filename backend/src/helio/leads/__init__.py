"""Leads: public call-me-back requests, worked by sales until they become customers."""
