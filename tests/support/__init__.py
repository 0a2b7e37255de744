"""Real backing services (PostgreSQL, Redis) started on loopback for tests and benchmarks."""
