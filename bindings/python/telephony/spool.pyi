# Type stubs of telephony.spool.
import os
from typing import Optional, Union

PathLike = Union[str, os.PathLike[str]]

class CallFile:
    channel: str
    application: str
    data: str
    context: str
    extension: str
    priority: Union[int, str]
    caller_id: str
    max_retries: int
    retry_time: int
    wait_time: int
    account: str
    variables: dict[str, str]
    archive: bool
    always_delete: bool
    early_media: bool
    codecs: str
    attempts: int
    status: str
    warnings: list[str]
    def __init__(self, channel: str, application: str = "", data: str = "", context: str = "default",
                 extension: str = "", priority: Union[int, str] = 1, caller_id: str = "", max_retries: int = 0,
                 retry_time: int = 300, wait_time: int = 45, account: str = "", variables: dict[str, str] = ...,
                 archive: bool = False, always_delete: bool = True, early_media: bool = False, codecs: str = "",
                 attempts: int = 0, status: str = "", warnings: list[str] = ...) -> None: ...
    def text(self) -> str: ...
    def write(self, spool_dir: PathLike, name: Optional[str] = None, *, when: Optional[float] = None) -> str: ...
    @classmethod
    def parse(cls, text: str, name: str = "<call file>") -> CallFile: ...
    @classmethod
    def read(cls, path: PathLike) -> CallFile: ...

def wait_done(spool_dir: PathLike, name: str, timeout: float = 60.0) -> Optional[CallFile]: ...
