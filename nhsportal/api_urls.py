"""Every endpoint under /api/v1/, registered in one place."""

from rest_framework.routers import DefaultRouter

from applications.api import register as register_applications
from dashboards.api import register as register_dashboards
from dictionary.api import register as register_dictionary
from metrics.api.returns import register as register_metrics
from metrics.api.rollups import urlpatterns as rollup_urls
from reviews.api import register as register_reviews
from sites.api import ICBViewSet, NeighbourhoodViewSet, PlaceViewSet, RegionViewSet, SiteViewSet, WaveViewSet
from teams.api import (
    FocusCohortViewSet,
    FocusConditionViewSet,
    PartnerOrganisationViewSet,
    ProfessionViewSet,
    TeamViewSet,
    WorkforceEntryViewSet,
)

app_name = "api"  # reverse("api:site-list"): no clash with the pages' URL names

router = DefaultRouter()
# No `.json` suffix routes: every action would have to accept a `format` argument (the URL crawl
# found twenty that answered 500). Clients ask for JSON by Accept header or `?format=json`.
router.include_format_suffixes = False
# Organisations and the programme (read-only; administrators change them in admin).
router.register("regions", RegionViewSet, basename="region")
router.register("icbs", ICBViewSet, basename="icb")
router.register("places", PlaceViewSet, basename="place")
router.register("waves", WaveViewSet, basename="wave")
router.register("sites", SiteViewSet, basename="site")
router.register("neighbourhoods", NeighbourhoodViewSet, basename="neighbourhood")
# Teams and who is in them.
router.register("teams", TeamViewSet, basename="team")
router.register("workforce", WorkforceEntryViewSet, basename="workforce")
router.register("partner-organisations", PartnerOrganisationViewSet, basename="partner-organisation")
# Vocabularies, so clients can find ids.
router.register("professions", ProfessionViewSet, basename="profession")
router.register("focus-conditions", FocusConditionViewSet, basename="focus-condition")
router.register("focus-cohorts", FocusCohortViewSet, basename="focus-cohort")

# Applications to join a wave, and monthly returns: each app registers its own.
register_applications(router)
register_metrics(router)
register_dashboards(router)
register_dictionary(router)
register_reviews(router)

urlpatterns = router.urls + rollup_urls  # `api:coverage` is not a viewset
