"""The deploy/ folder as the tests read it."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The Kubernetes version the manifests are validated against (kubernetes-validate's schemas).
K8S_VERSION = "1.33.0"


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def strict(manifest: dict) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
