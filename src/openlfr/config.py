"""Settings: environment (prefix ``LFR_``), then the settings file, then defaults.

The settings file is ``$LFR_CONFIG`` if set, else ``config.toml`` in the user config
directory; it must be this account's (the account that owns the store) and writable by no
one else. Nested fields use ``__`` in the environment, e.g.
``LFR_EMBEDDER_INPUT__COLOUR=bgr``. Policy (``POLICY``: what deployments may do, as against
how this machine runs) comes only from the settings file: an ``LFR_`` variable naming it is
refused, so no caller's environment can shorten a retention period or lengthen a token.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from openlfr.domain import vocabulary
from openlfr.errors import LfrError

DetectorName = Literal["yunet", "centerface", "scrfd", "retinaface"]
Backend = Literal["auto", "openvino", "onnxruntime", "opencv"]


def config_file() -> Path:
    """The TOML settings file in use (it need not exist)."""
    override = os.environ.get("LFR_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("openlfr")) / "config.toml"


# The settings that govern what a deployment may do (retention, the watchlist's vocabulary and
# size, how long a login and a token last, the match threshold's default), read only from the
# settings file; the others say how this machine runs.
POLICY = ("governance", "session_hours", "api_token_days", "match_threshold")


class SettingsError(LfrError):
    """The settings file or the environment cannot be trusted with the settings it gives."""


def refuse_policy_from_environment() -> None:
    """Refuse ``LFR_`` variables naming a policy setting (matched as pydantic-settings does,
    whatever their case): policy is the server's, set in its settings file."""
    names = {f"LFR_{field.upper()}" for field in POLICY}
    found = sorted(v for v in os.environ if v.upper().split("__")[0] in names)
    if found:
        raise SettingsError(
            f"{', '.join(found)} set policy, which comes only from the settings file "
            f"{config_file()}, never from the environment: unset {'them' if found[1:] else 'it'}"
            " (and set the value in that file if it is the server's)"
        )


