import pytest
from pydantic_ai import Agent, models
from pydantic_ai.models.function import FunctionModel

from agentic_assets.models import build_model, describe_model, parse_model_setting
from agentic_assets.models.builtin.conversation import answer


def _echo(messages, info):
    return answer(info, "str", {"x": 1})


def test_builtin_is_a_function_model():
    model = build_model("builtin", builtin=_echo)
    assert isinstance(model, FunctionModel)
    assert describe_model(None) == "builtin"


def test_provider_settings_parse():
    choice = parse_model_setting("openai:gpt-4o-mini")
    assert (choice.kind, choice.provider, choice.model_name) == ("provider", "openai", "gpt-4o-mini")
    assert parse_model_setting("anthropic:claude-sonnet-4-5").provider == "anthropic"


def test_openai_compatible_url_drops_credentials_from_the_id():
    choice = parse_model_setting("http://user:secret@localhost:11434/v1?token=abc#llama3.1")
    assert choice.kind == "openai_compatible"
    assert choice.model_id == "http://localhost:11434/v1#llama3.1"
    assert "secret" not in choice.model_id and "abc" not in choice.model_id


@pytest.mark.parametrize("bad", ["gpt-4o", "http://localhost:11434/v1", "openai:"])
def test_bad_settings_are_explained(bad):
    with pytest.raises(ValueError):
        parse_model_setting(bad)


def test_no_network_model_can_be_called(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    assert models.ALLOW_MODEL_REQUESTS is False
    model = build_model("openai:gpt-4o-mini", builtin=_echo)
    with pytest.raises(RuntimeError, match="not allowed"):
        Agent(model).run_sync("hello")
