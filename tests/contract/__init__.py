"""One suite of tests against the ports, run on every adapter: in memory, SQLite and PostgreSQL."""
