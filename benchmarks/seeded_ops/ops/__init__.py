"""The seeded generator of operational incidents: worlds, SQL shapes, kinds and their composition."""
