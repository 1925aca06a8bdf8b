"""No test in this folder may reach a network model."""

from pydantic_ai import models

models.ALLOW_MODEL_REQUESTS = False
