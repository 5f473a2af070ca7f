"""Pages for the logging tests only: one that queues a task, one that fails."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from nhsportal.tasks import heartbeat


def queue_heartbeat(request: HttpRequest) -> JsonResponse:
    result = heartbeat.apply_async(queue=request.GET.get("queue") or None)
    return JsonResponse({"task_id": result.id})


def fail(request: HttpRequest) -> JsonResponse:
    raise RuntimeError("the disk is full")


urlpatterns = [path("queue-heartbeat/", queue_heartbeat), path("fail/", fail)]
