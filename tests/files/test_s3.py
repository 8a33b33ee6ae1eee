"""The S3 path against a real S3-compatible server on this machine (moto's standalone
``moto_server``, started here as a subprocess on a free port): no mocked client."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest

from supervision.models import Attachment
from tests.files import samples
from tests.files.conftest import upload

BUCKET = "wulong-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    executable = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (our own test server)
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(endpoint, timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("moto_server did not start")
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        client.create_bucket(Bucket=BUCKET)
        yield endpoint, client
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "files": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return client


def test_a_file_round_trips_through_the_s3_server(world, s3, settings):
    photo = samples.photo()
    response = upload(
        world.client("owner"),
        photo,
        name="现场照片.jpg",
        target_type="progress_report",
        target_id=world.report.pk,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Attachment.objects.get(pk=body["id"])
    # the object and its thumbnail are in the bucket, nowhere else
    keys = {row["Key"] for row in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {stored.file.name, stored.thumbnail.name} <= keys
    assert s3.get_object(Bucket=BUCKET, Key=stored.file.name)["Body"].read() == photo
    # streamed by Django
    download = world.client("co_owner").get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == photo
    # or a short-lived signed URL of the store, carrying the attachment disposition
    settings.FILES_DELIVERY = "redirect"
    redirect = world.client("owner").get(body["download_url"])
    assert redirect.status_code == 302
    assert "X-Amz-Expires=60" in redirect["Location"]
    fetched = httpx.get(redirect["Location"])
    assert fetched.status_code == 200
    assert fetched.content == photo
    # S3 and MinIO answer with the disposition the signed URL asks for (moto ignores it)
    assert "response-content-disposition=attachment" in redirect["Location"]
    assert world.client("other_owner").get(body["download_url"]).status_code == 404


def test_a_refused_upload_leaves_the_bucket_untouched(world, s3):
    before = s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    response = upload(
        world.client("other_owner"),
        samples.pdf(),
        target_type="progress_report",
        target_id=world.report.pk,
    )
    assert response.status_code == 403
    response = upload(world.client("owner"), samples.EXE, name="a.pdf")
    assert response.status_code == 400
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == before


def test_accel_delivery_hands_nginx_a_signed_request_to_the_store(world, s3, settings):
    """FILES_DELIVERY=accel with the S3 store: X-Accel-Redirect is FILES_ACCEL_PREFIX + the
    path and query of a signed URL; nginx's internal location replaces the prefix with the
    store's address (deploy/nginx/default.conf), which is what this test does by hand."""
    photo = samples.photo()
    body = upload(
        world.client("owner"), photo, target_type="progress_report", target_id=world.report.pk
    ).json()
    settings.FILES_DELIVERY = "accel"
    response = world.client("co_owner").get(body["download_url"])
    assert response.status_code == 200
    assert response.content == b""
    target = response["X-Accel-Redirect"]
    stored = Attachment.objects.get(pk=body["id"]).file.name
    assert target.startswith(f"/protected-files/{BUCKET}/{stored}?")
    assert "X-Amz-Signature=" in target
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    endpoint = settings.STORAGES["files"]["OPTIONS"]["endpoint_url"]
    fetched = httpx.get(endpoint + "/" + target.removeprefix(settings.FILES_ACCEL_PREFIX))
    assert fetched.status_code == 200
    assert fetched.content == photo
    assert world.client("other_owner").get(body["download_url"]).status_code == 404
