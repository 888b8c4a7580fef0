"""Reports: aggregated sales figures for sales and admins, never naming anyone."""
