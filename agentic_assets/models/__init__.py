"""Model selection shared by the agents: one setting picks a built-in, hosted or local model."""

from agentic_assets.models.factory import ModelChoice, build_model, describe_model, parse_model_setting

__all__ = ["ModelChoice", "build_model", "describe_model", "parse_model_setting"]
