"""Refusing an upload that is too large before anything of it is stored or read."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


def upload_limit_bytes() -> int:
    return max(settings.DIAODU_UPLOAD_MAX_MB, settings.DIAODU_PHOTO_MAX_MB) * 1024 * 1024


class UploadLimitHandler(FileUploadHandler):
    """Stops a request whose body is larger than any file Diaodu accepts.

    The request is marked `upload_too_large` so that the form can say so; the body is
    discarded unread.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length is not None and content_length > upload_limit_bytes()
        if self.too_large and self.request is not None:
            self.request.upload_too_large = True

    def new_file(self, *args, **kwargs):
        if getattr(self, "too_large", False):
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
