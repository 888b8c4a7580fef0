"""Operations: probes and metrics, the staff ops views, audit search, alert sinks."""
