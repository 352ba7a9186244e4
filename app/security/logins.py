"""Failed-login limits, checked before any password is hashed.

Three counts, each a sliding window (app/security/ratelimit.py):
- per client address, all names: one address cannot guess at many accounts;
- per address and name, in steps that back off (5 in 5 minutes, then 10 in an hour, 20 a
  day): one address guessing one account slows down ever more, and nobody elsewhere is
  affected by it;
- per name, from every address, looser: guesses spread over many addresses hit it. A browser
  that has logged in to the account before carries a signed "known device" cookie and is
  exempt from this count, so an attack from elsewhere does not lock the owner out of the
  browsers they use; only a browser new to the account waits with the attacker.

Refused attempts are not counted (they cost nothing), and a name that is no account is
counted like one, so the answers say nothing about which names exist.
"""

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.config import Settings
from app.security.ratelimit import RateLimited, RateLimits, client_address

DEVICE_COOKIE = "parallax_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
ACCOUNT_WAIT = "failed logins to this account from many places"


class LoginThrottle:
    """The login checks of one app, and the signer of its known-device cookies."""

    def __init__(self, limits: RateLimits, settings: Settings, key: str) -> None:
        self.limits = limits
        self.rules = limits.rules
        self.secure = settings.secure_cookies
        self.signer = URLSafeTimedSerializer(key, salt="parallax-known-device")

    def check(self, request: Request, name: str) -> None:
        """Before a login: 429 while any of its counts is over its limit."""
        address, account = client_address(request), name.casefold()
        wait = self.limits.wait(self.rules.login_per_address, "login", address)
        wait = wait or self.limits.wait(self.rules.login_per_name, "login", address, account)
        if wait:
            raise RateLimited(wait, "failed logins")
        if not self.known_device(request, account):
            wait = self.limits.wait(self.rules.login_per_account, "login-account", account)
            if wait:
                raise RateLimited(wait, ACCOUNT_WAIT)

    def failed(self, request: Request, name: str) -> None:
        """Count a failed login under all three keys."""
        address, account = client_address(request), name.casefold()
        self.limits.hit(self.rules.login_per_address, "login", address)
        self.limits.hit(self.rules.login_per_name, "login", address, account)
        self.limits.hit(self.rules.login_per_account, "login-account", account)

    def succeeded(self, request: Request, name: str) -> None:
        """Forget this address's failures on the name (not the name's count from elsewhere)."""
        address, account = client_address(request), name.casefold()
        self.limits.clear(self.rules.login_per_name, "login", address, account)

    def known_device(self, request: Request, account: str) -> bool:
        """Whether the request carries this account's known-device cookie, unexpired."""
        value = request.cookies.get(DEVICE_COOKIE)
        if not value:
            return False
        try:
            return bool(self.signer.loads(value, max_age=DEVICE_MAX_AGE) == account)
        except BadSignature:
            return False

    def remember_device(self, response: Response, name: str) -> None:
        """Mark this browser as one that has logged in to `name`."""
        response.set_cookie(
            DEVICE_COOKIE,
            self.signer.dumps(name.casefold()),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            secure=self.secure,
            samesite="strict",
        )
