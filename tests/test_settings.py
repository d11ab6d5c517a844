"""index/settings.py: one frozen Settings, from flags, then environment, then defaults."""

from __future__ import annotations

from pathlib import Path

from index.settings import Settings, load_settings


def test_without_llm_drops_only_the_llm_server() -> None:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://llm"}
    settings = load_settings(env=env, store="/tmp/s", top_k=3)
    assert settings.llm_configured
    plain = settings.without_llm()
    assert not plain.llm_configured
    assert plain == Settings(store=Path("/tmp/s"), top_k=3)
    assert settings.llm_api_key == "sk-test"  # the original is unchanged
