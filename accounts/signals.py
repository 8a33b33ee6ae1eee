"""A password change revokes the user's API tokens, whichever path changed it (the cockpit's
page, the admin, ``manage.py changepassword``): each of them calls ``set_password`` and
saves, like Django's own session invalidation relies on."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.services import tokens_revoke_all


@receiver(pre_save, sender=User, dispatch_uid="accounts.revoke_tokens_on_password_change")
def revoke_tokens_on_password_change(sender, instance: User, update_fields=None, **kwargs):
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and "password" not in update_fields:
        return
    # ``set_password`` keeps the new raw password until the save; a hash upgrade at login
    # (same password, new hasher) saves without it and revokes nothing.
    if getattr(instance, "_password", None) is not None:
        tokens_revoke_all(user=instance)
