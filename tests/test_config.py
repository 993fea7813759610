"""Settings: environment (LFR_, nested with __) over the settings file over defaults; policy
from the settings file alone, and that file only if this account's and no one else's to write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from openlfr.config import Settings, SettingsError, config_file


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No LFR_ variable of the developer's, no config file of theirs, and user folders in
    tmp_path; returns the (absent) TOML file LFR_CONFIG names."""
    for name in list(os.environ):
        if name.startswith("LFR_"):
            monkeypatch.delenv(name)
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    toml = tmp_path / "config.toml"
    monkeypatch.setenv("LFR_CONFIG", str(toml))
    return toml


def test_defaults_keep_the_key_out_of_the_data_folder(tmp_path: Path) -> None:
    settings = Settings()
    data = tmp_path / "xdg_data_home" / "openlfr"
    assert settings.data_dir == data
    assert settings.models_dir == data / "models"
    assert settings.database == f"sqlite:///{data / 'openlfr.db'}"
    # Away from data_dir: a copy of the data folder alone opens nothing.
    assert settings.key_file == tmp_path / "xdg_config_home" / "openlfr" / "master.key"
    assert not settings.key_file.is_relative_to(settings.data_dir)


def test_the_derived_paths_follow_data_dir_and_give_way_to_their_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LFR_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    assert settings.models_dir == tmp_path / "data" / "models"
    assert settings.database == f"sqlite:///{tmp_path / 'data' / 'openlfr.db'}"
    assert not settings.key_file.is_relative_to(tmp_path / "data")

    monkeypatch.setenv("LFR_DATABASE_URL", "postgresql+psycopg://lfr@db/lfr")
    monkeypatch.setenv("LFR_MASTER_KEY_FILE", str(tmp_path / "vault" / "lfr.key"))
    settings = Settings()
    assert settings.database == "postgresql+psycopg://lfr@db/lfr"
    assert settings.key_file == tmp_path / "vault" / "lfr.key"


def test_environment_variables_need_the_prefix_and_nest_with_double_underscores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THREADS", "9")  # no LFR_ prefix: not ours
    monkeypatch.setenv("LFR_DETECTOR", "yunet")
    monkeypatch.setenv("LFR_EMBEDDER_INPUT__COLOUR", "bgr")
    monkeypatch.setenv("LFR_QUALITY__MIN_SHARPNESS", "12.5")
    settings = Settings()
    assert settings.threads == 2
    assert settings.detector == "yunet"
    assert settings.embedder_input.colour == "bgr"
    assert settings.embedder_input.mean == 127.5  # the rest of the nested model keeps defaults
    assert settings.quality.min_sharpness == 12.5


def test_the_toml_file_lfr_config_names_is_read_and_the_environment_wins(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment.write_text(
        'threads = 4\ndetector = "yunet"\nno_such_setting = 1\napi_token_days = 30\n'
        '[embedder_input]\ncolour = "bgr"\n[governance]\nmax_watchlist_size = 50\n'
    )
    assert config_file() == clean_environment
    settings = Settings()
    assert (settings.threads, settings.detector) == (4, "yunet")
    assert settings.embedder_input.colour == "bgr"
    assert settings.governance.max_watchlist_size == 50
    assert settings.governance.retain_confirmed_days == 31  # the rest keeps its defaults
    assert settings.api_token_days == 30

    monkeypatch.setenv("LFR_THREADS", "3")
    settings = Settings()
    assert (settings.threads, settings.detector) == (3, "yunet")
    assert Settings(threads=1).threads == 1  # what the code passes wins over both


def test_without_lfr_config_the_file_is_in_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LFR_CONFIG")
    assert config_file() == tmp_path / "xdg_config_home" / "openlfr" / "config.toml"
    config_file().parent.mkdir(parents=True)
    config_file().write_text("embed_batch = 4\n")
    assert Settings().embed_batch == 4


@pytest.mark.parametrize(
    ("variable", "value"),
    [("LFR_THREADS", "0"), ("LFR_DETECTOR", "haar"), ("LFR_API_PORT", "0")],
)
def test_a_bad_value_is_refused_not_replaced_by_the_default(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("LFR_").lower()):
        Settings()


@pytest.mark.parametrize(
    "variable",
    [
        "LFR_GOVERNANCE__RETAIN_CONFIRMED_DAYS",
        "LFR_GOVERNANCE",
        "lfr_governance__max_watchlist_size",  # pydantic-settings matches any case
        "LFR_API_TOKEN_DAYS",
        "LFR_SESSION_HOURS",
        "LFR_MATCH_THRESHOLD",
    ],
)
def test_policy_from_the_environment_is_refused_in_one_line(
    variable: str, clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention, lifetimes and thresholds are the server's, in its settings file: a caller's
    LFR_GOVERNANCE__RETAIN_CONFIRMED_DAYS=0 would purge evidence at once."""
    monkeypatch.setenv(variable, "0")
    with pytest.raises(SettingsError) as refused:
        Settings()
    assert str(refused.value) == (
        f"{variable} set policy, which comes only from the settings file {clean_environment}, "
        "never from the environment: unset it (and set the value in that file if it is the "
        "server's)"
    )


def test_several_policy_variables_are_named_in_the_one_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LFR_API_TOKEN_DAYS", "366")
    monkeypatch.setenv("LFR_GOVERNANCE__RETAIN_UNCONFIRMED_HOURS", "0")
    monkeypatch.setenv("LFR_THREADS", "3")  # a machine setting: not policy
    with pytest.raises(SettingsError, match=r"^LFR_API_TOKEN_DAYS, LFR_GOVERNANCE__RETAIN_UNCON"
                       r"FIRMED_HOURS set policy.*: unset them "):  # fmt: skip
        Settings()


def test_the_settings_file_must_be_this_accounts_and_no_one_elses_to_write(
    clean_environment: Path,
) -> None:
    clean_environment.write_text("[governance]\nretain_confirmed_days = 0\n")
    for mode in (0o664, 0o646):
        clean_environment.chmod(mode)
        with pytest.raises(SettingsError) as refused:
            Settings()
        assert str(refused.value) == (
            f"the settings file {clean_environment} may be written by others (mode "
            f"-rw-{'rw-r--' if mode == 0o664 else 'r--rw-'}): chmod go-w {clean_environment}"
        )
    clean_environment.chmod(0o644)  # others may read it: it holds no secret of its own
    assert Settings().governance.retain_confirmed_days == 0


def test_a_settings_file_of_another_account_is_refused(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.getuid() == 0:  # root gives the file away; anyone else finds one that is root's
        clean_environment.write_text("[governance]\nretain_confirmed_days = 0\n")
        os.chown(clean_environment, 65534, 65534)
        foreign, owner = clean_environment, 65534
    else:
        foreign, owner = Path("/etc/passwd"), 0
        monkeypatch.setenv("LFR_CONFIG", str(foreign))
    with pytest.raises(SettingsError) as refused:
        Settings()
    assert str(refused.value) == (
        f"the settings file {foreign} belongs to another account (uid {owner}): it must be "
        "this account's, the one that owns the store"
    )
