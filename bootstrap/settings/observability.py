"""Logs, metrics, traces and the audit log."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings

from bootstrap.settings.parsing import settings_config


class ObservabilitySettings(BaseSettings):
    """Logs, metrics and traces."""

    model_config = settings_config()

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_requests: bool = False
    metrics_enabled: bool = True
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    tracing_enabled: bool = False
    # One JSON line per tool call: "stderr", a file path, or empty for none.
    audit_log: str = ""
