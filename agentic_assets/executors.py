"""Which Dagster executor the code location's jobs use: Dagster's default (steps in processes
of the run worker) unless AGENTIC_ASSETS_EXECUTOR says otherwise; `k8s` runs each step in a
Kubernetes Job of its own through dagster-k8s' `k8s_job_executor`.

The k8s executor takes its image, namespace, env, volumes and security context from the
instance's K8sRunLauncher (deploy/dagster.yaml, or the Helm chart's runLauncher section), so
nothing of the cluster is configured here.
"""

from __future__ import annotations

import os

import dagster as dg

EXECUTOR_ENV = "AGENTIC_ASSETS_EXECUTOR"
EXECUTORS = ("in_process", "multiprocess", "k8s")


def executor_from_env() -> dg.ExecutorDefinition | None:
    """None (unset): Dagster's default executor."""
    name = os.environ.get(EXECUTOR_ENV, "").strip()
    if not name:
        return None
    if name == "in_process":
        return dg.in_process_executor
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    raise ValueError(f"{EXECUTOR_ENV}={name!r}: choose one of {', '.join(EXECUTORS)}")
