"""One module per incident kind; each `build(rng, incident_id, variant)` returns a Case."""
