"""Who may reach the preview, and what a response may do in the browser.

Two origins share one port in spirit but never in effect:
- the editor (/edit/) holds the session token and can change the project;
- build outputs (and the editor's scratch previews) are made by volunteers' templates and may
  run script. They are served with a `sandbox` Content-Security-Policy, which gives them an
  opaque origin: their script cannot read the editor's pages or API (no CORS), and a window
  they open inherits the sandbox, so its requests carry `Origin: null` and are refused.
The editor adds its own checks: every request must come from this machine's host name (DNS
rebinding), changes need the token and this origin, and reads are refused when the browser
says they come from another site.
"""

from __future__ import annotations

from typing import Callable, Mapping

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")

# Build pages: scripts (the H5 quiz) run, but in an opaque origin; they may not send forms
# or fetch anything, and may open only sandboxed windows.
SANDBOX_POLICY = ("sandbox allow-scripts allow-popups allow-modals allow-downloads; "
                  "default-src 'self' 'unsafe-inline' data: blob:; connect-src 'none'; form-action 'none'; "
                  "base-uri 'none'; frame-ancestors 'self'")
# The editor's page runs only its own script and shows only its own pictures.
EDITOR_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# No other origin (a sandboxed build page included) may embed, frame or keep a handle on the editor.
EDITOR_HEADERS = {**COMMON_HEADERS, "Cross-Origin-Opener-Policy": "same-origin",
                  "Cross-Origin-Resource-Policy": "same-origin", "X-Frame-Options": "DENY"}
# A PDF viewer does not run in a sandboxed document; PDFs run no script that reaches the page.
UNSANDBOXED_TYPES = ("application/pdf",)


def allowed_hosts(port: int) -> set[str]:
    """Host headers of this machine only: a page on another site cannot reach the preview
    through DNS rebinding (its requests carry that site's name)."""
    hosts = {f"{host}:{port}" for host in LOCAL_HOSTS}
    if port == 80:
        hosts |= set(LOCAL_HOSTS)
    return hosts


def output_headers(media_type: str) -> dict[str, str]:
    """Headers for a file made by templates (build/ and the editor's scratch previews)."""
    headers = dict(COMMON_HEADERS)
    if not media_type.startswith(UNSANDBOXED_TYPES):
        headers["Content-Security-Policy"] = SANDBOX_POLICY
    return headers


def own_origin(headers: Mapping[str, str]) -> str:
    return f"http://{headers.get('host', '')}"


def foreign_read(headers: Mapping[str, str]) -> str | None:
    """Why a read of the editor (its page or API) is refused, or None: the browser says it was
    asked by another site or by a sandboxed build page (Sec-Fetch-Site, Origin)."""
    origin = headers.get("origin")
    if origin is not None and origin != own_origin(headers):
        return "拒绝了来自其他网页的请求。"
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return "编辑器只能直接打开：请在浏览器地址栏输入编辑器地址，或从预览页的链接进入。"
    return None


def foreign_change(headers: Mapping[str, str], token_ok: Callable[[str], bool]) -> str | None:
    """Why a change is refused, or None: it must come from the editor page of this server."""
    if headers.get("origin", "") != own_origin(headers):
        return "拒绝了来自其他网页的修改请求（来源不符）。"
    if headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return "拒绝了来自其他网页的修改请求（来源不符）。"
    if not token_ok(headers.get("x-outreach-token", "")):
        return "编辑会话已失效：请刷新编辑器页面后再试。"
    return None
