import factory
from django.contrib.auth import get_user_model

from nhsportal.models import Role, RoleAssignment

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nhs.uk")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def user_with_role(role: Role | None, *, site=None, place=None, **kwargs):
    """A user holding one role (or none), tied to a site or Place where the role needs one."""
    user = UserFactory(**kwargs)
    if role is not None:
        RoleAssignment.objects.create(user=user, role=role, site=site, place=place)
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user
