"""Who may do what in a class (issue 37): fer_core.access's rules and fer_core.classroom's actions,
checked on the server whatever the page showed. Sign-in off (access.LOCAL) changes nothing."""

import os

import pytest

from fer_core.access import LOCAL, ClassPolicy, Refused, check_teacher, mine_first, owner_of, write_owner
from fer_core.class_server import make_certificate, serve_command, sign_in_configured, write_secrets
from fer_core.classroom import active_owned, delete_run_as, resume_as, start_as, stop_as
from fer_core.data import save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.train import Plan, RunStatus, TrainConfig, prepare_run
from fer_core.train.runs import FileLock

POLICY = ClassPolicy.from_config({"teachers": ["Tess@School.org"], "max_queued_runs": 1})
TESS, AMY, BEN, CY = (POLICY.user(f"{n.lower()}@school.org", n) for n in ("Tess", "Amy", "Ben", "Cy"))


@pytest.fixture
def runs(data_dir, monkeypatch):
    """Ben's run training (this process holds its lock, as its trainer would) and Amy's stopped one;
    the executor is replaced by a recorder: nothing trains here."""
    save_dataset(synth_dataset("demo", n=140))
    submitted = []
    monkeypatch.setattr(
        "fer_core.classroom.get_executor", lambda: type("X", (), {"submit": lambda self, run, resume=False: submitted.append(run.id)})()
    )
    ben, _ = prepare_run(TrainConfig(data="demo", arch="tiny", epochs=3, seed=1))
    write_owner(ben.dir, BEN)
    amy, _ = prepare_run(TrainConfig(data="demo", arch="tiny", epochs=3, seed=2))
    write_owner(amy.dir, AMY)
    amy.set_status(RunStatus.STOPPED)
    with FileLock(ben.lock_path):
        ben.set_status(RunStatus.RUNNING, pid=os.getpid())
        yield ben, amy, submitted


def test_teachers_come_from_the_list_any_case_and_everyone_else_is_a_student():
    assert TESS.is_teacher and TESS.role == "teacher" and not AMY.is_teacher and LOCAL.is_teacher
    with pytest.raises(ValueError, match="list of e-mail addresses"):
        ClassPolicy.from_config({"teachers": "tess@school.org"})
    with pytest.raises(Refused, match="no e-mail address"):
        POLICY.user("", "Nobody")


def test_a_student_stops_resumes_and_deletes_only_their_own_runs_a_teacher_any(runs):
    ben, amy, submitted = runs
    with pytest.raises(Refused, match=f"only Ben \\(who started it\\) or a teacher can stop run {ben.id}"):
        stop_as(AMY, ben)
    assert not ben.stop_requested()
    with pytest.raises(Refused, match="only Amy"):
        resume_as(BEN, POLICY, amy)
    with pytest.raises(Refused, match="only Amy"):
        delete_run_as(BEN, amy)
    stop_as(BEN, ben)
    assert ben.stop_requested()
    resume_as(AMY, POLICY, amy)
    assert submitted == [amy.id]
    delete_run_as(TESS, amy)
    assert not amy.dir.exists()


def test_asking_for_someone_elses_stopped_run_does_not_resume_it(runs):
    ben, amy, submitted = runs
    with pytest.raises(Refused, match="only Amy"):  # Cy asks for the very config of Amy's stopped run
        start_as(CY, POLICY, TrainConfig(data="demo", arch="tiny", epochs=3, seed=2))
    assert submitted == []


def test_a_student_has_at_most_the_class_limit_queued_and_a_new_run_is_theirs(runs):
    ben, _, submitted = runs
    assert active_owned(BEN) == 1
    with pytest.raises(Refused, match="the most this class allows at once \\(1\\)"):
        start_as(BEN, POLICY, TrainConfig(data="demo", arch="tiny", epochs=3, seed=3))
    started = start_as(AMY, POLICY, TrainConfig(data="demo", arch="tiny", epochs=3, seed=3))
    assert started.plan is Plan.NEW and owner_of(started.run.dir) == AMY.email and submitted == [started.run.id]
    start_as(TESS, POLICY, TrainConfig(data="demo", arch="tiny", epochs=3, seed=4))  # no limit for a teacher
    assert [d.name for d in mine_first([ben.dir, started.run.dir], AMY)] == [started.run.id, ben.id]


def test_delete_refuses_a_run_in_training_and_only_teachers_manage_data(runs):
    ben, _, _ = runs
    with pytest.raises(Exception, match="stop it before deleting it"):
        delete_run_as(BEN, ben)
    with pytest.raises(Refused, match="only a teacher can import data sets"):
        check_teacher(AMY, "import data sets")
    check_teacher(TESS, "delete data sets")
    check_teacher(LOCAL, "ship a model")


