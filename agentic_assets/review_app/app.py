"""The review web app: Starlette with server-rendered Jinja2 templates, no JavaScript needed.

GET  /                          proposals waiting, and recent decisions
GET  /assets/{asset}            the asset's open proposal (the link on a failed check in the Dagster UI)
GET  /proposals/{id}            alert, diagnosis and evidence, trace, diff, sandbox verdict, samples, decisions
GET  /proposals/{id}/progress   an approved proposal being applied, phase by phase (JSON)
POST /proposals/{id}/approve    record the approval, then apply it in the background (re-materialize; the publish
                                is recorded in Dagster) while the page shows its progress
POST /proposals/{id}/reject     reject with a note
POST /proposals/{id}/modify     edit the SQL: validated in the sandbox before it can be approved
GET|POST /login, POST /logout   sign in with a token
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.gate import GateError, record_approval, reject, validate_modified
from agentic_assets.repair.store import RepairStore
from agentic_assets.review_app.apply_worker import ApplyWorker
from agentic_assets.review_app.auth import SESSION_COOKIE, SESSION_SECONDS, Auth, Identity
from agentic_assets.review_app.config import ReviewConfig
from agentic_assets.review_app.page import build_page
from agentic_assets.review_app.policy import Refused, approver_for, may_approve
from agentic_assets.settings import Settings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
# A proposal still being investigated: its page reloads itself this often (seconds) until the proposal is filed.
WAITING_REFRESH_S = 2
# An approved proposal being applied: its page reloads this often (seconds) to show the next phase. The phases
# are seconds apart and a reload renders from the kept replay, so once a second is prompt and cheap.
APPLYING_REFRESH_S = 1
# Imported when the app starts, not on the first reviewer's request: Dagster, DuckDB, Soda, the table formats.
# On a loaded machine these imports took longer than the whole page or the whole approval.
WARM_MODULES = (
    "agentic_assets.review_app.applying",
    "agentic_assets.repair.checks_replay",
    "agentic_assets.repair.project_load",
    "agentic_assets.repair.view",
)


def _warm_imports() -> None:
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)


def create_app(settings: Settings, config: ReviewConfig) -> Starlette:
    auth = Auth(config)
    store = RepairStore.for_settings(settings)
    worker = ApplyWorker(settings, config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=_warm_imports, name="warm-imports", daemon=True).start()
        worker.warm()
        try:
            yield
        finally:
            await run_in_threadpool(worker.close)  # an application under way finishes before the app stops

    def render(request: Request, name: str, identity: Identity | None, status_code: int = 200, **ctx) -> Response:
        csrf = auth.csrf_token(identity) if identity else ""
        return TEMPLATES.TemplateResponse(
            request, name, {"identity": identity, "csrf": csrf, "config": config, **ctx}, status_code=status_code
        )

    def refuse(request: Request, identity: Identity | None, message: str, status_code: int) -> Response:
        return render(request, "refused.html", identity, status_code=status_code, message=message)

    def signed_in(request: Request) -> Identity | Response:
        identity = auth.identity(request)
        if identity is None:
            target = quote(request.url.path)
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return identity

    async def form_of(request: Request, identity: Identity) -> dict[str, str] | Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not auth.csrf_ok(identity, form.get("csrf_token")):
            return refuse(request, identity, "this form has no valid CSRF token: reload the page and try again", 403)
        return form

    def proposal(request: Request, identity: Identity) -> RepairRecord | Response:
        repair = store.get(request.path_params["repair_id"])
        if repair is None:
            return refuse(request, identity, f"no proposal {request.path_params['repair_id']}", 404)
        return repair

    def index(request: Request) -> Response:
        identity = signed_in(request)
        if isinstance(identity, Response):
            return identity
        repairs = store.list()
        waiting = [r for r in repairs if r.status == "awaiting_approval"]
        decided = [r for r in repairs if r.status != "awaiting_approval"][:20]
        return render(request, "index.html", identity, waiting=waiting, decided=decided)

    def asset_page(request: Request) -> Response:
        identity = signed_in(request)
        if isinstance(identity, Response):
            return identity
        asset = request.path_params["asset"]
        repair = store.open_for(asset)
        if repair is None:
            latest = store.list(asset=asset)
            if latest and latest[0].status != "investigating":
                return RedirectResponse(f"/proposals/{latest[0].repair_id}", status_code=303)
            return render(request, "waiting.html", identity, asset=asset, refresh=WAITING_REFRESH_S)
        if repair.status == "investigating":
            return render(request, "waiting.html", identity, asset=asset, refresh=WAITING_REFRESH_S)
        return RedirectResponse(f"/proposals/{repair.repair_id}", status_code=303)

    async def decision_of(request: Request) -> tuple[Identity, dict[str, str], RepairRecord] | Response:
        """What every decision needs: a signed-in reviewer, a form with a valid CSRF token, the proposal."""
        identity = signed_in(request)
        if isinstance(identity, Response):
            return identity
        form = await form_of(request, identity)
        if isinstance(form, Response):
            return form
        repair = proposal(request, identity)
        if isinstance(repair, Response):
            return repair
        return identity, form, repair

    async def proposal_page(request: Request, **ctx) -> Response:
        identity = signed_in(request)
        if isinstance(identity, Response):
            return identity
        # Progress before the record: an application that is done has already saved the repair's outcome.
        progress = worker.progress(request.path_params["repair_id"])
        repair = proposal(request, identity)
        if isinstance(repair, Response):
            return repair
        clock = time.perf_counter()
        page = await run_in_threadpool(build_page, settings, repair)
        built_ms = (time.perf_counter() - clock) * 1000
        applying = progress is not None and not progress.done  # promoted is not applied until Dagster has it
        response = render(request, "proposal.html", identity, page=page, repair=repair, progress=progress,
                          refresh=APPLYING_REFRESH_S if applying else None,
                          can_approve=may_approve(repair.tier, identity), **ctx)  # fmt: skip
        # What the page cost the server, for the browser test's figures (a standard header, seen in devtools).
        cached = "kept" if page.failing_cached else "replayed"
        response.headers["Server-Timing"] = f'page;desc="failing side {cached}";dur={built_ms:.1f}'
        return response

    def progress_view(request: Request) -> Response:
        identity = signed_in(request)
        if isinstance(identity, Response):
            return identity
        repair = proposal(request, identity)
        if isinstance(repair, Response):
            return repair
        progress = worker.progress(repair.repair_id)
        body = {"repair_id": repair.repair_id, "status": repair.status, "approved_by": repair.approved_by,
                "progress": progress.model_dump(mode="json") if progress else None}  # fmt: skip
        return JSONResponse(body)

    async def approve(request: Request) -> Response:
        started = time.perf_counter()
        decision = await decision_of(request)
        if isinstance(decision, Response):
            return decision
        identity, form, repair = decision
        try:
            approver = approver_for(repair.tier, identity, form.get("approver"))
        except Refused as err:
            return refuse(request, identity, str(err), 403)
        try:
            await run_in_threadpool(record_approval, settings, repair.repair_id, approver,
                                    via=f"review page ({identity.method})")  # fmt: skip
        except GateError as err:
            return refuse(request, identity, str(err), 409)
        worker.submit(repair.repair_id, approver, started)  # checked again where it is applied (promotion)
        return RedirectResponse(f"/proposals/{repair.repair_id}", status_code=303)

    async def reject_view(request: Request) -> Response:
        decision = await decision_of(request)
        if isinstance(decision, Response):
            return decision
        identity, form, repair = decision
        reviewer = identity.name or (form.get("approver") or "").strip()
        try:
            reject(settings, repair.repair_id, reviewer, form.get("note", ""))
        except GateError as err:
            return refuse(request, identity, str(err), 409)
        return RedirectResponse(f"/proposals/{repair.repair_id}", status_code=303)

    async def modify(request: Request) -> Response:
        decision = await decision_of(request)
        if isinstance(decision, Response):
            return decision
        identity, form, repair = decision
        sql = form.get("sql", "").strip()
        if not sql:
            return refuse(request, identity, "the modified SQL is empty", 400)
        try:
            verdict = await run_in_threadpool(validate_modified, settings, repair.repair_id, sql)
        except GateError as err:
            return refuse(request, identity, str(err), 409)
        if verdict.ok:
            return RedirectResponse(f"/proposals/{repair.repair_id}?modified=ok", status_code=303)
        return await proposal_page(request, modify_error=verdict.brief(), modified_sql=sql)

    async def login(request: Request) -> Response:
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # only pages of this app: a sign-in link cannot send the reviewer elsewhere
        token = request.query_params.get("token")
        if request.method == "POST":
            form = await request.form()
            token = str(form.get("token", ""))
            target = str(form.get("next", target))
            if not target.startswith("/") or target.startswith("//"):
                target = "/"
        if token is None:
            return render(request, "login.html", None, next=target)
        identity = auth.sign_in(token)
        if identity is None:
            return render(request, "login.html", None, status_code=401, next=target, error="wrong token")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, auth.cookie_for(identity), max_age=SESSION_SECONDS, httponly=True,
                            samesite="strict", secure=config.base_url.startswith("https:"))  # fmt: skip
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [
        Route("/", index),
        Route("/healthz", health),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/assets/{asset}", asset_page),
        Route("/proposals/{repair_id}", proposal_page),
        Route("/proposals/{repair_id}/progress", progress_view),
        Route("/proposals/{repair_id}/approve", approve, methods=["POST"]),
        Route("/proposals/{repair_id}/reject", reject_view, methods=["POST"]),
        Route("/proposals/{repair_id}/modify", modify, methods=["POST"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=config.allowed_hosts)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
