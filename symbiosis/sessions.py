"""Sessions in the database, as Django keeps them, refusing a session cookie that Django could
not have set."""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    """Django's session keys are letters and digits. A cookie holding anything else (a NUL byte,
    which PostgreSQL refuses in text, written ``"\\000"`` in a quoted cookie) is no session: the
    visitor is signed out, as with an expired one, and the database is not asked."""

    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()
