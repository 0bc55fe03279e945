"""The rules for adding photos: who may, when, to which event, and that nothing is ever
changed or deleted."""

from __future__ import annotations

import pytest

from minsheng.cases import actions
from minsheng.cases.errors import InvalidInput, InvalidTransition, NotPermitted
from minsheng.cases.models import ActorKind, Case, EventKind, Status
from minsheng.photos.images import prepare_photos
from minsheng.photos.models import Photo
from tests.photos.conftest import read_photo, stored_files
from tests.photos.pictures import not_an_image, photo_upload


def photos(n: int = 1):  # type: ignore[no-untyped-def]
    return prepare_photos([photo_upload(f"p{i}.jpg") for i in range(n)])


@pytest.fixture
def accepted(county, submit) -> Case:  # type: ignore[no-untyped-def]
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    return case


def test_resident_photos_belong_to_the_submitted_event(submit):
    case = submit(photos=photos(2))
    stored = list(Photo.objects.filter(case=case))
    assert len(stored) == 2
    assert {p.event.kind for p in stored} == {EventKind.SUBMITTED}
    assert {p.added_by_kind for p in stored} == {ActorKind.RESIDENT}
    assert all(p.added_by is None for p in stored)
    photo = stored[0]
    assert (photo.width, photo.height) == (600, 800)
    assert photo.bytes == len(read_photo(photo)) and len(photo.sha256) == 64
    assert photo.file_name.endswith(f"{photo.uid.hex}.jpg")


def test_a_refused_batch_is_reported_with_the_other_problems_and_stores_nothing(submit, photo_dir):
    with pytest.raises(InvalidInput) as refused:
        submit(description="", photos=prepare_photos([not_an_image()]))
    assert {p.field for p in refused.value.every()} == {"description", "photos"}
    assert not Case.objects.exists()
    assert stored_files(photo_dir) == []


def test_note_photos_belong_to_the_note(county, accepted):
    actions.add_note(actor=county.handler, case=accepted, note="正在挖开路面", photos=photos())
    photo = Photo.objects.get(case=accepted)
    assert photo.event.kind == EventKind.NOTE
    assert photo.event.note == "正在挖开路面"
    assert photo.added_by == county.handler and photo.added_by_kind == ActorKind.STAFF


def test_resolution_photos_belong_to_the_resolution(county, accepted):
    actions.resolve_case(
        actor=county.handler, case=accepted, resolution="水管已更换", photos=photos(3)
    )
    kinds = set(Photo.objects.filter(case=accepted).values_list("event__kind", flat=True))
    assert kinds == {EventKind.RESOLVED}
    assert Photo.objects.filter(case=accepted).count() == 3


def test_a_bad_photo_refuses_the_resolution_and_the_case_does_not_move(county, accepted, photo_dir):
    before = Case.objects.get(pk=accepted.pk).version
    with pytest.raises(InvalidInput):
        actions.resolve_case(
            actor=county.handler,
            case=accepted,
            resolution="水管已更换",
            photos=prepare_photos([photo_upload(), not_an_image()]),
        )
    case = Case.objects.get(pk=accepted.pk)
    assert case.status == Status.ACCEPTED and case.version == before
    assert stored_files(photo_dir) == []


def test_photos_on_their_own_write_one_internal_event(county, accepted):
    status = Case.objects.get(pk=accepted.pk).status
    actions.add_photos(actor=county.handler, case=accepted, photos=photos(2))
    event = accepted.events.order_by("-id").first()
    assert event.kind == EventKind.PHOTOS and not event.is_public
    assert event.photos.count() == 2
    assert Case.objects.get(pk=accepted.pk).status == status


def test_an_operator_in_scope_may_add_photos_to_a_case_awaiting_dispatch(county, submit):
    case = submit()
    actions.add_photos(actor=county.operator, case=case, photos=photos())
    assert case.photos.count() == 1


@pytest.mark.parametrize("who", ["other_handler", "other_supervisor", "township_handler"])
def test_staff_who_may_not_act_cannot_add_photos(county, accepted, who, photo_dir):
    with pytest.raises(NotPermitted):
        actions.add_photos(actor=getattr(county, who), case=accepted, photos=photos())
    assert not Photo.objects.exists() and stored_files(photo_dir) == []


def test_an_ended_case_takes_no_photos(county, submit):
    case = submit()
    actions.decline_case(actor=county.operator, case=case, reason="与公共服务无关")
    with pytest.raises(InvalidTransition):
        actions.add_photos(actor=county.operator, case=case, photos=photos())


def test_photos_on_their_own_need_at_least_one(county, accepted):
    with pytest.raises(InvalidInput):
        actions.add_photos(actor=county.handler, case=accepted, photos=prepare_photos([]))


def test_photos_are_never_changed_or_deleted(submit):
    case = submit(photos=photos())
    photo = Photo.objects.get(case=case)
    with pytest.raises(ValueError):
        photo.delete()
    photo.width = 1
    with pytest.raises(ValueError):
        photo.save()
