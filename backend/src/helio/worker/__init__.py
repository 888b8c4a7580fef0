"""Background jobs: the `helio worker` process on SAQ, the transactional outbox, dead letters."""
