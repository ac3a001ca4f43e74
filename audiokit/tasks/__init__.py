"""One package per task, all with the same public face (PARAMS, LIMITS, CATALOG, run, Result)."""
