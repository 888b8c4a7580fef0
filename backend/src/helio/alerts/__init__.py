"""Security alerts: rules over committed audit events, delivered to mail and webhook sinks."""
