"""Documents: roof photos and bills a customer attaches to a site or an order."""
