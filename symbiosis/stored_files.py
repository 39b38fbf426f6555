"""Stored files go with their rows: a file is erased from its storage once the transaction
that deletes its row, or replaces the file by another, commits; never when it rolls back, so
a refused change loses nothing.

Model signals, not a ``delete()`` method: a row also goes when its parent is deleted (an
agreement's documents with it), or a whole selection at once in the admin, and neither calls
the row's own ``delete()``. Only the model's own rows keep a file: a history of them
(django-simple-history's rows) may keep its *name*, to say that a document existed, never its
content.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save


def erase_on_commit(model, field_name, name, *, using):
    """Erase the stored file ``name`` of ``model.field_name`` once the current transaction
    commits (at once outside one), unless a row still names it by then. An error from the
    storage is logged (``robust``), not raised: the rows are committed whatever becomes of
    the file."""
    if not name:
        return
    storage = model._meta.get_field(field_name).storage

    def erase():
        if not model._base_manager.using(using).filter(**{field_name: name}).exists():
            storage.delete(name)

    transaction.on_commit(erase, using=using, robust=True)


def erase_files_with_their_rows(model, field_name):
    """Connect ``model``'s signals so that the file of ``field_name`` is erased when its row
    is deleted, and the previous file when a save replaces it."""
    uid = f"stored-files-{model._meta.label}-{field_name}"
    stored_name = f"_stored_{field_name}"

    def remember_stored(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
        if raw or instance.pk is None:
            return
        if update_fields is not None and field_name not in update_fields:
            return
        stored = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values_list(field_name, flat=True)
            .first()
        )
        setattr(instance, stored_name, stored)

    def erase_replaced(sender, instance, created=False, raw=False, using=None, **kwargs):
        stored = instance.__dict__.pop(stored_name, None)
        if raw or created or not stored:
            return
        if stored != getattr(instance, field_name).name:
            erase_on_commit(sender, field_name, stored, using=using)

    def erase_deleted(sender, instance, using=None, **kwargs):
        erase_on_commit(sender, field_name, getattr(instance, field_name).name, using=using)

    pre_save.connect(remember_stored, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(erase_replaced, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(erase_deleted, sender=model, dispatch_uid=uid, weak=False)
