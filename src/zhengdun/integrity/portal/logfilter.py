"""Log records about portal requests lose the request object (and with it the client's address
and headers, which handlers such as the admin mailer print). Attached to the handlers in
``settings.LOGGING``."""

import logging

from zhengdun.integrity.portal.middleware import is_portal


class DropClientDetails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path_info", None) or getattr(request, "path", None)
        if isinstance(path, str) and is_portal(path):
            record.request = None
        return True
