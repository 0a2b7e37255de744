"""Where conversations are kept: a SQL tracker store that forgets on request and after N days."""
