from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation.trans_real import parse_accept_lang_header


class ChineseFirstLocaleMiddleware(MiddlewareMixin):
    """Pick the UI language: the user's choice (cookie) first, else Chinese.

    A browser asking for traditional Chinese (zh-TW, zh-HK, zh-Hant) gets zh-hant; every other
    browser gets the default zh-hans, whatever its own language, because the users are Chinese
    officers on machines that are often set up in English.
    """

    TRADITIONAL = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")

    def process_request(self, request):
        available = {code for code, _ in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "").lower()
        if language not in available:
            language = settings.LANGUAGE_CODE
            accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            for code, _q in parse_accept_lang_header(accept):
                if code.lower().startswith(self.TRADITIONAL):
                    language = "zh-hant"
                    break
                if code.lower().startswith("zh"):
                    break
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response
