"""deploy/helm/values.yaml against the official chart's own values schema.

`helm` is not packaged in Debian and the chart cannot be downloaded here, so the chart is not
rendered: the `dagster-user-deployments` section (this code location) is validated against
the chart's vendored `values.schema.json`, its Kubernetes fragments against the strict
Kubernetes schemas of kubernetes-validate, and the settings it shares with deploy/dagster.yaml,
deploy/config/ and the sandbox manifests are checked to agree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import referencing
import yaml

from sandbox_runtime.backends import k8s_manifests as m
from tests.deploy.conftest import DEPLOY, K8S_VERSION, documents

SCHEMA = DEPLOY / "helm" / "schema" / "dagster-user-deployments.values.schema.json"
# The chart's schema points its Kubernetes types at this (offline-unreachable) document.
K8S_DEFINITIONS_URL = "https://kubernetesjsonschema.dev/v1.18.0/_definitions.json"


def _k8s_definitions() -> dict:
    """kubernetes-validate's strict definitions, reachable the way the chart's schema points at
    them (`#/definitions/<type>`) as well as the way they point at each other (`#/$defs/`)."""
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    strict = json.loads((root / f"v{K8S_VERSION}-local-strict" / "_definitions.json").read_text())
    return {"$defs": strict["$defs"], "definitions": strict["$defs"]}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    k8s = referencing.Resource.from_contents(_k8s_definitions(), default_specification=referencing.jsonschema.DRAFT7)
    registry = referencing.Registry().with_resource(K8S_DEFINITIONS_URL, k8s)
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()), registry=registry)


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())


def _subchart_values(values: dict) -> dict:
    """What the parent chart hands the subchart: its section plus the parent's global values."""
    section = values["dagster-user-deployments"]
    return {
        "dagsterHome": "/opt/dagster/dagster_home",
        "postgresqlSecretName": "dagster-postgresql-secret",
        "celeryConfigSecretName": "dagster-celery-config-secret",
        "imagePullSecrets": [],
        "serviceAccount": {"create": True, "name": values["serviceAccount"]["name"], "annotations": {}},
        "global": {
            "postgresqlSecretName": "dagster-postgresql-secret",
            "dagsterHome": "/opt/dagster/dagster_home",
            "celeryConfigSecretName": "dagster-celery-config-secret",
            **values["global"],
        },
        "deployments": section["deployments"],
    }


def test_the_user_deployment_validates_against_the_chart_schema(validator, values: dict) -> None:
    errors = sorted(validator.iter_errors(_subchart_values(values)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_catches_a_misspelt_kubernetes_field(validator, values: dict) -> None:
    broken = copy.deepcopy(values)
    broken["dagster-user-deployments"]["deployments"][0]["securityContext"]["readOnlyRootFilesytem"] = True
    errors = list(validator.iter_errors(_subchart_values(broken)))
    assert any("readOnlyRootFilesytem" in e.message for e in errors), errors


def test_the_code_location_uses_this_project_image_and_module(values: dict) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    image = deployment["image"]
    assert f"{image['repository']}:{image['tag']}" == m.DEFAULT_IMAGE
    assert deployment["codeServerArgs"] == ["--module-name", "agentic_assets.definitions"]
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    # Same uid as the sandbox pods: the exchange folders it creates are theirs to write.
    assert deployment["podSecurityContext"]["runAsUser"] == m.SANDBOX_UID
    assert deployment["securityContext"]["readOnlyRootFilesystem"] is True


def test_runs_get_the_same_volumes_and_settings_from_either_deployment(values: dict) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    launcher = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())["run_launcher"]["config"]
    shared = {"agentic-data", "sandbox-exchange"}
    assert [v for v in deployment["volumes"] if v["name"] in shared] == launcher["volumes"]
    assert [v for v in deployment["volumeMounts"] if v["name"] in shared] == launcher["volume_mounts"]
    assert [c["name"] for c in deployment["envConfigMaps"]] == launcher["env_config_maps"]
    assert [c["name"] for c in deployment["envSecrets"]] == launcher["env_secrets"]
    assert deployment["labels"] == launcher["labels"]
    assert values["runLauncher"]["config"]["k8sRunLauncher"]["jobNamespace"] == launcher["job_namespace"]


def test_the_settings_the_deployment_reads_exist_and_agree() -> None:
    config = {d["kind"]: d for d in documents(DEPLOY / "config" / "agentic-assets.yaml")}
    env = config["ConfigMap"]["data"]
    assert env["AGENTIC_ASSETS_SANDBOX_IMAGE"] == m.DEFAULT_IMAGE
    assert env["AGENTIC_ASSETS_SANDBOX_NAMESPACE"] == m.DEFAULT_NAMESPACE
    assert env["AGENTIC_ASSETS_SANDBOX_EXCHANGE_CLAIM"] == m.DEFAULT_EXCHANGE_CLAIM
    assert env["AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS"] in m.RUNTIME_HANDLERS
    assert env["SPARK_REMOTE"].startswith("sc://spark-connect.")
    launcher = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())["run_launcher"]["config"]
    mounts = {v["name"]: v["mountPath"] for v in launcher["volume_mounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in launcher["volumes"]}
    assert mounts["sandbox-exchange"] == env["AGENTIC_ASSETS_SANDBOX_EXCHANGE_DIR"]
    assert mounts["agentic-data"] == env["AGENTIC_DATA_DIR"]
    assert claims["sandbox-exchange"] == m.DEFAULT_EXCHANGE_CLAIM
    assert claims["agentic-data"] == config["PersistentVolumeClaim"]["metadata"]["name"]
    spark = {d["kind"]: d for d in documents(DEPLOY / "spark" / "spark-connect.yaml")}
    port = spark["Service"]["spec"]["ports"][0]["port"]
    assert env["SPARK_REMOTE"].endswith(f":{port}")
    allowed = spark["NetworkPolicy"]["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert allowed.items() <= launcher["labels"].items()
