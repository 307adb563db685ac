"""The identity provider of a dashboard with a token: 403 to any request without the token.

Voila's default answer to a request without the token is a redirect to a login form. The dashboard
asks for ``?token=...`` in the URL it prints instead (after that, the browser's login cookie carries
it), so a request with neither the token nor the cookie gets a plain 403 Forbidden. ``sce-analysis
dashboard`` names this class on Voila's command line when a token is set (see
:func:`sce_analysis.explorer.dashboard.voila_command`); it is loaded only inside the Voila process.
"""

from __future__ import annotations

import inspect

from jupyter_server.auth.identity import PasswordIdentityProvider
from tornado import web

__all__ = ["TokenRequiredIdentityProvider"]


class TokenRequiredIdentityProvider(PasswordIdentityProvider):
    """Voila's identity provider, with 403 (not a login form) for a request without the token or its cookie."""

    async def get_user(self, handler):
        user = super().get_user(handler)
        if inspect.isawaitable(user):
            user = await user
        if user is None and self.auth_enabled:
            handler.current_user = handler._jupyter_current_user = None  # for the error page
            raise web.HTTPError(
                403, "This dashboard needs its token: open the URL that sce-analysis dashboard printed."
            )
        return user
