"""Use cases of Prognoza and the ports they need. Imports only the domain (and pydantic for input)."""