def test_the_laptop_records_no_owner_and_refuses_nothing(runs):
    ben, _, submitted = runs
    started = start_as(LOCAL, None, TrainConfig(data="demo", arch="tiny", epochs=3, seed=5))
    assert owner_of(started.run.dir) is None and submitted == [started.run.id]
    stop_as(LOCAL, ben)
    assert ben.stop_requested()


def test_the_class_server_certificate_secrets_and_command(tmp_path):
    from cryptography import x509

    c = make_certificate(tmp_path / "tls", ["fer.school.org", "localhost"], ["10.0.0.5"], days=30)
    cert = x509.load_pem_x509_certificate(c.cert.read_bytes())
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.DNSName) == ["fer.school.org", "localhost"] and [
        str(a) for a in alt.get_values_for_type(x509.IPAddress)
    ] == ["10.0.0.5"]
    assert (c.key.stat().st_mode & 0o777) == 0o600 and (c.cert.stat().st_mode & 0o777) == 0o644
    secrets = write_secrets(
        "https://id.school.org", "fer", "s3cret", ["Tess@School.org"], "fer.school.org", 8443, 2, tmp_path / "secrets.toml"
    )
    assert sign_in_configured(secrets) and (secrets.stat().st_mode & 0o777) == 0o600
    import tomllib

    conf = tomllib.loads(secrets.read_text())
    assert conf["auth"]["redirect_uri"] == "https://fer.school.org:8443/oauth2callback"
    assert (
        conf["auth"]["server_metadata_url"] == "https://id.school.org/.well-known/openid-configuration"
        and len(conf["auth"]["cookie_secret"]) == 64
    )
    assert ClassPolicy.from_config(conf["fer_lab"]) == ClassPolicy(frozenset({"tess@school.org"}), 2)
    with pytest.raises(FileExistsError, match="--replace"):
        write_secrets("https://id.school.org", "fer", "s3cret", ["t@s.org"], "h", path=secrets)
    cmd = serve_command(c.cert, c.key, 8443, secrets_file=secrets)
    for flag, value in (
        ("--server.sslCertFile", str(c.cert)),
        ("--client.showErrorDetails", "none"),
        ("--server.enableXsrfProtection", "true"),
    ):
        assert cmd[cmd.index(flag) + 1] == value
    with pytest.raises(FileNotFoundError, match="fer class cert"):
        serve_command(tmp_path / "missing.pem", c.key)


def test_a_loopback_sign_in_address_is_refused_unless_asked_for(tmp_path):
    """`fer class config` once wrote https://localhost:8501/oauth2callback without a word, and sign-in
    from the machine's other address came back signed out."""
    from fer_core.class_server import is_loopback

    assert is_loopback("localhost") and is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("10.0.0.5") and not is_loopback("fer.school.org")
    with pytest.raises(ValueError, match="--host"):
        write_secrets("https://id.school.org", "fer", "s", ["t@s.org"], "localhost", path=tmp_path / "a.toml")
    assert not (tmp_path / "a.toml").exists()
    write_secrets("https://id.school.org", "fer", "s", ["t@s.org"], "localhost", path=tmp_path / "b.toml", allow_loopback=True)


def test_the_sign_in_page_and_serve_name_the_address_sign_in_returns_to():
    from fer_core.class_server import sign_in_address_problem
    from fer_core.cli.classroom import serve_banner

    back = "https://localhost:8501/oauth2callback"
    problem = sign_in_address_problem("https://192.0.2.2:8501/", back)
    assert "Open https://localhost:8501/ and sign in there" in problem and "https://192.0.2.2:8501/" in problem
    assert sign_in_address_problem("https://localhost:8501/Evaluate", back) is None
    assert "Open https://fer.school.org:8443/" in sign_in_address_problem(
        "https://fer.school.org:8501/", "https://fer.school.org:8443/oauth2callback"
    )
    banner = serve_banner(back, 8501)
    assert banner.startswith("serving FER Lab at https://localhost:8501: give students this address")
    assert "students cannot sign in" in banner
    ok = serve_banner("https://fer.school.org:8501/oauth2callback", 8501)
    assert "warning" not in ok and "https://fer.school.org:8501" in ok
    assert "listens on 8443: sign-in will fail" in serve_banner("https://fer.school.org:8501/oauth2callback", 8443)


def test_fer_class_cert_names_the_next_step(tmp_path, capsys):
    from fer_core.cli import main

    assert main(["class", "cert", "--out", str(tmp_path), "--name", "fer.school.org", "--ip", "10.0.0.5"]) == 0
    out = capsys.readouterr().out
    assert "Next: `fer class config" in out and out.index("fer class config") < out.index("make serve")
