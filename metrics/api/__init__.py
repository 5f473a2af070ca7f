"""The returns and rollups API (DRF): viewsets and views, serializers, pagination. See ADR 20."""