class SettingsFile(TomlConfigSettingsSource):
    """The settings file, read only if it is this account's (the account that owns the store)
    and no one else may write it: it sets policy."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        with Path(file_path).open("rb") as file:
            held = os.fstat(file.fileno())  # the file read, not a name someone may swap
            if held.st_uid != os.getuid():
                raise SettingsError(
                    f"the settings file {file_path} belongs to another account (uid "
                    f"{held.st_uid}): it must be this account's, the one that owns the store"
                )
            if held.st_mode & 0o022:
                raise SettingsError(
                    f"the settings file {file_path} may be written by others (mode "
                    f"{stat.filemode(held.st_mode)}): chmod go-w {file_path}"
                )
            return tomllib.load(file)


class EmbedderInput(BaseModel):
    """How a bring-your-own ArcFace-style embedder wants its 112x112 aligned chip."""

    colour: Literal["rgb", "bgr"] = "rgb"
    mean: float = 127.5
    std: float = 127.5


class QualityThresholds(BaseModel):
    """A face below any of these is reported as poor quality (and refused at enrolment)."""

    min_inter_eye_px: float = Field(20.0, description="eye-centre distance in source pixels")
    min_sharpness: float = Field(40.0, description="variance of the Laplacian of the chip")
    max_yaw: float = Field(0.6, description="nose offset from the eye midline, in eye distances")
    min_detector_score: float = 0.6


class Governance(BaseModel):
    """The closed lists, limits and retention periods a force sets for its deployments."""

    use_cases: list[str] = list(vocabulary.USE_CASES)
    watchlist_categories: list[str] = list(vocabulary.WATCHLIST_CATEGORIES)
    sexes: list[str] = list(vocabulary.SEXES)
    ethnicities: list[str] = list(vocabulary.ETHNICITIES)
    image_sources: list[str] = list(vocabulary.IMAGE_SOURCES)
    max_watchlist_size: int = Field(10_000, ge=1, description="subjects per deployment")
    retain_unconfirmed_hours: float = Field(
        24, ge=0, description="alert biometrics of unconfirmed and false alerts, after close"
    )
    retain_confirmed_days: float = Field(
        31, ge=0, description="alert biometrics of confirmed true alerts, after close"
    )
    concerns_contact: str = Field(
        "",
        description="how the public raises a concern about a deployment (an address, a web "
        "form, a telephone number): the public notice says it",
    )

    def vocabulary(self) -> vocabulary.Vocabulary:
        return vocabulary.Vocabulary(
            tuple(self.use_cases),
            tuple(self.watchlist_categories),
            tuple(self.sexes),
            tuple(self.ethnicities),
            tuple(self.image_sources),
        )


class Settings(BaseSettings):
    """Everything openlfr can be told; see README for the file and variables."""

    model_config = SettingsConfigDict(env_prefix="LFR_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("openlfr")))
    threads: int = Field(2, ge=1, description="CPU threads each model may use")
    backend: Backend = Field("auto", description="auto: the backend measured fastest per model")
    precision: Literal["auto", "f32", "bf16", "int8"] = Field(
        "auto",
        description="auto: per model, the fastest precision that agrees with f32 on this "
        "CPU (tried here, `lfr models list` says which and why); f32, bf16 or int8: that "
        "precision for every model that has it on this CPU, f32 for the others",
    )

    detector: DetectorName = Field(
        "centerface", description="measured: best WIDER AP and 1:N; yunet is ~4x faster"
    )
    detector_path: Path | None = Field(
        None, description="bring-your-own detector file; required for scrfd and retinaface"
    )
    detector_score: float | None = Field(None, description="None: the detector's own default")
    nms_iou: float = 0.4
    detect_max_side: int = Field(
        960, description="frames larger than this are scaled down before detection"
    )
    realert_after: float = Field(
        30.0,
        ge=0,
        description="seconds before a camera alerts again on the subject it last alerted on: "
        "a person whose track broke is not alerted twice",
    )
    track_shots: int = Field(
        6,
        ge=1,
        le=32,
        description="best shots a live track keeps and embeds: 6 finds more people than 3 "
        "(docs/benchmarks.md), 3 costs less (a 2-core machine watching four cameras)",
    )
    motion_gate: bool = Field(
        True,
        description="skip looking for faces in a frame when no one is tracked and nothing moved "
        "since the last look (at least one look every 10 frames)",
    )
    analysed_fps: float | None = Field(
        10.0,
        gt=0,
        description="frames each live camera analyses a second at most (the newest is taken, "
        "the others dropped); None: as many as it can",
    )

    embedder: str = Field("sface", description="a model name from `lfr models list`, or custom")
    embedder_path: Path | None = Field(None, description="file for embedder = custom")
    embedder_input: EmbedderInput = EmbedderInput()
    embed_batch: int = 16
    flip_templates: bool = Field(
        False, description="add the mirror image's embedding to each template (twice the cost)"
    )

    match_threshold: float | None = Field(
        None, description="None: the threshold measured for the embedder (FPIR 1e-3 on LFW)"
    )

    quality: QualityThresholds = QualityThresholds()

    database_url: str | None = Field(
        None, description="SQLAlchemy URL; None: an SQLite file in data_dir"
    )
    master_key: SecretStr | None = Field(
        None, description="base64 of the 32-byte master key (else master_key_file)"
    )
    master_key_file: Path | None = Field(
        None,
        description="file holding the master key; None: master.key in the user config "
        "directory, away from data_dir (a copy of the data folder then opens nothing)",
    )
    governance: Governance = Governance()
    session_hours: float = Field(
        8, gt=0, le=24, description="how long a login lasts (a shift), then log in again"
    )
    api_token_days: int = Field(
        90, gt=0, le=366, description="how long an API client's token lasts at most"
    )
    session_file: Path = Field(
        default_factory=lambda: Path(platformdirs.user_state_dir("openlfr")) / "session.json",
        description="where `lfr login` keeps this OS account's session token (mode 0600)",
    )

    max_image_bytes: int = 50_000_000
    max_image_pixels: int = 40_000_000
    max_request_bytes: int = Field(
        120_000_000, gt=0, description="the largest request body the API reads (an enrolment)"
    )
    api_host: str = Field("127.0.0.1", description="where `lfr serve` listens")
    api_port: int = Field(8000, ge=1, le=65535)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses (or networks, 10.0.0.0/8) of the TLS proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; none by default: a caller's "
        "address is the one it connects from, whatever it claims",
    )

    lfw_dir: Path | None = Field(
        None, description="LFW folder (holding pairs.txt) for `lfr evaluate ... --dataset lfw`"
    )
    wider_dir: Path | None = Field(
        None, description="WIDER FACE val folder (gt.json) for `lfr evaluate detection`"
    )
    cohort_dir: Path | None = Field(
        None, description="face images of people on no watchlist, for cohort score normalisation"
    )
    notice_dir: Path | None = Field(
        None,
        description="where `lfr report notice` writes the public notice and the console serves "
        "it from (/notice); None: data_dir/notice",
    )

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def notice_folder(self) -> Path:
        return self.notice_dir or self.data_dir / "notice"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'openlfr.db'}"

    @property
    def key_file(self) -> Path:
        return self.master_key_file or Path(platformdirs.user_config_dir("openlfr")) / "master.key"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        refuse_policy_from_environment()
        return init_settings, env_settings, SettingsFile(settings_cls, toml_file=config_file())


def load_settings() -> Settings:
    """The settings (environment, the TOML file, defaults), or one error naming the file or the
    setting that is wrong and why."""
    path = config_file()
    if path.exists() and not path.is_file():
        raise SettingsError(f"the settings file {path} is not a file: point LFR_CONFIG at one")
    try:
        return Settings()
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"the settings file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"the settings file {path} cannot be read ({exc.strerror})") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise SettingsError(
            f"the settings are not valid: {problems} (from the settings file {path} or an LFR_ "
            "variable)"
        ) from None
